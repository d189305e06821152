package dev.thousandisland;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.thousandisland.ClientConnectionTests.RecordingHandler;
import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.telemetry.TelemetryEvent;

import static dev.thousandisland.ScriptedLineServer.line;
import static dev.thousandisland.ScriptedLineServer.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A request that times out after it was written costs only itself (the default
 * {@code DISCARD_LATE_REPLY}), against a scripted peer that answers late or never: its late reply
 * is discarded and counted, the requests behind it get their own replies, and the connection is
 * given up only past {@code maxLateReplies} or {@code lateReplyTimeout}.
 */
class ClientLateReplyTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final Backoff FAST = ClientTestPeers.FAST;

	@RegisterExtension
	final ClientTestPeers peers = new ClientTestPeers();

	private final RecordingHandler handler = new RecordingHandler();

	private final List<TelemetryEvent> events = new CopyOnWriteArrayList<>();

	@Test
	void aLateReplyIsDiscardedAndCountedAndTheRequestBehindGetsItsOwn() throws Exception {
		ClientConnection client = client(UnaryOperator.identity());
		// The peer answers "slow" after 300 ms and only then reads what follows: "echo behind" waits its turn.
		CompletableFuture<ByteBuffer> slow = client.requestAsync(line("slow late"), Duration.ofMillis(100));
		CompletableFuture<ByteBuffer> behind = client.requestAsync(line("echo behind"), WAIT);
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(slow::get)
			.withCauseInstanceOf(RequestTimeoutException.class)
			.withMessageContaining("late reply will be discarded");
		assertThat(text(behind.get())).isEqualTo("behind");
		assertThat(text(client.request(line("echo after"), WAIT))).isEqualTo("after");
		List<TelemetryEvent> late = named("client.late_reply");
		assertThat(late).hasSize(1);
		assertThat(late.get(0).measurements()).containsEntry("reply_bytes", 4L);
		assertThat((Long) late.get(0).measurements().get("late")).isPositive();
		assertThat(this.handler.kinds).containsExactly(ConnectKind.FIRST);
		assertThat(this.handler.timeouts).isEmpty();
		assertThat(named("client.disconnect")).isEmpty();
	}

	@Test
	void oneLateReplyMoreThanMaxLateRepliesDropsTheConnection() throws Exception {
		ClientConnection client = client((builder) -> builder.maxLateReplies(2));
		for (int i = 0; i < 3; i++) {
			CompletableFuture<ByteBuffer> unanswered = client.requestAsync(line("ignore"), Duration.ofMillis(50));
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(unanswered::get)
				.withCauseInstanceOf(RequestTimeoutException.class);
			if (i < 2) {
				assertThat(this.handler.kinds).containsExactly(ConnectKind.FIRST);
			}
		}
		await().atMost(WAIT).until(() -> this.handler.timeouts.size() == 1);
		assertThat(this.handler.timeouts.get(0)).hasMessageContaining("more than maxLateReplies (2)");
		await().atMost(WAIT).until(() -> this.handler.kinds.contains(ConnectKind.RECONNECT));
		assertThat(text(client.request(line("echo fresh"), WAIT))).isEqualTo("fresh");
		assertThat(named("client.disconnect").get(0).metadata()).containsEntry("reason", "request_timeout");
	}

	@Test
	void aLateReplyThatDoesNotComeWithinLateReplyTimeoutDropsTheConnection() throws Exception {
		ClientConnection client = client((builder) -> builder.lateReplyTimeout(Duration.ofMillis(300)));
		CompletableFuture<ByteBuffer> unanswered = client.requestAsync(line("ignore"), Duration.ofMillis(100));
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(unanswered::get)
			.withCauseInstanceOf(RequestTimeoutException.class);
		await().atMost(WAIT).until(() -> this.handler.timeouts.size() == 1);
		assertThat(this.handler.timeouts.get(0)).hasMessageContaining("lateReplyTimeout (PT0.3S)");
		await().atMost(WAIT).until(() -> this.handler.kinds.contains(ConnectKind.RECONNECT));
		assertThat(text(client.request(line("echo fresh"), WAIT))).isEqualTo("fresh");
	}

	@Test
	void badBoundsAreRefusedByName() {
		ClientConfig.Builder builder = ClientConfig.builder(Framing.line()).tcp("127.0.0.1", 1);
		assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(() -> builder.maxLateReplies(0).build())
			.withMessageContaining("maxLateReplies");
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> builder.maxLateReplies(1).lateReplyTimeout(Duration.ZERO).build())
			.withMessageContaining("lateReplyTimeout");
		assertThatExceptionOfType(NullPointerException.class)
			.isThrownBy(() -> builder.lateReplyTimeout(WAIT).onRequestTimeout(null).build())
			.withMessageContaining("onRequestTimeout");
	}

	private List<TelemetryEvent> named(String name) {
		return this.events.stream().filter((event) -> event.name().equals(name)).toList();
	}

	private ClientConnection client(UnaryOperator<ClientConfig.Builder> options) throws Exception {
		Server server = ScriptedLineServer.start(0);
		this.peers.servers.add(server);
		ClientConnection client = ClientConnection.start(options.apply(ClientConfig.builder(Framing.line())
			.tcp(InetAddress.getLoopbackAddress().getHostAddress(), server.port())
			.requestFraming(Framing.line())
			.backoff(FAST)
			.handler(this.handler)
			.telemetryListeners(List.of(this.events::add)))
			.build());
		this.peers.clients.add(client);
		return client;
	}

}
