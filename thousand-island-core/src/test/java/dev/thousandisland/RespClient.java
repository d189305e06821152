package dev.thousandisland;

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
final class RespClient {

	private final ClientConnection connection;

	RespClient(ClientConnection connection) {
		this.connection = connection;
	}

	String command(Duration timeout, String... args) throws RequestFailedException, InterruptedException {
		return decode(this.connection.request(encode(args), timeout));
	}

	CompletableFuture<String> commandAsync(Duration timeout, String... args) {
		return this.connection.requestAsync(encode(args), timeout).thenApply(RespClient::decode);
	}

	static ByteBuffer encode(String... args) {
		StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
		for (String arg : args) {
			byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
			command.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
		}
		return ByteBuffer.wrap(command.toString().getBytes(StandardCharsets.UTF_8));
	}

	static String decode(ByteBuffer reply) {
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
