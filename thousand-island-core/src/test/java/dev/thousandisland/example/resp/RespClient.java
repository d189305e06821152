package dev.thousandisland.example.resp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.RequestFailedException;

/**
 * A small Redis client built on {@link ClientConnection}, the example of docs/client.md: commands
 * are encoded as RESP arrays of bulk strings, replies cut by {@link RespFraming} and decoded into
 * a string ({@code null} for a nil bulk string; an error reply becomes an exception).
 */
public final class RespClient {

	private final ClientConnection connection;

	/**
	 * Creates a client over a connection whose reply framing is {@link RespFraming}.
	 * @param connection the connection
	 */
	public RespClient(ClientConnection connection) {
		this.connection = connection;
	}

	/**
	 * Sends a command and waits for its reply.
	 * @param timeout the longest wait
	 * @param args the command and its arguments
	 * @return the decoded reply
	 * @throws RequestFailedException if there is no reply, and why
	 * @throws InterruptedException if interrupted while waiting
	 */
	public String command(Duration timeout, String... args) throws RequestFailedException, InterruptedException {
		return decode(this.connection.request(encode(args), timeout));
	}

	/**
	 * Sends a command without waiting.
	 * @param timeout the longest wait
	 * @param args the command and its arguments
	 * @return the decoded reply's future
	 */
	public CompletableFuture<String> commandAsync(Duration timeout, String... args) {
		return this.connection.requestAsync(encode(args), timeout).thenApply(RespClient::decode);
	}

	/**
	 * Encodes a command as a RESP array of bulk strings.
	 * @param args the command and its arguments
	 * @return the request's bytes
	 */
	public static ByteBuffer encode(String... args) {
		StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
		for (String arg : args) {
			byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
			command.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
		}
		return ByteBuffer.wrap(command.toString().getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Decodes a reply cut by {@link RespFraming}: simple strings, integers and bulk strings become
	 * their text ({@code null} for a nil bulk string), an error reply an exception, an array its
	 * raw text.
	 * @param reply the reply's bytes
	 * @return the text
	 * @throws IllegalStateException for an error reply
	 */
	public static String decode(ByteBuffer reply) {
		String text = StandardCharsets.UTF_8.decode(reply).toString();
		String first = text.substring(1, text.indexOf("\r\n"));
		return switch (text.charAt(0)) {
			case '+', ':' -> first;
			case '-' -> throw new IllegalStateException("Redis error: " + first);
			case '$' -> first.equals("-1") ? null : text.substring(text.indexOf("\r\n") + 2, text.length() - 2);
			default -> text;
		};
	}

}
