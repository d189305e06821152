package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.FramedSocket;
import dev.thousandisland.framing.Framing;

/**
 * A line server whose answers the client tests script by the request: {@code echo X} answers
 * {@code X}; {@code ignore} never answers; {@code twice X} answers {@code X} twice; {@code garbage}
 * answers 200 bytes with no line end; {@code half} answers part of a line and closes; {@code slow X}
 * answers {@code X} after 300 ms; {@code batch X Y ...} is held until three are held, then every
 * word of the three is answered as a line of its own, in order (so the client has written all three
 * before any answer arrives); {@code sni} answers the host name the client sent with SNI;
 * {@code push X Y} answers {@code ok}, then pushes {@code X} and {@code Y} as lines of their own;
 * {@code ping} answers {@code pong}; {@code mute} answers {@code muted}, then that connection
 * answers nothing more and stays open (a peer gone silent without a FIN).
 */
final class ScriptedLineServer implements FramedHandler<List<String>> {

	/** Held by a connection that was told {@code mute}; no line can equal it (lines have no NUL). */
	private static final String MUTED = "\u0000muted";

	static Server start(int port) throws IOException {
		return ServerConfig.builder(Framing.line().handler(new ScriptedLineServer()))
			.port(port)
			.bindAddress(InetAddress.getLoopbackAddress())
			.start();
	}

	static Handler<?> handler() {
		return Framing.line().handler(new ScriptedLineServer());
	}

	@Override
	public List<String> initialState() {
		return new ArrayList<>();
	}

	@Override
	public Result<List<String>> handleFrame(ByteBuffer frame, FramedSocket socket, List<String> held)
			throws Exception {
		if (held.contains(MUTED)) {
			return Result.continueWith(held, ServerConfig.NO_TIMEOUT);
		}
		String line = StandardCharsets.UTF_8.decode(frame).toString();
		String command = line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line;
		String argument = line.contains(" ") ? line.substring(line.indexOf(' ') + 1) : "";
		switch (command) {
			case "echo" -> socket.sendLine(argument);
			case "ping" -> socket.sendLine("pong");
			case "mute" -> {
				socket.sendLine("muted");
				held.add(MUTED);
			}
			case "sni" -> socket.sendLine(socket.serverName().orElse("none"));
			case "twice" -> socket.send(ascii(argument + "\n" + argument + "\n"));
			case "push" -> socket.send(ascii("ok\n" + String.join("\n", argument.split(" ")) + "\n"));
			case "garbage" -> socket.send(ascii("g".repeat(200)));
			case "half" -> {
				socket.send(ascii("hal"));
				return Result.close(held);
			}
			case "slow" -> {
				Thread.sleep(Duration.ofMillis(300));
				socket.sendLine(argument);
			}
			case "batch" -> {
				held.add(argument);
				if (held.size() == 3) {
					socket.send(ascii(String.join("\n", held).replace(' ', '\n') + "\n"));
					held.clear();
				}
			}
			default -> {
				// "ignore" and anything unknown: no answer.
			}
		}
		return Result.continueWith(held, ServerConfig.NO_TIMEOUT);
	}

	private static ByteBuffer ascii(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
	}

	static ByteBuffer line(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	static String text(ByteBuffer buffer) {
		return StandardCharsets.UTF_8.decode(buffer).toString();
	}

	static List<String> texts(List<ByteBuffer> buffers) {
		return buffers.stream().map(ScriptedLineServer::text).toList();
	}

}
