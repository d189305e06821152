package dev.thousandisland;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.client.FrameKind;
import dev.thousandisland.framing.Framing;

import static dev.thousandisland.ScriptedLineServer.line;
import static dev.thousandisland.ScriptedLineServer.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each {@link FrameKind} a handler's {@code classify} can return, against a scripted peer that
 * pushes lines between the replies of pipelined requests.
 */
class ClientClassifyTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Test
	void replyPushBothAndNeitherEachGoWhereTheHandlerSaid() throws Exception {
		List<String> pushed = new CopyOnWriteArrayList<>();
		List<Integer> awaiting = new CopyOnWriteArrayList<>();
		ClientHandler handler = new ClientHandler() {

			@Override
			public FrameKind classify(ByteBuffer frame, int awaitingReplies) {
				awaiting.add(awaitingReplies);
				String line = text(frame); // consumes the buffer: the client puts it back
				return switch (line) {
					case "ok" -> FrameKind.REPLY_AND_PUSH;
					case "p" -> FrameKind.PUSH;
					case "q" -> FrameKind.IGNORE;
					default -> FrameKind.REPLY;
				};
			}

			@Override
			public void handleFrame(ByteBuffer frame, ClientConnection client) {
				pushed.add(text(frame));
			}

		};
		Server server = ScriptedLineServer.start(0);
		ClientConnection client = ClientConnection.start(ClientConfig.builder(Framing.line())
			.tcp(InetAddress.getLoopbackAddress().getHostAddress(), server.port())
			.requestFraming(Framing.line())
			.handler(handler)
			.build());
		try {
			// The peer holds the three requests, then answers: a, ok, p, q, b. Holding them makes the
			// awaiting counts certain: all three are written before the first answer is read.
			List<CompletableFuture<ByteBuffer>> replies = List.of(client.requestAsync(line("batch a"), WAIT),
					client.requestAsync(line("batch ok p q"), WAIT), client.requestAsync(line("batch b"), WAIT));
			assertThat(replies.stream().map(CompletableFuture::join).map(ScriptedLineServer::text))
				.containsExactly("a", "ok", "b");
			assertThat(pushed).containsExactly("ok", "p");
			assertThat(awaiting).containsExactly(3, 2, 1, 1, 1);
		}
		finally {
			client.stop(Duration.ofSeconds(1));
			server.stop(Duration.ofSeconds(1));
		}
	}

}
