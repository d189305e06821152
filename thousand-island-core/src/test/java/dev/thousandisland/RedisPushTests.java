package dev.thousandisland;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.client.FrameKind;
import dev.thousandisland.example.resp.RespClient;
import dev.thousandisland.example.resp.RespFraming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pushes and replies on one connection, against a real redis-server: a RESP2 connection
 * subscribed to two channels keeps making requests ({@code PING id}, which Redis answers in
 * subscribed mode with the array {@code ["pong", id]}) while another connection publishes. The
 * handler's {@link ClientHandler#classify} tells the published messages ({@code ["message", ...]})
 * and the extra confirmations of a multi-channel {@code SUBSCRIBE} from replies.
 */
class RedisPushTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path directory;

	private RedisServerProcess redis;

	private final List<ClientConnection> clients = new ArrayList<>();

	@BeforeEach
	void startRedis() throws Exception {
		this.redis = RedisServerProcess.start(this.directory);
	}

	@AfterEach
	void stopAll() throws Exception {
		for (ClientConnection client : this.clients) {
			client.stop(Duration.ofSeconds(2));
		}
		this.redis.close();
	}

	@Test
	void publishedMessagesNeverAnswerRequestsAndAllReachTheHandlerInOrder() throws Exception {
		SubscribingHandler handler = new SubscribingHandler();
		ClientConnection subscriber = client("subscriber", handler);
		await().atMost(WAIT).until(() -> handler.confirmations.size() == 2);
		RespClient publisher = new RespClient(client("publisher", ClientHandler.NONE));
		List<CompletableFuture<String>> pings = new ArrayList<>();
		List<CompletableFuture<String>> publishes = new ArrayList<>();
		RespClient pinger = new RespClient(subscriber);
		for (int i = 0; i < 300; i++) {
			publishes.add(publisher.commandAsync(WAIT, "PUBLISH", (i % 2 == 0) ? "news" : "sports", "m-" + i));
			pings.add(pinger.commandAsync(WAIT, "PING", "p-" + i));
		}
		CompletableFuture.allOf(publishes.toArray(CompletableFuture[]::new)).join();
		List<String> misrouted = new ArrayList<>();
		for (int i = 0; i < pings.size(); i++) {
			List<String> reply = elements(pings.get(i).join());
			if (!reply.equals(List.of("pong", "p-" + i))) {
				misrouted.add("PING p-" + i + " got " + reply);
			}
		}
		assertThat(misrouted).isEmpty();
		await().atMost(WAIT).until(() -> handler.messages.size() >= 300);
		assertThat(handler.messages).containsExactlyElementsOf(IntStream.range(0, 300).mapToObj(i -> "m-" + i).toList());
		assertThat(handler.others).isEmpty();
	}

	@Test
	void handleConnectionRestoresTheSubscriptionsAfterRedisIsKilledAndRestarted() throws Exception {
		SubscribingHandler handler = new SubscribingHandler();
		client("subscriber", handler);
		await().atMost(WAIT).until(() -> handler.confirmations.size() == 2);
		this.redis.kill();
		this.redis.start();
		await().atMost(WAIT).until(() -> handler.kinds.contains(ConnectKind.RECONNECT) && handler.confirmations.size() == 4);
		RespClient publisher = new RespClient(client("publisher", ClientHandler.NONE));
		assertThat(publisher.command(WAIT, "PUBLISH", "sports", "after-restart")).isEqualTo("1");
		await().atMost(WAIT).until(() -> handler.messages.contains("after-restart"));
		assertThat(handler.confirmations).containsExactly("subscribe news", "subscribe sports", "subscribe news",
				"subscribe sports");
		assertThat(handler.others).isEmpty();
	}

	private ClientConnection client(String name, ClientHandler handler) {
		ClientConnection client = ClientConnection.start(ClientConfig.builder(new RespFraming())
			.name(name)
			.tcp("127.0.0.1", this.redis.port())
			.backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2.0, 0.2, 0))
			.handler(handler)
			.build());
		this.clients.add(client);
		return client;
	}

	/** The elements of a flat RESP2 array of bulk strings and integers, as text. */
	static List<String> elements(String array) {
		String[] lines = array.split("\r\n");
		List<String> elements = new ArrayList<>();
		for (int i = 1; i < lines.length; i++) {
			if (lines[i].startsWith("$")) {
				elements.add(lines[++i]);
			}
			else {
				elements.add(lines[i].substring(1));
			}
		}
		return elements;
	}

	/**
	 * Subscribes in {@code handleConnection}, first connect and every reconnect alike (a new
	 * connection starts with no subscriptions), and sorts what Redis sends.
	 */
	static final class SubscribingHandler implements ClientHandler {

		final List<ConnectKind> kinds = new CopyOnWriteArrayList<>();

		final List<String> messages = new CopyOnWriteArrayList<>();

		final List<String> confirmations = new CopyOnWriteArrayList<>();

		final List<String> others = new CopyOnWriteArrayList<>();

		/** Per SUBSCRIBE sent, how many of its confirmations are still to come (client thread only). */
		private final ArrayDeque<int[]> expected = new ArrayDeque<>();

		@Override
		public void handleConnection(ClientConnection client, ConnectKind kind) {
			this.kinds.add(kind);
			this.expected.clear();
			this.expected.add(new int[] { 2, 0 });
			client.requestAsync(RespClient.encode("SUBSCRIBE", "news", "sports"), WAIT);
		}

		/** A message is a push; of a SUBSCRIBE's confirmations, the first is its reply, the rest pushes. */
		@Override
		public FrameKind classify(ByteBuffer frame, int awaitingReplies) {
			List<String> elements = elements(StandardCharsets.UTF_8.decode(frame).toString());
			String kind = elements.isEmpty() ? "" : elements.get(0);
			if (kind.equals("message")) {
				return FrameKind.PUSH;
			}
			if (kind.equals("subscribe")) {
				this.confirmations.add("subscribe " + elements.get(1));
				int[] command = this.expected.peek();
				if (command == null) {
					return FrameKind.PUSH;
				}
				boolean first = command[1]++ == 0;
				if (command[1] == command[0]) {
					this.expected.poll();
				}
				return first ? FrameKind.REPLY : FrameKind.PUSH;
			}
			return FrameKind.REPLY;
		}

		@Override
		public void handleFrame(ByteBuffer frame, ClientConnection client) {
			List<String> elements = elements(StandardCharsets.UTF_8.decode(frame).toString());
			if (elements.get(0).equals("message")) {
				this.messages.add(elements.get(2));
			}
			else if (!elements.get(0).equals("subscribe")) {
				this.others.add(elements.toString());
			}
		}

	}

}
