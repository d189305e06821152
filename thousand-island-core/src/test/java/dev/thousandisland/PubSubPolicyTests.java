package dev.thousandisland;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.pubsub.PubSub.SlowSubscriberPolicy;
import dev.thousandisland.telemetry.Telemetry;
import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A subscriber whose handler does not keep up: its mailbox fills, and the slow-subscriber policy
 * applies to it alone while the others get every message. The slow one is a real connection whose
 * thread is held inside a callback, on a server whose mailboxes hold {@link #CAPACITY} messages; the
 * others are on a server with room for every message (one PubSub serves every server of the JVM).
 */
class PubSubPolicyTests {

	private static final int CAPACITY = 4;

	private static final int MESSAGES = 100;

	private final TelemetryRecorder recorder = new TelemetryRecorder();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@AfterEach
	void closeEverything() throws Exception {
		for (AutoCloseable closeable : this.closeables.reversed()) {
			closeable.close();
		}
	}

	@Test
	void dropLosesTheMessagesASlowSubscriberHasNoRoomForAndKeepsItSubscribed() throws Exception {
		PubSub pubsub = pubsub(SlowSubscriberPolicy.DROP);
		List<PubSubClient> fast = subscribed(server(pubsub, MESSAGES), 3);
		PubSubTestServer server = server(pubsub, CAPACITY);
		PubSubClient slow = subscribed(server, 1).get(0);
		assertThat(slow.command("hold")).isEqualTo("hold");
		int delivered = broadcastAll(pubsub);
		assertThat(delivered).isEqualTo(3 * MESSAGES + CAPACITY);
		for (PubSubClient client : fast) {
			assertThat(client.nextMessages(MESSAGES)).isEqualTo(numbered(MESSAGES));
		}
		int dropped = MESSAGES - CAPACITY;
		assertThat(this.recorder.named(TelemetryEvent.PUBSUB_DROP)).hasSize(dropped).allSatisfy((event) -> {
			assertThat(event.metadata()).containsEntry("reason", "mailbox_full").containsEntry("topic", "room");
			assertThat(event.measurement("count")).isEqualTo(1);
		});
		assertThat(this.recorder.named(TelemetryEvent.PUBSUB_BROADCAST).stream()
			.mapToLong((event) -> event.measurement("dropped"))
			.sum()).isEqualTo(dropped);
		server.release();
		// What its mailbox held, then, still subscribed, the next broadcast.
		assertThat(slow.nextMessages(CAPACITY)).isEqualTo(numbered(CAPACITY));
		assertThat(pubsub.broadcast("room", "later")).isEqualTo(4);
		assertThat(slow.nextMessage()).isEqualTo("later");
	}

	@Test
	void closeEndsASlowSubscriberOnceAndUnsubscribesIt() throws Exception {
		PubSub pubsub = pubsub(SlowSubscriberPolicy.CLOSE);
		List<PubSubClient> fast = subscribed(server(pubsub, MESSAGES), 3);
		PubSubTestServer server = server(pubsub, CAPACITY);
		PubSubClient slow = subscribed(server, 1).get(0);
		Connection slowConnection = server.connectionOf(slow);
		assertThat(slow.command("hold")).isEqualTo("hold");
		int delivered = broadcastAll(pubsub);
		assertThat(delivered).isEqualTo(3 * MESSAGES + CAPACITY);
		for (PubSubClient client : fast) {
			assertThat(client.nextMessages(MESSAGES)).isEqualTo(numbered(MESSAGES));
		}
		// Closed at the first message it had no room for; later ones find it ending, not full.
		assertThat(this.recorder.named(TelemetryEvent.PUBSUB_DROP)).singleElement().satisfies((event) -> {
			assertThat(event.metadata()).containsEntry("reason", "closed_slow_subscriber");
			assertThat(event.measurement("count")).isEqualTo(1);
		});
		server.release();
		assertThat(slow.isClosedByServer(PubSubTestServer.WAIT)).isTrue();
		await().atMost(PubSubTestServer.WAIT).until(() -> slowConnection.state() == Connection.State.CLOSED);
		await().atMost(PubSubTestServer.WAIT).until(() -> pubsub.subscriberCount("room") == 3);
		assertThat(this.recorder.named(TelemetryEvent.PUBSUB_UNSUBSCRIBE)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("reason", "connection_end")
				.containsEntry("connection_id", slowConnection.id()));
		assertThat(pubsub.broadcast("room", "later")).isEqualTo(3);
	}

	@Test
	void aConnectionOfAnotherImplementationIsHeldToTheSamePolicyThroughTell() throws Exception {
		PubSub pubsub = pubsub(SlowSubscriberPolicy.DROP);
		PubSubTestServer server = server(pubsub, CAPACITY);
		PubSubClient client = server.connect();
		this.closeables.add(client);
		Connection wrapped = new ForwardingConnection(server.connectionOf(client));
		assertThat(pubsub.subscribe(wrapped, "room")).isTrue();
		assertThat(client.command("hold")).isEqualTo("hold");
		assertThat(broadcastAll(pubsub)).isEqualTo(CAPACITY);
		assertThat(this.recorder.named(TelemetryEvent.PUBSUB_DROP)).hasSize(MESSAGES - CAPACITY);
		server.release();
		assertThat(client.nextMessages(CAPACITY)).isEqualTo(numbered(CAPACITY));
		client.close();
		await().atMost(PubSubTestServer.WAIT).until(() -> pubsub.subscriberCount("room") == 0);
	}

	private int broadcastAll(PubSub pubsub) {
		int delivered = 0;
		for (String message : numbered(MESSAGES)) {
			delivered += pubsub.broadcast("room", message);
		}
		return delivered;
	}

	private PubSub pubsub(SlowSubscriberPolicy policy) {
		PubSub pubsub = PubSub.builder()
			.slowSubscriberPolicy(policy)
			.telemetry(new Telemetry(List.of(this.recorder), false))
			.build();
		this.closeables.add(pubsub);
		return pubsub;
	}

	private PubSubTestServer server(PubSub pubsub, int mailboxCapacity) throws Exception {
		PubSubTestServer server = PubSubTestServer.start(pubsub, mailboxCapacity, Duration.ofSeconds(30));
		this.closeables.add(server);
		return server;
	}

	private List<PubSubClient> subscribed(PubSubTestServer server, int count) throws Exception {
		List<PubSubClient> clients = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			PubSubClient client = server.connect();
			this.closeables.add(client);
			assertThat(client.command("sub room")).isEqualTo("sub true");
			clients.add(client);
		}
		return clients;
	}

	/** A connection that is not the server's own class: what a wrapper or a decorator would be. */
	private record ForwardingConnection(Connection delegate) implements Connection {

		@Override
		public long id() {
			return this.delegate.id();
		}

		@Override
		public java.net.SocketAddress remoteAddress() {
			return this.delegate.remoteAddress();
		}

		@Override
		public java.time.Instant acceptedAt() {
			return this.delegate.acceptedAt();
		}

		@Override
		public State state() {
			return this.delegate.state();
		}

		@Override
		public SocketStats stats() {
			return this.delegate.stats();
		}

		@Override
		public boolean tell(Object message) {
			return this.delegate.tell(message);
		}

		@Override
		public void close() {
			this.delegate.close();
		}

		@Override
		public EndWatch onEnd(Runnable action) {
			return this.delegate.onEnd(action);
		}

	}

	private static List<String> numbered(int count) {
		return IntStream.range(0, count).mapToObj((i) -> "m" + i).toList();
	}

}
