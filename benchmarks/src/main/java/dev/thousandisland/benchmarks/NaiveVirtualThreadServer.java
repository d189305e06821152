package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * The baseline any virtual-thread server has to beat: a JDK {@link ServerSocket} (an
 * {@link SSLServerSocket} for TLS), one virtual thread per connection doing blocking 8 KiB reads,
 * and nothing else. Stopping closes the listen socket, then every connection's socket, and waits
 * for their threads.
 */
final class NaiveVirtualThreadServer implements PeerServer {

	private static final int READ_SIZE = 8 * 1024;

	private final ServerSocket serverSocket;

	private final Protocol protocol;

	private final Map<Socket, Thread> connections = new ConcurrentHashMap<>();

	private final Thread acceptor;

	/**
	 * Starts the server.
	 * @param protocol what it speaks
	 * @param tlsContext the TLS context, or {@code null} for plain TCP
	 * @throws IOException if it cannot listen
	 */
	NaiveVirtualThreadServer(Protocol protocol, SSLContext tlsContext) throws IOException {
		this.protocol = protocol;
		if (tlsContext != null) {
			SSLServerSocket secure = (SSLServerSocket) tlsContext.getServerSocketFactory().createServerSocket();
			secure.setEnabledProtocols(new String[] { "TLSv1.3", "TLSv1.2" });
			this.serverSocket = secure;
		}
		else {
			this.serverSocket = new ServerSocket();
		}
		this.serverSocket.setReuseAddress(true);
		this.serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
		this.acceptor = Thread.ofPlatform().name("naive-acceptor").start(this::accept);
	}

	@Override
	public int port() {
		return this.serverSocket.getLocalPort();
	}

	@Override
	public String description() {
		return "naive-vt (" + this.serverSocket.getClass().getSimpleName() + ", virtual thread per connection, "
				+ "blocking " + READ_SIZE / 1024 + " KiB reads)";
	}

	@Override
	public int connections() {
		return this.connections.size();
	}

	@Override
	public void stop() throws IOException, InterruptedException {
		this.serverSocket.close();
		this.acceptor.join(TimeUnit.SECONDS.toMillis(5));
		for (Socket socket : this.connections.keySet()) {
			socket.close();
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		for (Thread thread : this.connections.values()) {
			long left = deadline - System.nanoTime();
			if (left <= 0 || !thread.join(java.time.Duration.ofNanos(left))) {
				throw new IllegalStateException("connections still open 30 s after closing their sockets");
			}
		}
	}

	private void accept() {
		while (!this.serverSocket.isClosed()) {
			Socket socket;
			try {
				socket = this.serverSocket.accept();
			}
			catch (IOException ex) {
				return;
			}
			Thread thread = Thread.ofVirtual().unstarted(() -> serve(socket));
			this.connections.put(socket, thread);
			thread.start();
		}
	}

	private void serve(Socket socket) {
		try (socket) {
			socket.setTcpNoDelay(true);
			OutputStream out = socket.getOutputStream();
			if (this.protocol == Protocol.DAYTIME) {
				out.write(Protocol.daytimeLine());
				return;
			}
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[READ_SIZE];
			int read;
			while ((read = in.read(buffer)) > 0) {
				out.write(buffer, 0, read);
			}
		}
		catch (IOException ex) {
			// the client went away, or the server is stopping
		}
		finally {
			this.connections.remove(socket);
		}
	}

}
