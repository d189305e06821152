package dev.thousandisland;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A real client of a {@link PubSubTestServer}: sends commands and reads what the server writes,
 * keeping the messages ({@code m ...} lines) that arrive while it waits for an acknowledgement.
 */
final class PubSubClient implements AutoCloseable {

	private final TestClient client;

	private final BufferedReader reader;

	private final Deque<String> messages = new ArrayDeque<>();

	private PubSubClient(TestClient client) throws IOException {
		this.client = client;
		this.reader = new BufferedReader(new InputStreamReader(client.socket().getInputStream(), StandardCharsets.UTF_8));
	}

	static PubSubClient connect(Server server) throws IOException {
		return new PubSubClient(TestClient.connect(server));
	}

	int localPort() {
		return this.client.socket().getLocalPort();
	}

	/** Sends a command and returns its acknowledgement, without the {@code +}. */
	String command(String command) throws IOException {
		this.client.send(command + "\n");
		while (true) {
			String line = readLine();
			if (line.startsWith("+")) {
				return line.substring(1);
			}
			this.messages.add(line);
		}
	}

	/** Sends a line without waiting for anything. */
	void send(String line) throws IOException {
		this.client.send(line + "\n");
	}

	/** Returns the next message received, without the {@code m }. */
	String nextMessage() throws IOException {
		String line = !this.messages.isEmpty() ? this.messages.poll() : readLine();
		if (!line.startsWith("m ")) {
			throw new AssertionError("expected a message, got '" + line + "'");
		}
		return line.substring(2);
	}

	List<String> nextMessages(int count) throws IOException {
		List<String> received = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			received.add(nextMessage());
		}
		return received;
	}

	boolean isClosedByServer(Duration timeout) throws IOException {
		this.client.socket().setSoTimeout((int) timeout.toMillis());
		try {
			String line;
			while ((line = this.reader.readLine()) != null) {
				this.messages.add(line);
			}
			return true;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			return true;
		}
	}

	/** The messages read so far and not yet taken. */
	List<String> pendingMessages() {
		return List.copyOf(this.messages);
	}

	private String readLine() throws IOException {
		String line = this.reader.readLine();
		if (line == null) {
			throw new IOException("the server closed the connection");
		}
		return line;
	}

	@Override
	public void close() throws IOException {
		this.client.close();
	}

}
