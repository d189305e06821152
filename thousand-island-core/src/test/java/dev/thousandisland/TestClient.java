package dev.thousandisland;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A blocking loopback client for tests: a plain {@link java.net.Socket} with a read timeout, so
 * that no test can hang on a server that never answers.
 */
final class TestClient implements AutoCloseable {

	static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

	private final java.net.Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private TestClient(java.net.Socket socket) throws IOException {
		this.socket = socket;
		this.socket.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
		this.in = socket.getInputStream();
		this.out = socket.getOutputStream();
	}

	static TestClient connect(Server server) throws IOException {
		return connect(InetAddress.getLoopbackAddress(), server.port());
	}

	static TestClient connect(InetAddress address, int port) throws IOException {
		java.net.Socket socket = new java.net.Socket();
		socket.connect(new InetSocketAddress(address, port), (int) DEFAULT_TIMEOUT.toMillis());
		return new TestClient(socket);
	}

	java.net.Socket socket() {
		return this.socket;
	}

	TestClient send(String text) throws IOException {
		return send(text.getBytes(StandardCharsets.UTF_8));
	}

	TestClient send(byte[] bytes) throws IOException {
		this.out.write(bytes);
		this.out.flush();
		return this;
	}

	/** Reads exactly {@code length} bytes as UTF-8. */
	String read(int length) throws IOException {
		byte[] bytes = this.in.readNBytes(length);
		if (bytes.length < length) {
			throw new IOException("Connection closed after " + bytes.length + " of " + length + " bytes: "
					+ new String(bytes, StandardCharsets.UTF_8));
		}
		return new String(bytes, StandardCharsets.UTF_8);
	}

	byte[] readBytes(int length) throws IOException {
		return this.in.readNBytes(length);
	}

	/** Reads until the server closes, at most the default timeout. */
	String readToEnd() throws IOException {
		return new String(this.in.readAllBytes(), StandardCharsets.UTF_8);
	}

	/**
	 * Returns whether the server closed the connection: end of stream (or a reset) within
	 * {@code timeout}.
	 */
	boolean isClosedByServer(Duration timeout) throws IOException {
		int previous = this.socket.getSoTimeout();
		this.socket.setSoTimeout((int) timeout.toMillis());
		try {
			return this.in.read() == -1;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			return true;
		}
		finally {
			if (!this.socket.isClosed()) {
				this.socket.setSoTimeout(previous);
			}
		}
	}

	void shutdownOutput() throws IOException {
		this.socket.shutdownOutput();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
