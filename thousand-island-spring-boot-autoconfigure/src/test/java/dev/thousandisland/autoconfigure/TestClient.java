package dev.thousandisland.autoconfigure;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A blocking client on the loopback interface, with a read timeout so that a test never hangs on
 * a server that does not answer.
 */
final class TestClient implements Closeable {

	private static final int TIMEOUT_MILLIS = 10_000;

	private final Socket socket;

	private TestClient(Socket socket) throws IOException {
		this.socket = socket;
		this.socket.setSoTimeout(TIMEOUT_MILLIS);
	}

	static TestClient connect(int port) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
		return new TestClient(socket);
	}

	static TestClient over(Socket socket) throws IOException {
		return new TestClient(socket);
	}

	/**
	 * Tells whether a connect to the port is refused, as it is once nothing listens on it.
	 */
	static boolean refusesConnections(int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
			return false;
		}
		catch (ConnectException ex) {
			return true;
		}
	}

	Socket socket() {
		return this.socket;
	}

	void send(String text) throws IOException {
		OutputStream out = this.socket.getOutputStream();
		out.write(text.getBytes(StandardCharsets.UTF_8));
		out.flush();
	}

	/**
	 * Reads exactly {@code length} bytes.
	 * @throws EOFException if the server closes the connection first
	 */
	String receive(int length) throws IOException {
		byte[] bytes = this.socket.getInputStream().readNBytes(length);
		if (bytes.length < length) {
			throw new EOFException("Expected " + length + " bytes but the connection ended after " + bytes.length
					+ ": '" + new String(bytes, StandardCharsets.UTF_8) + "'");
		}
		return new String(bytes, StandardCharsets.UTF_8);
	}

	String exchange(String text) throws IOException {
		send(text);
		return receive(text.getBytes(StandardCharsets.UTF_8).length);
	}

	/**
	 * Reads until the server closes the connection, counting a reset as a close.
	 * @return what arrived before the end
	 */
	String receiveUntilClosed() throws IOException {
		StringBuilder received = new StringBuilder();
		InputStream in = this.socket.getInputStream();
		byte[] buffer = new byte[256];
		try {
			for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
				received.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
			}
		}
		catch (SocketException ex) {
			// Connection reset: the server closed with data unread, which is still a close.
		}
		return received.toString();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
