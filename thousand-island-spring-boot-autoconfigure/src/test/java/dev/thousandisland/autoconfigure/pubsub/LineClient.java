package dev.thousandisland.autoconfigure.pubsub;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * A blocking line client of {@link ChatLineHandler} on the loopback interface, whose reads give
 * up after a timeout so that a test never hangs.
 */
final class LineClient implements Closeable {

	private final Socket socket;

	private final BufferedReader reader;

	private final OutputStream out;

	private LineClient(Socket socket) throws IOException {
		this.socket = socket;
		this.reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
		this.out = socket.getOutputStream();
	}

	static LineClient connect(int port) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
		socket.setSoTimeout(10_000);
		return new LineClient(socket);
	}

	void send(String line) throws IOException {
		this.out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
		this.out.flush();
	}

	/** Subscribes and waits for the answer, so that the subscription exists when it returns. */
	void subscribe(String topic) throws IOException {
		send("SUB " + topic);
		String answer = readLine();
		if (!("OK SUB " + topic).equals(answer)) {
			throw new IOException("Expected the SUB answer, got " + answer);
		}
	}

	String readLine() throws IOException {
		String line = this.reader.readLine();
		if (line == null) {
			throw new IOException("The server closed the connection");
		}
		return line;
	}

	/**
	 * Reads a line if one arrives within the time given.
	 * @return the line, or {@code null} if none came
	 */
	@Nullable String pollLine(int millis) throws IOException {
		this.socket.setSoTimeout(millis);
		try {
			return this.reader.readLine();
		}
		catch (SocketTimeoutException ex) {
			return null;
		}
		finally {
			this.socket.setSoTimeout(10_000);
		}
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
