package dev.thousandisland.autoconfigure.metrics;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A blocking client on 127.0.0.1, with a read timeout so that a test never hangs on a server
 * that does not answer.
 */
final class LoopbackClient implements Closeable {

	private static final int TIMEOUT_MILLIS = 10_000;

	private final Socket socket;

	private LoopbackClient(Socket socket) throws IOException {
		this.socket = socket;
		this.socket.setSoTimeout(TIMEOUT_MILLIS);
	}

	static LoopbackClient connect(int port) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
		return new LoopbackClient(socket);
	}

	/** Connects over TLS and completes the handshake. */
	static LoopbackClient connectTls(int port, SSLContext context) throws IOException {
		Socket plain = new Socket();
		plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
		plain.setSoTimeout(TIMEOUT_MILLIS);
		SSLSocket socket = (SSLSocket) context.getSocketFactory()
			.createSocket(plain, InetAddress.getLoopbackAddress().getHostAddress(), port, true);
		socket.startHandshake();
		return new LoopbackClient(socket);
	}

	void send(byte[] bytes) throws IOException {
		this.socket.getOutputStream().write(bytes);
		this.socket.getOutputStream().flush();
	}

	/**
	 * Reads exactly {@code length} bytes.
	 * @throws EOFException if the server closes the connection first
	 */
	byte[] receive(int length) throws IOException {
		byte[] bytes = this.socket.getInputStream().readNBytes(length);
		if (bytes.length < length) {
			throw new EOFException("Expected " + length + " bytes but the connection ended after " + bytes.length);
		}
		return bytes;
	}

	/** Sends the bytes and reads as many back. */
	byte[] exchange(byte[] bytes) throws IOException {
		send(bytes);
		return receive(bytes.length);
	}

	/**
	 * Reads until the server closes the connection, counting a reset as a close.
	 * @return the number of bytes that arrived before the end
	 */
	int receiveUntilClosed() throws IOException {
		InputStream in = this.socket.getInputStream();
		byte[] buffer = new byte[256];
		int total = 0;
		try {
			for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
				total += read;
			}
		}
		catch (SocketException ex) {
			// Connection reset: the server closed with data unread, which is still a close.
		}
		return total;
	}

	int localPort() {
		return this.socket.getLocalPort();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
