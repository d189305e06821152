package dev.thousandisland.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;

/**
 * Blocking loopback clients for the attacks: every socket has a read timeout, so that no test can
 * hang on a server that never answers, and every address is 127.0.0.1.
 */
final class Clients {

	static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	static final Duration TIMEOUT = Duration.ofSeconds(10);

	static final byte[] STARTTLS = "STARTTLS\n".getBytes(StandardCharsets.US_ASCII);

	static final byte[] STARTTLS_OK = "OK\n".getBytes(StandardCharsets.US_ASCII);

	private Clients() {
	}

	/** Connects a plain client. */
	static Socket connect(int port) throws IOException {
		Socket socket = new Socket();
		try {
			socket.connect(new InetSocketAddress(LOOPBACK, port), (int) TIMEOUT.toMillis());
			socket.setSoTimeout((int) TIMEOUT.toMillis());
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
		return socket;
	}

	/** Connects a TLS client and completes the handshake. */
	static SSLSocket connectTls(SSLContext context, int port) throws IOException {
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
		try {
			socket.connect(new InetSocketAddress(LOOPBACK, port), (int) TIMEOUT.toMillis());
			socket.setSoTimeout((int) TIMEOUT.toMillis());
			socket.startHandshake();
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
		return socket;
	}

	/**
	 * Asks a plain connection to switch to TLS ({@code STARTTLS}), waits for the go-ahead and
	 * completes the handshake over it.
	 */
	static SSLSocket startTls(SSLContext context, Socket plain, int port) throws IOException {
		plain.getOutputStream().write(STARTTLS);
		plain.getOutputStream().flush();
		byte[] ok = plain.getInputStream().readNBytes(STARTTLS_OK.length);
		if (!Arrays.equals(ok, STARTTLS_OK)) {
			throw new IOException("No STARTTLS go-ahead: " + new String(ok, StandardCharsets.US_ASCII));
		}
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", port, true);
		socket.setSoTimeout((int) TIMEOUT.toMillis());
		socket.startHandshake();
		return socket;
	}

	/** Sends bytes and reads exactly as many back. */
	static byte[] roundTrip(Socket socket, byte[] request) throws IOException {
		return roundTrip(socket, request, request.length);
	}

	/** Sends bytes and reads exactly {@code replyLength} bytes back. */
	static byte[] roundTrip(Socket socket, byte[] request, int replyLength) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(request);
		out.flush();
		byte[] reply = socket.getInputStream().readNBytes(replyLength);
		if (reply.length < replyLength) {
			throw new IOException("Connection closed after " + reply.length + " of " + replyLength + " bytes");
		}
		return reply;
	}

	/**
	 * The first half of a real TLS ClientHello record, as the JDK's client would send it: the
	 * start of a handshake that never finishes.
	 */
	static byte[] halfClientHello(SSLContext context) {
		try {
			SSLEngine engine = context.createSSLEngine("localhost", 443);
			engine.setUseClientMode(true);
			engine.beginHandshake();
			ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
			engine.wrap(ByteBuffer.allocate(0), out);
			out.flip();
			byte[] hello = new byte[out.remaining()];
			out.get(hello);
			if (hello.length < 10 || hello[0] != 0x16) {
				throw new IllegalStateException("Not a TLS handshake record: " + hello.length + " bytes");
			}
			return Arrays.copyOf(hello, hello.length / 2);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Reads until the server ends the connection, at most {@code timeout} overall.
	 * @return how it ended and what arrived before
	 */
	static Closure awaitClosed(Socket socket, Duration timeout) {
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		long deadline = System.nanoTime() + timeout.toNanos();
		byte[] chunk = new byte[8192];
		try {
			InputStream in = socket.getInputStream();
			while (true) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return new Closure(Closure.How.STILL_OPEN, received.toByteArray());
				}
				socket.setSoTimeout((int) Math.max(1, Duration.ofNanos(remaining).toMillis()));
				int read = in.read(chunk);
				if (read < 0) {
					return new Closure(Closure.How.EOF, received.toByteArray());
				}
				received.write(chunk, 0, read);
			}
		}
		catch (SocketTimeoutException ex) {
			return new Closure(Closure.How.STILL_OPEN, received.toByteArray());
		}
		catch (IOException ex) {
			return new Closure(Closure.How.RESET, received.toByteArray());
		}
	}

	/**
	 * Reads and discards until the server ends the connection, at most {@code timeout} overall.
	 * @return how it ended and how many bytes arrived before
	 */
	static Drained drainUntilClosed(Socket socket, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		byte[] chunk = new byte[64 * 1024];
		long count = 0;
		try {
			InputStream in = socket.getInputStream();
			while (true) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return new Drained(Closure.How.STILL_OPEN, count);
				}
				socket.setSoTimeout((int) Math.max(1, Duration.ofNanos(remaining).toMillis()));
				int read = in.read(chunk);
				if (read < 0) {
					return new Drained(Closure.How.EOF, count);
				}
				count += read;
			}
		}
		catch (SocketTimeoutException ex) {
			return new Drained(Closure.How.STILL_OPEN, count);
		}
		catch (IOException ex) {
			return new Drained(Closure.How.RESET, count);
		}
	}

	/** Closes, ignoring failures. */
	static void closeQuietly(Socket socket) {
		if (socket == null) {
			return;
		}
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Gone either way.
		}
	}

	/**
	 * How a connection ended as the client saw it, and how many bytes arrived before.
	 * @param how end of stream, reset, or not ended within the timeout
	 * @param count the bytes received
	 */
	record Drained(Closure.How how, long count) {

		boolean closed() {
			return this.how != Closure.How.STILL_OPEN;
		}

	}

	/**
	 * How a connection ended as the client saw it.
	 * @param how end of stream, reset, or not ended within the timeout
	 * @param received what arrived before
	 */
	record Closure(How how, byte[] received) {

		boolean closed() {
			return this.how != How.STILL_OPEN;
		}

		String text() {
			return new String(this.received, StandardCharsets.ISO_8859_1);
		}

		enum How {

			EOF, RESET, STILL_OPEN

		}

	}

	/**
	 * Returns distinct free loopback ports: all held open at once, so that no two are the same,
	 * then released for the caller's processes (HAProxy, the instances) to bind.
	 */
	static int[] freePorts(int count) throws IOException {
		List<ServerSocket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < count; i++) {
				sockets.add(new ServerSocket(0, 1, LOOPBACK));
			}
			return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
		}
		finally {
			for (ServerSocket socket : sockets) {
				socket.close();
			}
		}
	}

}
