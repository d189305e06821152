package dev.thousandisland;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.IntStream;

import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.pubsub.PubSubCodec;
import dev.thousandisland.pubsub.PubSubCodecException;
import dev.thousandisland.telemetry.Telemetry;
import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Two {@link PubSub} instances in one JVM, each with its own real server and clients, joined by an
 * {@link InMemoryPubSubBus} adapter that echoes every node's messages back to it, as Redis does.
 */
class PubSubAdapterTests {

	private final InMemoryPubSubBus bus = new InMemoryPubSubBus();

	private final InMemoryPubSubBus.Node nodeA = this.bus.node("a");

	private final InMemoryPubSubBus.Node nodeB = this.bus.node("b");

	private final TelemetryRecorder telemetryA = new TelemetryRecorder();

	private final TelemetryRecorder telemetryB = new TelemetryRecorder();

	private final PubSub pubsubA = PubSub.builder()
		.nodeName("a")
		.adapter(this.nodeA)
		.telemetry(new Telemetry(List.of(this.telemetryA), false))
		.build();

	private final PubSub pubsubB = PubSub.builder()
		.nodeName("b")
		.adapter(this.nodeB)
		.telemetry(new Telemetry(List.of(this.telemetryB), false))
		.build();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@AfterEach
	void closeEverything() throws Exception {
		for (AutoCloseable closeable : this.closeables.reversed()) {
			closeable.close();
		}
		this.pubsubA.close();
		this.pubsubB.close();
		this.bus.close();
	}

	@Test
	void aBroadcastReachesTheSubscribersOfEveryInstanceExactlyOnce() throws Exception {
		PubSubTestServer serverA = server(this.pubsubA);
		PubSubTestServer serverB = server(this.pubsubB);
		List<PubSubClient> onA = List.of(subscribed(serverA, "room"), subscribed(serverA, "room"));
		List<PubSubClient> onB = List.of(subscribed(serverB, "room"), subscribed(serverB, "room"));
		for (int i = 0; i < 20; i++) {
			assertThat(this.pubsubA.broadcast("room", "a" + i)).isEqualTo(2);
			assertThat(this.pubsubB.broadcast("room", "b" + i)).isEqualTo(2);
		}
		for (PubSubClient client : concat(onA, onB)) {
			List<String> received = client.nextMessages(40);
			assertThat(received).filteredOn((message) -> message.startsWith("a")).isEqualTo(numbered("a", 20));
			assertThat(received).filteredOn((message) -> message.startsWith("b")).isEqualTo(numbered("b", 20));
		}
		assertNothingMoreArrives(onA, onB);
		assertThat(this.nodeA.published).hasValue(20);
		// Each instance delivered the other's 20 broadcasts, and none of its own echoed back.
		assertThat(this.telemetryA.named(TelemetryEvent.PUBSUB_DELIVER)).hasSize(20)
			.allSatisfy((event) -> assertThat(event.measurement("delivered")).isEqualTo(2));
		assertThat(this.telemetryB.named(TelemetryEvent.PUBSUB_DELIVER)).hasSize(20);
		assertThat(this.telemetryA.named(TelemetryEvent.PUBSUB_BROADCAST))
			.filteredOn((event) -> event.metadata().get("scope").equals("cluster"))
			.hasSize(20)
			.allSatisfy((event) -> assertThat(event.measurement("published")).isEqualTo(1));
	}

	@Test
	void broadcastFromLeavesOutTheSenderOnlyAndLocalBroadcastStaysOnItsInstance() throws Exception {
		PubSubTestServer serverA = server(this.pubsubA);
		PubSubTestServer serverB = server(this.pubsubB);
		PubSubClient sender = subscribed(serverA, "room");
		PubSubClient neighbour = subscribed(serverA, "room");
		PubSubClient remote = subscribed(serverB, "room");
		assertThat(sender.command("pub room hello")).isEqualTo("pub 1");
		assertThat(neighbour.nextMessage()).isEqualTo("hello");
		assertThat(remote.nextMessage()).isEqualTo("hello");
		assertThat(sender.command("lpub room only here")).isEqualTo("lpub 1");
		assertThat(neighbour.nextMessage()).isEqualTo("only here");
		assertThat(this.pubsubA.localBroadcast("room", "here too")).isEqualTo(2);
		assertThat(sender.nextMessage()).isEqualTo("here too");
		assertThat(neighbour.nextMessage()).isEqualTo("here too");
		assertThat(this.nodeA.published).hasValue(1);
		assertNothingMoreArrives(List.of(sender, neighbour), List.of(remote));
	}

