package dev.thousandisland;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.telemetry.Telemetry;
import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * {@link PubSub} on one instance: real connections subscribe, real clients read what their
 * connections receive.
 */
class PubSubTests {

	private static final Duration WAIT = PubSubTestServer.WAIT;

	private final TelemetryRecorder recorder = new TelemetryRecorder();

	private final PubSub pubsub = PubSub.builder().telemetry(new Telemetry(List.of(this.recorder), false)).build();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@AfterEach
	void closeEverything() throws Exception {
		for (AutoCloseable closeable : this.closeables.reversed()) {
			closeable.close();
		}
		this.pubsub.close();
	}

	@Test
	void aBroadcastReachesEverySubscribersSocketInOrder() throws Exception {
		PubSubTestServer server = server(1024);
		List<PubSubClient> clients = clients(server, 20);
		for (PubSubClient client : clients) {
			assertThat(client.command("sub room")).isEqualTo("sub true");
		}
		assertThat(this.pubsub.subscriberCount("room")).isEqualTo(20);
		assertThat(this.pubsub.topics()).containsExactly("room");
		List<Integer> delivered = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			delivered.add(this.pubsub.broadcast("room", "line " + i));
		}
		assertThat(delivered).containsOnly(20);
		List<String> expected = IntStream.range(0, 50).mapToObj((i) -> "line " + i).toList();
		for (PubSubClient client : clients) {
			assertThat(client.nextMessages(50)).isEqualTo(expected);
		}
	}

	@Test
	void eachSubscriberGetsEveryPublishersMessagesInThatPublishersOrder() throws Exception {
		int publishers = 4;
		int perPublisher = 300;
		PubSubTestServer server = server(publishers * perPublisher);
		List<PubSubClient> clients = clients(server, 8);
		for (PubSubClient client : clients) {
			client.command("sub room");
		}
		CountDownLatch start = new CountDownLatch(1);
		List<Thread> threads = new ArrayList<>();
		for (int p = 0; p < publishers; p++) {
			int publisher = p;
			threads.add(Thread.ofPlatform().start(() -> {
				try {
					start.await();
				}
				catch (InterruptedException ex) {
					return;
				}
				for (int i = 0; i < perPublisher; i++) {
					this.pubsub.broadcast("room", publisher + ":" + i);
				}
			}));
		}
		start.countDown();
		for (Thread thread : threads) {
			thread.join(WAIT.toMillis());
		}
		for (PubSubClient client : clients) {
			List<String> received = client.nextMessages(publishers * perPublisher);
			for (int p = 0; p < publishers; p++) {
				String prefix = p + ":";
				List<String> own = received.stream().filter((message) -> message.startsWith(prefix)).toList();
				assertThat(own).as("publisher %d's messages", p)
					.isEqualTo(IntStream.range(0, perPublisher).mapToObj((i) -> prefix + i).toList());
			}
		}
	}

	@Test
	void broadcastFromReachesEveryoneButTheSender() throws Exception {
		PubSubTestServer server = server(64);
		List<PubSubClient> clients = clients(server, 3);
		for (PubSubClient client : clients) {
			client.command("sub room");
		}
		assertThat(clients.get(0).command("pub room hello")).isEqualTo("pub 2");
		assertThat(clients.get(1).nextMessage()).isEqualTo("hello");
		assertThat(clients.get(2).nextMessage()).isEqualTo("hello");
		assertThat(clients.get(0).command("lpub room again")).isEqualTo("lpub 2");
		this.pubsub.broadcast("room", "after");
		assertThat(clients.get(0).nextMessage()).as("the sender's next message").isEqualTo("after");
		assertThat(clients.get(1).nextMessages(2)).containsExactly("again", "after");
	}

	@Test
	void subscribingTwiceIsOneSubscriptionAndUnsubscribingStopsDelivery() throws Exception {
		PubSubTestServer server = server(64);
		PubSubClient client = client(server);
		assertThat(client.command("sub a")).isEqualTo("sub true");
		assertThat(client.command("sub a")).isEqualTo("sub false");
		assertThat(client.command("sub b")).isEqualTo("sub true");
		Connection connection = server.connectionOf(client);
		assertThat(this.pubsub.topics(connection)).containsExactlyInAnyOrder("a", "b");
		assertThat(this.pubsub.broadcast("a", "one")).isEqualTo(1);
		assertThat(client.command("unsub a")).isEqualTo("unsub true");
		assertThat(client.command("unsub a")).isEqualTo("unsub false");
		assertThat(this.pubsub.broadcast("a", "two")).isZero();
		assertThat(this.pubsub.broadcast("b", "three")).isEqualTo(1);
		assertThat(client.nextMessages(2)).containsExactly("one", "three");
		assertThat(this.pubsub.topics(connection)).containsExactly("b");
		assertThat(this.pubsub.topics()).containsExactly("b");
		assertThat(this.recorder.named(TelemetryEvent.PUBSUB_SUBSCRIBE)).hasSize(2);
		assertThat(this.recorder.named(TelemetryEvent.PUBSUB_UNSUBSCRIBE)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("topic", "a")
				.containsEntry("reason", "unsubscribe")
				.containsEntry("connection_id", connection.id()));
	}

	@ParameterizedTest
	@ValueSource(strings = { "peer_closed", "local_closed", "error", "exception", "closed", "read_timeout",
			"shutdown" })
	void aConnectionIsUnsubscribedFromEveryTopicWhenItEndsWhateverEndsIt(String ending) throws Exception {
		PubSubTestServer server = ending.equals("read_timeout") ? server(64, Duration.ofMillis(300)) : server(64);
		PubSubClient staying = client(server);
		staying.command("sub a");
		PubSubClient leaving = client(server);
		leaving.command("sub a");
		leaving.command("sub b");
		Connection connection = server.connectionOf(leaving);
		switch (ending) {
			case "peer_closed" -> leaving.close();
			case "local_closed" -> leaving.send("close");
			case "error" -> leaving.send("error");
			case "exception" -> leaving.send("throw");
			case "closed" -> connection.close();
			case "read_timeout" -> {
				// Both idle: both time out, which is this ending for each.
			}
			case "shutdown" -> server.server().stop(Duration.ofSeconds(2));
			default -> throw new IllegalArgumentException(ending);
		}
		await().atMost(WAIT).until(() -> connection.state() == Connection.State.CLOSED);
		await().atMost(WAIT).until(() -> this.pubsub.topics(connection).isEmpty());
		assertThat(this.pubsub.subscriberCount("b")).isZero();
		boolean stayingEnded = ending.equals("read_timeout") || ending.equals("shutdown");
		await().atMost(WAIT).until(() -> this.pubsub.subscriberCount("a") == (stayingEnded ? 0 : 1));
		assertThat(this.recorder.named(TelemetryEvent.PUBSUB_UNSUBSCRIBE))
			.filteredOn((event) -> event.metadata().get("connection_id").equals(connection.id()))
			.extracting((event) -> event.metadata().get("topic") + "/" + event.metadata().get("reason"))
			.containsExactlyInAnyOrder("a/connection_end", "b/connection_end");
	}

	@Test
	void anEndedConnectionIsNeverSubscribed() throws Exception {
		PubSubTestServer server = server(64);
		PubSubClient client = client(server);
		client.command("sub a");
		Connection connection = server.connectionOf(client);
		client.close();
		await().atMost(WAIT).until(() -> connection.state() == Connection.State.CLOSED);
		assertThat(this.pubsub.subscribe(connection, "b")).isFalse();
		assertThat(this.pubsub.topics(connection)).isEmpty();
		assertThat(this.pubsub.topics()).isEmpty();
	}

	@Test
	void aConnectionThatLeftItsLastTopicIsForgottenAndItsEndChangesNothing() throws Exception {
		PubSubTestServer server = server(64);
		PubSubClient client = client(server);
		client.command("sub a");
		Connection connection = server.connectionOf(client);
		client.command("unsub a");
		client.close();
		await().atMost(WAIT).until(() -> connection.state() == Connection.State.CLOSED);
		assertThat(this.recorder.named(TelemetryEvent.PUBSUB_UNSUBSCRIBE)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("reason", "unsubscribe"));
	}

	@Test
	void invalidTopicsAndMessagesAreRefusedWithTheReason() throws Exception {
		PubSubTestServer server = server(64);
		PubSubClient client = client(server);
		client.command("sub a");
		Connection connection = server.connectionOf(client);
		String tooLong = "t".repeat(PubSub.MAX_TOPIC_LENGTH + 1);
		assertThatIllegalArgumentException().isThrownBy(() -> this.pubsub.subscribe(connection, null))
			.withMessageContaining("topic must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> this.pubsub.subscribe(connection, ""))
			.withMessageContaining("topic must not be empty");
		assertThatIllegalArgumentException().isThrownBy(() -> this.pubsub.subscribe(connection, tooLong))
			.withMessageContaining("MAX_TOPIC_LENGTH (1024)")
			.withMessageContaining("1025");
		assertThatIllegalArgumentException().isThrownBy(() -> this.pubsub.broadcast(tooLong, "x"))
			.withMessageContaining("MAX_TOPIC_LENGTH");
		assertThatIllegalArgumentException().isThrownBy(() -> this.pubsub.localBroadcast(null, "x"))
			.withMessageContaining("topic must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> this.pubsub.broadcast("a", null))
			.withMessageContaining("message must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> this.pubsub.subscribe(null, "a"))
			.withMessageContaining("connection must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> this.pubsub.broadcastFrom(null, "a", "x"))
			.withMessageContaining("sender must not be null");
		assertThat(this.pubsub.subscribe(connection, "t".repeat(PubSub.MAX_TOPIC_LENGTH))).isTrue();
		assertThat(this.pubsub.topics(connection)).containsExactlyInAnyOrder("a", "t".repeat(PubSub.MAX_TOPIC_LENGTH));
	}

	@Test
	void aBroadcastToATopicWithoutSubscribersAllocatesNothing() {
		PubSub quiet = PubSub.builder().build();
		try {
			// Warm up first, so the measured calls run compiled code as a busy server's would.
			for (int i = 0; i < 50_000; i++) {
				quiet.broadcast("nobody", "message");
			}
			long before = ThreadAllocations.current();
			int delivered = 0;
			for (int i = 0; i < 100_000; i++) {
				delivered += quiet.broadcast("nobody", "message");
			}
			long allocated = ThreadAllocations.current() - before;
			assertThat(delivered).isZero();
			// One object per call would be 1.6 MB: what is left is the counter's own noise.
			assertThat(allocated).as("bytes allocated by 100,000 broadcasts to an empty topic").isLessThan(10_000);
		}
		finally {
			quiet.close();
		}
	}

	@Test
	void telemetryHasTheSpanAndABroadcastEventWithItsCounts() throws Exception {
		PubSubTestServer server = server(64);
		List<PubSubClient> clients = clients(server, 2);
		for (PubSubClient client : clients) {
			client.command("sub room");
		}
		this.pubsub.broadcast("room", "x");
		this.pubsub.localBroadcast("empty", "y");
		assertThat(this.recorder.named(TelemetryEvent.PUBSUB_START)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("name", "pubsub")
				.containsEntry("node", this.pubsub.nodeName())
				.containsEntry("adapter", "local"));
		List<TelemetryEvent> broadcasts = this.recorder.named(TelemetryEvent.PUBSUB_BROADCAST);
		assertThat(broadcasts).hasSize(2);
		assertThat(broadcasts.get(0).measurements())
			.isEqualTo(Map.of("subscribers", 2, "delivered", 2, "dropped", 0, "published", 0));
		assertThat(broadcasts.get(0).metadata()).isEqualTo(Map.of("topic", "room", "scope", "cluster"));
		assertThat(broadcasts.get(1).measurements())
			.isEqualTo(Map.of("subscribers", 0, "delivered", 0, "dropped", 0, "published", 0));
		assertThat(broadcasts.get(1).metadata()).isEqualTo(Map.of("topic", "empty", "scope", "local"));
		this.pubsub.close();
		assertThat(this.recorder.count(TelemetryEvent.PUBSUB_STOP)).isEqualTo(1);
		this.pubsub.close();
		assertThat(this.recorder.count(TelemetryEvent.PUBSUB_STOP)).isEqualTo(1);
		assertThat(this.pubsub.broadcast("room", "local delivery goes on after close")).isEqualTo(2);
	}

	private PubSubTestServer server(int mailboxCapacity) throws Exception {
		return server(mailboxCapacity, null);
	}

	private PubSubTestServer server(int mailboxCapacity, Duration readTimeout) throws Exception {
		PubSubTestServer server = PubSubTestServer.start(this.pubsub, mailboxCapacity, readTimeout);
		this.closeables.add(server);
		return server;
	}

	private PubSubClient client(PubSubTestServer server) throws Exception {
		PubSubClient client = server.connect();
		this.closeables.add(client);
		return client;
	}

	private List<PubSubClient> clients(PubSubTestServer server, int count) throws Exception {
		List<PubSubClient> clients = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			clients.add(client(server));
		}
		return clients;
	}

}
