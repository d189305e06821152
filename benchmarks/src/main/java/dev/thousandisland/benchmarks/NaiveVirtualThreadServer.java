package dev.thousandisland.benchmarks;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
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
 * and nothing else. The framed echoes read through a {@link BufferedInputStream} of the same size,
 * a byte at a time up to each LF for lines, {@link DataInputStream#readInt} and
 * {@link DataInputStream#readFully} for length-prefixed frames, and write each frame back through
 * a {@link BufferedOutputStream}, flushed once per frame. Stopping closes the listen socket, then
 * every connection's socket, and waits for their threads.
 */
final class NaiveVirtualThreadServer implements PeerServer {

	private static final int READ_SIZE = 8 * 1024;

	/** The framed echoes' maximum frame size, as for the other servers. */
	private static final int MAX_FRAME_SIZE = 64 * 1024;

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
				+ "blocking " + READ_SIZE / 1024 + " KiB reads" + switch (this.protocol) {
					case LINE_ECHO -> " through a BufferedInputStream, a byte at a time to each LF";
					case LENGTH_ECHO -> " through a BufferedInputStream, DataInputStream readInt + readFully";
					default -> "";
				} + ")";
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
			switch (this.protocol) {
				case LINE_ECHO -> echoLines(new BufferedInputStream(in, READ_SIZE),
						new BufferedOutputStream(out, READ_SIZE));
				case LENGTH_ECHO -> echoFrames(new DataInputStream(new BufferedInputStream(in, READ_SIZE)),
						new DataOutputStream(new BufferedOutputStream(out, READ_SIZE)));
				default -> {
					byte[] buffer = new byte[READ_SIZE];
					int read;
					while ((read = in.read(buffer)) > 0) {
						out.write(buffer, 0, read);
					}
				}
			}
		}
		catch (IOException ex) {
			// the client went away, or the server is stopping
		}
		finally {
			this.connections.remove(socket);
		}
	}

	private static void echoLines(InputStream in, OutputStream out) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int next;
		while ((next = in.read()) >= 0) {
			if (next == '\n') {
				line.writeTo(out);
				out.write('\n');
				out.flush();
				line.reset();
			}
			else if (line.size() < MAX_FRAME_SIZE) {
				line.write(next);
			}
			else {
				throw new IOException("line over " + MAX_FRAME_SIZE + " bytes");
			}
		}
	}

	private static void echoFrames(DataInputStream in, DataOutputStream out) throws IOException {
		while (true) {
			int length = in.readInt(); // EOFException once the client closes
			if (length < 0 || length > MAX_FRAME_SIZE) {
				throw new IOException("frame length " + length + " out of range");
			}
			byte[] frame = new byte[length];
			in.readFully(frame);
			out.writeInt(length);
			out.write(frame);
			out.flush();
		}
	}

}