	@Test
	void theAdapterIsInterestedInATopicExactlyWhileItHasLocalSubscribers() throws Exception {
		PubSubTestServer server = server(this.pubsubA);
		PubSubClient first = subscribed(server, "room");
		assertThat(this.nodeA.interestCalls).containsExactly("+room");
		PubSubClient second = subscribed(server, "room");
		first.command("unsub room");
		assertThat(this.nodeA.interestCalls).containsExactly("+room");
		Connection secondConnection = server.connectionOf(second);
		second.close();
		org.awaitility.Awaitility.await()
			.atMost(PubSubTestServer.WAIT)
			.until(() -> this.nodeA.interestCalls.size() == 2);
		assertThat(secondConnection.state()).isEqualTo(Connection.State.CLOSED);
		assertThat(this.nodeA.interestCalls).containsExactly("+room", "-room");
		first.command("sub room");
		first.command("sub other");
		assertThat(this.nodeA.interestCalls).containsExactly("+room", "-room", "+room", "+other");
		assertThat(this.nodeA.pubsubName()).isEqualTo("pubsub");
		assertThat(this.pubsubA.adapter()).isSameAs(this.nodeA);
	}

	@Test
	void aMessageTheCodecCannotEncodeFailsTheCallAndReachesNoOne() throws Exception {
		PubSubTestServer serverA = server(this.pubsubA);
		PubSubTestServer serverB = server(this.pubsubB);
		PubSubClient local = subscribed(serverA, "room");
		PubSubClient remote = subscribed(serverB, "room");
		assertThatExceptionOfType(PubSubCodecException.class).isThrownBy(() -> this.pubsubA.broadcast("room", 42))
			.withMessageContaining("java.lang.Integer")
			.withMessageContaining("PubSubCodec");
		assertThatExceptionOfType(PubSubCodecException.class)
			.isThrownBy(() -> this.pubsubA.broadcastFrom(serverA.connectionOf(local), "room", List.of()));
		assertThat(this.nodeA.published).hasValue(0);
		// Local only, the message needs no codec.
		assertThat(this.pubsubA.localBroadcast("room", 42)).isEqualTo(1);
		assertThat(local.nextMessage()).isEqualTo("42");
		assertNothingMoreArrives(List.of(local), List.of(remote));
		assertThat(this.telemetryA.named(TelemetryEvent.PUBSUB_BROADCAST))
			.extracting((event) -> event.metadata().get("scope"))
			.as("no cluster broadcast happened")
			.containsOnly("local");
	}

	@Test
	void aCodecThatThrowsSomethingElseIsReportedAsACodecFailure() {
		InMemoryPubSubBus.Node node = this.bus.node("c");
		PubSubCodec broken = new PubSubCodec() {

			@Override
			public byte[] encode(Object message) {
				throw new UnsupportedOperationException("not today");
			}

			@Override
			public Object decode(byte[] bytes) {
				return bytes;
			}

		};
		try (PubSub pubsub = PubSub.builder().adapter(node).codec(broken).build()) {
			assertThatExceptionOfType(PubSubCodecException.class).isThrownBy(() -> pubsub.broadcast("room", "x"))
				.withMessageContaining("not today")
				.withCauseInstanceOf(UnsupportedOperationException.class);
		}
	}

	@Test
	void anUndecodableMessageIsDroppedCountedAndLoggedWithoutAStackTrace() throws Exception {
		PubSubTestServer serverA = server(this.pubsubA);
		PubSubClient client = subscribed(serverA, "room");
		try (PubSubLogRecords log = PubSubLogRecords.capture()) {
			this.bus.inject("room", "not an envelope".getBytes(StandardCharsets.UTF_8));
			this.bus.inject("room", new byte[] { 1, 1, 'x', 'q', 'z' });
			this.bus.inject("room", new byte[] { 1, 9, 'x' });
			this.pubsubB.broadcast("room", "fine");
			assertThat(client.nextMessage()).isEqualTo("fine");
			List<TelemetryEvent> drops = this.telemetryA.named(TelemetryEvent.PUBSUB_DROP);
			assertThat(drops).hasSize(3).allSatisfy((event) -> {
				assertThat(event.metadata()).containsEntry("reason", "decode_failed").containsEntry("topic", "room");
				assertThat(event.measurement("count")).isEqualTo(1);
			});
			assertThat(log.records()).hasSize(1).allSatisfy((record) -> {
				assertThat(record.getLevel()).isEqualTo(Level.WARNING);
				assertThat(record.getThrown()).isNull();
				assertThat(record.getMessage()).contains("could not be decoded").contains("'room'");
			});
		}
	}

