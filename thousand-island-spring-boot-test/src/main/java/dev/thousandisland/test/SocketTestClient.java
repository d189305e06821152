package dev.thousandisland.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.jspecify.annotations.Nullable;

/**
 * A blocking client for testing a socket server over loopback: connect, send bytes or lines, read
 * a line or an exact number of bytes, see the server close. Every read and the connect wait at
 * most the client's timeout (10 seconds unless told), and fail with an {@link UncheckedIOException}
 * whose cause is a {@link SocketTimeoutException} when it passes, so a test never hangs on a silent
 * server. Build one for TLS with {@link #builder(int)}.
 *
 * <pre class="code">
 * try (SocketTestClient client = SocketTestClient.connect(port)) {
 *     client.sendLine("JOIN lobby");
 *     assertThat(client.readLine()).isEqualTo("OK joined lobby");
 * }
 * </pre>
 *
 * <p>Not thread-safe, except that {@link #exchange(byte[])} writes on a thread of its own while it
 * reads.
 */
public final class SocketTestClient implements AutoCloseable {

	/** Longest line {@link #readLine()} reads before it fails, so a missing newline cannot fill the heap. */
	static final int MAX_LINE_LENGTH = 1024 * 1024;

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private final Duration timeout;

	SocketTestClient(Socket socket, Duration timeout) throws IOException {
		this.socket = socket;
		this.timeout = timeout;
		this.in = new BufferedInputStream(socket.getInputStream());
		this.out = socket.getOutputStream();
	}

	/**
	 * Connects over plain TCP to a port on the loopback address.
	 * @param port the server's port
	 * @return the connected client
	 */
	public static SocketTestClient connect(int port) {
		return builder(port).connect();
	}

	/**
	 * Starts describing a connection to a port, on the loopback address unless told otherwise.
	 * @param port the server's port
	 * @return a builder
	 */
	public static SocketTestClientBuilder builder(int port) {
		return new SocketTestClientBuilder(port);
	}

	/**
	 * Sends bytes.
	 * @param bytes what to send
	 * @return this client
	 */
	public SocketTestClient send(byte[] bytes) {
		try {
			this.out.write(bytes);
			this.out.flush();
			return this;
		}
		catch (IOException ex) {
			throw failure("send " + bytes.length + " bytes to", ex);
		}
	}

	/**
	 * Sends text as UTF-8, as it is.
	 * @param text what to send
	 * @return this client
	 */
	public SocketTestClient send(String text) {
		return send(text.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Sends a line: the text as UTF-8, then CR LF, which line-based protocols accept whether they
	 * split on CR LF or on LF alone.
	 * @param line the line, without its ending
	 * @return this client
	 */
	public SocketTestClient sendLine(String line) {
		return send(line + "\r\n");
	}

	/**
	 * Reads one line, decoded as UTF-8: up to LF, without the LF and without a CR before it.
	 * @return the line, or {@code null} if the server closed the connection before sending any byte
	 * of one
	 * @throws UncheckedIOException if the timeout passes first, the connection ends within the
	 * line, or the line is longer than a mebibyte
	 */
	public @Nullable String readLine() {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		try {
			int b;
			while ((b = this.in.read()) != '\n') {
				if (b == -1) {
					if (line.size() == 0) {
						return null;
					}
					throw new EOFException("Connection ended after " + line.size() + " bytes of a line");
				}
				if (line.size() == MAX_LINE_LENGTH) {
					throw new IOException("No line ending within " + MAX_LINE_LENGTH + " bytes");
				}
				line.write(b);
			}
		}
		catch (IOException ex) {
			throw failure("read a line from", ex);
		}
		String text = line.toString(StandardCharsets.UTF_8);
		return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
	}

	/**
	 * Reads exactly {@code length} bytes.
	 * @param length how many
	 * @return the bytes
	 * @throws UncheckedIOException if the timeout passes between two reads or the connection ends
	 * first
	 */
	public byte[] readBytes(int length) {
		try {
			byte[] bytes = this.in.readNBytes(length);
			if (bytes.length < length) {
				throw new EOFException("Connection ended after " + bytes.length + " of " + length + " bytes");
			}
			return bytes;
		}
		catch (IOException ex) {
			throw failure("read " + length + " bytes from", ex);
		}
	}

	/**
	 * Reads until the server closes the connection. A reset counts as a close.
	 * @return every byte that came before the end
	 * @throws UncheckedIOException if the timeout passes between two reads
	 */
	public byte[] readUntilClosed() {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		try {
			int read;
			while ((read = this.in.read(buffer)) != -1) {
				all.write(buffer, 0, read);
			}
		}
		catch (SocketTimeoutException ex) {
			throw failure("see the server close", ex);
		}
		catch (SocketException ex) {
			// Reset by the server: it closed too.
		}
		catch (IOException ex) {
			throw failure("read from", ex);
		}
		return all.toByteArray();
	}

	/**
	 * Sends a payload while reading as many bytes back, for an echo-like server. Writing on a
	 * thread of its own means a payload larger than the socket buffers cannot deadlock.
	 * @param payload what to send
	 * @return the first {@code payload.length} bytes received
	 */
	public byte[] exchange(byte[] payload) {
		CompletableFuture<Void> written = CompletableFuture.runAsync(() -> send(payload),
				(task) -> Thread.ofVirtual().name("socket-test-client-writer").start(task));
		byte[] received = readBytes(payload.length);
		try {
			written.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof RuntimeException runtime) ? runtime : new IllegalStateException(ex);
		}
		catch (TimeoutException ex) {
			throw failure("finish sending to", new SocketTimeoutException(ex.getMessage()));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while sending", ex);
		}
		return received;
	}

	/**
	 * Returns the TLS session, for assertions on the protocol, cipher suite or certificates.
	 * @return the session, after the handshake
	 * @throws IllegalStateException if the connection is plain TCP
	 */
	public SSLSession sslSession() {
		if (!(this.socket instanceof SSLSocket ssl)) {
			throw new IllegalStateException("Not a TLS connection");
		}
		return ssl.getSession();
	}

	/**
	 * Returns the underlying socket, for what this client does not offer (half-close, options).
	 * @return the socket
	 */
	public Socket socket() {
		return this.socket;
	}

	/**
	 * Closes the connection.
	 */
	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			throw failure("close the connection to", ex);
		}
	}

	private UncheckedIOException failure(String action, IOException cause) {
		String within = (cause instanceof SocketTimeoutException) ? " within " + this.timeout : "";
		return new UncheckedIOException(
				"Could not " + action + " " + this.socket.getRemoteSocketAddress() + within + ": " + cause.getMessage(),
				cause);
	}

	static UncheckedIOException connectFailure(InetSocketAddress address, Duration timeout, IOException cause) {
		return new UncheckedIOException(
				"Could not connect to " + address + " within " + timeout + ": " + cause.getMessage(), cause);
	}

}
