package dev.thousandisland.sample;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A chat client over a real loopback socket. Lines are split on LF only (a lone CR inside a
 * broadcast line is content), a trailing CR is dropped, and the bytes are decoded as UTF-8.
 * Reads are bounded: a read that waits longer than {@link #READ_TIMEOUT} fails.
 */
final class ChatClient implements AutoCloseable {

	static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private final List<String> collected = new ArrayList<>();

	private volatile String name;

	private volatile boolean endOfStream;

	private volatile Thread collector;

	private ChatClient(Socket socket) throws IOException {
		this.socket = socket;
		this.in = new BufferedInputStream(socket.getInputStream());
		this.out = socket.getOutputStream();
	}

	/**
	 * Connects and reads the greeting.
	 * @param port the chat server's port
	 * @return the client, its name known
	 */
	static ChatClient connect(int port) throws IOException {
		return connect(port, 0);
	}

	/**
	 * Connects with a given receive buffer and reads the greeting.
	 * @param port the chat server's port
	 * @param receiveBufferSize the socket's receive buffer, or 0 for the system's default
	 * @return the client, its name known
	 */
	static ChatClient connect(int port, int receiveBufferSize) throws IOException {
		Socket socket = new Socket();
		if (receiveBufferSize > 0) {
			socket.setReceiveBufferSize(receiveBufferSize);
		}
		socket.setTcpNoDelay(true);
		socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		ChatClient client = new ChatClient(socket);
		String welcome = client.readLine();
		assertThat(welcome).matches("WELCOME user\\d+");
		client.name = welcome.substring("WELCOME ".length());
		return client;
	}

	String name() {
		return this.name;
	}

	/**
	 * Returns the client's own port, which the server sees as the peer's port.
	 * @return the local port
	 */
	int localPort() {
		return this.socket.getLocalPort();
	}

	/**
	 * Joins a room and checks the server's answer.
	 * @param room the room
	 * @return this client
	 */
	ChatClient join(String room) throws IOException {
		send("JOIN " + room);
		assertThat(readLine()).isEqualTo("OK joined " + room);
		return this;
	}

	void send(String line) throws IOException {
		sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
	}

	void sendBytes(byte[] bytes) throws IOException {
		this.out.write(bytes);
		this.out.flush();
	}

	/**
	 * Reads one line.
	 * @return the line without its terminator, or {@code null} at end of stream
	 * @throws SocketTimeoutException if nothing arrives within {@link #READ_TIMEOUT}
	 */
	String readLine() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		while (true) {
			int b = this.in.read();
			if (b < 0) {
				this.endOfStream = true;
				return (line.size() > 0) ? decode(line) : null;
			}
			if (b == '\n') {
				return decode(line);
			}
			line.write(b);
		}
	}

	private static String decode(ByteArrayOutputStream line) {
		String text = line.toString(StandardCharsets.UTF_8);
		return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
	}

	/**
	 * Starts a virtual thread that reads every line from now on into {@link #received()},
	 * until the server closes the connection or this client is closed.
	 * @return this client
	 */
	ChatClient startCollecting() {
		this.collector = Thread.ofVirtual().name("chat-reader-" + this.name).start(() -> {
			try {
				while (true) {
					String line;
					try {
						line = readLine();
					}
					catch (SocketTimeoutException ex) {
						continue;
					}
					if (line == null) {
						return;
					}
					synchronized (this.collected) {
						this.collected.add(line);
					}
				}
			}
			catch (IOException ex) {
				// Closed by the test or reset by the server: nothing more will arrive.
				this.endOfStream = true;
			}
		});
		return this;
	}

	/**
	 * Returns what the collecting thread has read so far.
	 * @return a snapshot of the lines
	 */
	List<String> received() {
		synchronized (this.collected) {
			return List.copyOf(this.collected);
		}
	}

	int receivedCount() {
		synchronized (this.collected) {
			return this.collected.size();
		}
	}

	/**
	 * Returns whether the stream ended: the server closed the connection (or reset it).
	 * @return whether nothing more can be read
	 */
	boolean endOfStream() {
		return this.endOfStream;
	}

	Socket socket() {
		return this.socket;
	}

	@Override
	public void close() {
		try {
			this.socket.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
