package dev.thousandisland.reliability;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A member of the sample's chat over a real loopback socket: connects, learns its name from
 * {@code WELCOME}, joins rooms, says lines, and collects what the server writes on a virtual
 * thread of its own. In a cluster a name ends with its instance's node name ({@code user7@a}).
 */
final class ChatLineClient implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private final List<String> received = new ArrayList<>();

	private final String name;

	private volatile boolean ended;

	private ChatLineClient(Socket socket) throws IOException {
		this.socket = socket;
		this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
		this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
		String welcome = readLine();
		if (welcome == null || !welcome.startsWith("WELCOME ")) {
			socket.close();
			throw new IOException("Expected WELCOME, got " + welcome);
		}
		this.name = welcome.substring("WELCOME ".length());
	}

	/** Connects and reads the welcome. */
	static ChatLineClient connect(int port) throws IOException {
		return connect(port, 0);
	}

	/**
	 * Connects with a receive buffer of the given size (0 for the system's), and reads the welcome.
	 * A small one makes a client that stops reading back up the server quickly.
	 */
	static ChatLineClient connect(int port, int receiveBufferSize) throws IOException {
		Socket socket = new Socket();
		try {
			if (receiveBufferSize > 0) {
				socket.setReceiveBufferSize(receiveBufferSize);
			}
			socket.connect(new InetSocketAddress(Clients.LOOPBACK, port), (int) Clients.TIMEOUT.toMillis());
			socket.setSoTimeout((int) Clients.TIMEOUT.toMillis());
			return new ChatLineClient(socket);
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
	}

	String name() {
		return this.name;
	}

	/** The node name of the instance this client is connected to: what follows the name's {@code @}. */
	String node() {
		return this.name.substring(this.name.indexOf('@') + 1);
	}

	/** Joins a room and waits for the server's {@code OK joined}. */
	ChatLineClient join(String room) throws IOException {
		say("JOIN " + room);
		String reply = readLine();
		if (!("OK joined " + room).equals(reply)) {
			throw new IOException(this.name + " expected OK joined " + room + ", got " + reply);
		}
		return this;
	}

	/** Says one line (flushed at once). */
	void say(String line) throws IOException {
		this.out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
		this.out.flush();
	}

	/** Writes one line without flushing: for a publisher going as fast as it can. */
	void write(String line) throws IOException {
		this.out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
	}

	void flush() throws IOException {
		this.out.flush();
	}

	/**
	 * Starts a virtual thread that reads every line from now on into {@link #received()} until
	 * the connection ends.
	 */
	ChatLineClient startCollecting() {
		Thread.ofVirtual().name("chat-" + this.name).start(() -> {
			try {
				// Bounded by the connection: it ends when the test closes it or the server does.
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
					synchronized (this.received) {
						this.received.add(line);
					}
				}
			}
			catch (IOException ex) {
				// Closed by the test or reset by the server: nothing more arrives.
			}
			finally {
				this.ended = true;
			}
		});
		return this;
	}

	/** What the collecting thread has read, in arrival order. */
	List<String> received() {
		synchronized (this.received) {
			return List.copyOf(this.received);
		}
	}

	/** Forgets what was received so far: the next check starts afresh. */
	void clearReceived() {
		synchronized (this.received) {
			this.received.clear();
		}
	}

	int receivedCount() {
		synchronized (this.received) {
			return this.received.size();
		}
	}

	/** Whether the server ended the connection (end of stream or reset) while collecting. */
	boolean ended() {
		return this.ended;
	}

	/**
	 * Reads and discards until the server ends the connection, at most {@code timeout}; for a
	 * client that never read, to see whether the server cut it off.
	 * @return whether the connection ended (end of stream or reset) within the timeout
	 */
	boolean drainUntilClosed(Duration timeout) {
		return Clients.drainUntilClosed(this.socket, timeout).closed();
	}

	String readLine() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		// Bounded: the chat's lines are at most 4 KiB, and a line never ends only if the server
		// misbehaves, which the socket's read timeout then reports.
		while (line.size() < 1_000_000) {
			int b = this.in.read();
			if (b < 0) {
				return (line.size() > 0) ? decode(line) : null;
			}
			if (b == '\n') {
				return decode(line);
			}
			line.write(b);
		}
		throw new IOException("A line of over 1 MB from the server");
	}

	private static String decode(ByteArrayOutputStream line) {
		String text = line.toString(StandardCharsets.UTF_8);
		return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
	}

	@Override
	public void close() {
		Clients.closeQuietly(this.socket);
	}

}