	@Test
	void aTransportFailureIsLoggedOnceAndItsRecoverySaysWhatWasLost() {
		try (PubSubLogRecords log = PubSubLogRecords.capture()) {
			this.nodeA.inbound().lost("room", 1, "queue_full");
			this.nodeA.inbound().transportStatus(new java.io.IOException("Connection refused"));
			this.nodeA.inbound().transportStatus(new java.io.IOException("Connection refused"));
			this.nodeA.inbound().lost("room", 3, "disconnected");
			this.nodeA.inbound().lost(null, 2, "disconnected");
			this.nodeA.inbound().transportStatus(null);
			this.nodeA.inbound().transportStatus(null);
			assertThat(this.telemetryA.named(TelemetryEvent.PUBSUB_ADAPTER_DOWN)).singleElement()
				.satisfies((event) -> assertThat(event.metadata().get("error").toString()).contains("Connection refused"));
			assertThat(this.telemetryA.named(TelemetryEvent.PUBSUB_ADAPTER_UP)).singleElement()
				.satisfies((event) -> assertThat(event.measurement("lost")).isEqualTo(5));
			assertThat(this.telemetryA.named(TelemetryEvent.PUBSUB_DROP)).extracting(
					(event) -> event.metadata().get("reason") + "/" + event.metadata().get("topic") + "/"
							+ event.measurement("count"))
				.containsExactly("queue_full/room/1", "disconnected/room/3", "disconnected/null/2");
			assertThat(log.records()).extracting(LogRecord::getLevel).containsExactly(Level.WARNING, Level.INFO);
			assertThat(log.records()).allSatisfy((record) -> assertThat(record.getThrown()).isNull());
			assertThat(log.records().get(1).getMessage()).contains("5 message(s)");
		}
	}

	@Test
	void closeStopsTheAdapterAndIgnoresItFromThenOnWhileLocalDeliveryGoesOn() throws Exception {
		PubSubTestServer serverA = server(this.pubsubA);
		PubSubTestServer serverB = server(this.pubsubB);
		PubSubClient local = subscribed(serverA, "room");
		subscribed(serverB, "room");
		this.pubsubA.close();
		this.pubsubA.close();
		assertThat(this.nodeA.stops).hasValue(1);
		assertThat(this.telemetryA.count(TelemetryEvent.PUBSUB_STOP)).isEqualTo(1);
		this.pubsubB.broadcast("room", "from b");
		this.nodeA.drain();
		assertThat(this.pubsubA.broadcast("room", "from a")).isEqualTo(1);
		assertThat(local.nextMessage()).isEqualTo("from a");
		assertThat(this.nodeA.published).hasValue(0);
		local.command("sub other");
		assertThat(this.nodeA.interestCalls).containsExactly("+room");
		this.nodeA.inbound().transportStatus(new IllegalStateException("late"));
		this.nodeA.inbound().lost("room", 1, "stopped");
		assertThat(this.telemetryA.named(TelemetryEvent.PUBSUB_ADAPTER_DOWN)).isEmpty();
		assertThat(this.telemetryA.named(TelemetryEvent.PUBSUB_DROP)).isEmpty();
	}

	/**
	 * Waits until both nodes received everything sent so far, then sends a marker on each
	 * instance alone: a duplicate or a stray message would come before it.
	 */
	private void assertNothingMoreArrives(List<PubSubClient> onA, List<PubSubClient> onB) throws Exception {
		this.nodeA.drain();
		this.nodeB.drain();
		this.pubsubA.localBroadcast("room", "end");
		this.pubsubB.localBroadcast("room", "end");
		for (PubSubClient client : concat(onA, onB)) {
			assertThat(client.nextMessage()).isEqualTo("end");
		}
	}

	private PubSubTestServer server(PubSub pubsub) throws Exception {
		PubSubTestServer server = PubSubTestServer.start(pubsub, 256);
		this.closeables.add(server);
		return server;
	}

	private PubSubClient subscribed(PubSubTestServer server, String topic) throws Exception {
		PubSubClient client = server.connect();
		this.closeables.add(client);
		assertThat(client.command("sub " + topic)).isEqualTo("sub true");
		return client;
	}

	private static List<String> numbered(String prefix, int count) {
		return IntStream.range(0, count).mapToObj((i) -> prefix + i).toList();
	}

	private static List<PubSubClient> concat(List<PubSubClient> first, List<PubSubClient> second) {
		List<PubSubClient> all = new ArrayList<>(first);
		all.addAll(second);
		return all;
	}

	/** What the PubSubs log while a test runs. */
	static final class PubSubLogRecords extends Handler implements AutoCloseable {

		private final Logger logger = Logger.getLogger(PubSub.class.getName());

		private final List<LogRecord> records = new CopyOnWriteArrayList<>();

		static PubSubLogRecords capture() {
			PubSubLogRecords log = new PubSubLogRecords();
			log.logger.addHandler(log);
			log.logger.setUseParentHandlers(false);
			return log;
		}

		List<LogRecord> records() {
			return List.copyOf(this.records);
		}

		@Override
		public void publish(LogRecord record) {
			this.records.add(record);
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
			this.logger.removeHandler(this);
			this.logger.setUseParentHandlers(true);
		}

	}

}
