package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientState;
import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.client.NotConnectedException;
import dev.thousandisland.client.RequestTimeoutAction;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.telemetry.TelemetryEvent;

import static dev.thousandisland.ScriptedLineServer.line;
import static dev.thousandisland.ScriptedLineServer.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The small promises of a client request: cancelling withdraws it, a timeout says whether the
 * request was written, giving up says why, any timeout is taken, and backoff attempts count up.
 */
class ClientContractTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final Backoff FAST = ClientTestPeers.FAST;

	@RegisterExtension
	final ClientTestPeers peers = new ClientTestPeers();

	private final ClientConnectionTests.RecordingHandler handler = new ClientConnectionTests.RecordingHandler();

	private final List<TelemetryEvent> events = new CopyOnWriteArrayList<>();

	@Test
	void cancellingAQueuedRequestWithdrawsItAndFreesItsSlot() throws Exception {
		ClientConnection client = start(config(ClientConnectionTests.freePort(), 1, FAST));
		CompletableFuture<ByteBuffer> first = client.requestAsync(line("echo first"), WAIT);
		assertThat(first.cancel(true)).isTrue();
		assertThat(client.queued()).isZero();
		assertThat(client.outstanding()).isZero();
		CompletableFuture<ByteBuffer> second = client.requestAsync(line("echo second"), WAIT);
		assertThat(second).isNotDone();
		assertThat(client.queued()).isEqualTo(1);
	}

	@Test
	void cancellingAWrittenRequestIsTreatedLikeItsTimeoutItsLateReplyDiscarded() throws Exception {
		ClientConnection client = start(config(server(), 16, FAST));
		assertThat(text(client.request(line("echo before"), WAIT))).isEqualTo("before");
		// The scripted server answers "slow" 300 ms late, before it reads the next request.
		CompletableFuture<ByteBuffer> slow = client.requestAsync(line("slow late"), WAIT);
		await().atMost(WAIT).until(() -> client.queued() == 0);
		assertThat(slow.cancel(true)).isTrue();
		assertThat(text(client.request(line("echo after"), WAIT))).isEqualTo("after");
		await().atMost(WAIT)
			.until(() -> this.events.stream().anyMatch((event) -> event.name().equals(TelemetryEvent.CLIENT_LATE_REPLY)));
		assertThat(this.handler.kinds).containsExactly(ConnectKind.FIRST);
		assertThat(client.outstanding()).isZero();
	}

	@Test
	void withDropConnectionCancellingAWrittenRequestDropsTheConnectionAndTheNextRequestsAreAnswered()
			throws Exception {
		ClientConnection client = start(ClientConfig.builder(Framing.line())
			.tcp(InetAddress.getLoopbackAddress().getHostAddress(), server())
			.requestFraming(Framing.line())
			.backoff(FAST)
			.handler(this.handler)
			.onRequestTimeout(RequestTimeoutAction.DROP_CONNECTION)
			.build());
		assertThat(text(client.request(line("echo before"), WAIT))).isEqualTo("before");
		CompletableFuture<ByteBuffer> unanswered = client.requestAsync(line("ignore"), WAIT);
		await().atMost(WAIT).until(() -> client.queued() == 0);
		assertThat(unanswered.cancel(true)).isTrue();
		await().atMost(WAIT).until(() -> this.handler.kinds.contains(ConnectKind.RECONNECT));
		assertThat(text(client.request(line("echo after"), WAIT))).isEqualTo("after");
		assertThat(client.outstanding()).isZero();
	}

	@Test
	void aTimeoutSaysWhetherTheRequestWasWritten() throws Exception {
		ClientConnection down = start(config(ClientConnectionTests.freePort(), 16, FAST));
		assertThatExceptionOfType(RequestTimeoutException.class)
			.isThrownBy(() -> down.request(line("echo queued"), Duration.ofMillis(100)))
			.satisfies((timeout) -> assertThat(timeout.wasWritten()).isFalse());
		ClientConnection up = start(config(server(), 16, FAST));
		assertThat(text(up.request(line("echo up"), WAIT))).isEqualTo("up");
		assertThatExceptionOfType(RequestTimeoutException.class)
			.isThrownBy(() -> up.request(line("ignore"), Duration.ofMillis(300)))
			.satisfies((timeout) -> assertThat(timeout.wasWritten()).isTrue());
	}

	@Test
	void requestsWaitingWhenTheClientGivesUpFailWithTheLastConnectErrorAsCause() throws Exception {
		ClientConnection client = start(config(ClientConnectionTests.freePort(), 16, FAST.withMaxAttempts(2)));
		CompletableFuture<ByteBuffer> waiting = client.requestAsync(line("echo never"), WAIT);
		await().atMost(WAIT).until(() -> client.state() == ClientState.FAILED);
		assertThat(waiting).failsWithin(Duration.ofSeconds(1))
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(NotConnectedException.class)
			.withMessageContaining("gave up")
			.havingCause()
			.isInstanceOf(IOException.class);
	}

	@Test
	void theLongestTimeoutIsTakenRatherThanOverflowing() throws Exception {
		ClientConnection client = start(config(server(), 16, FAST));
		ByteBuffer reply = client.requestAsync(line("echo forever"), Duration.ofSeconds(Long.MAX_VALUE))
			.get(10, TimeUnit.SECONDS);
		assertThat(text(reply)).isEqualTo("forever");
		assertThat(text(client.request(line("echo max"), Duration.ofSeconds(Long.MAX_VALUE, 999_999_999))))
			.isEqualTo("max");
	}

	@Test
	void backoffAttemptsAfterADroppedConnectionCountUpFromOne() throws Exception {
		Server server = ScriptedLineServer.start(0);
		ClientConnection client = start(config(server.port(), 16, FAST));
		assertThat(text(client.request(line("echo hello"), WAIT))).isEqualTo("hello");
		server.stop(Duration.ofSeconds(2));
		await().atMost(WAIT).until(() -> backoffAttempts().size() >= 3);
		assertThat(backoffAttempts().subList(0, 3)).containsExactly(1, 2, 3);
	}

	private List<Object> backoffAttempts() {
		return this.events.stream()
			.filter((event) -> event.name().equals("client.backoff"))
			.map((event) -> event.metadata().get("attempt"))
			.toList();
	}

	private int server() throws IOException {
		Server server = ScriptedLineServer.start(0);
		this.peers.servers.add(server);
		return server.port();
	}

	private ClientConfig config(int port, int queueSize, Backoff backoff) {
		return ClientConfig.builder(Framing.line())
			.tcp(InetAddress.getLoopbackAddress().getHostAddress(), port)
			.requestFraming(Framing.line())
			.queueSize(queueSize)
			.backoff(backoff)
			.connectTimeout(Duration.ofSeconds(2))
			.handler(this.handler)
			.telemetryListeners(List.of(this.events::add))
			.build();
	}

	private ClientConnection start(ClientConfig config) {
		ClientConnection client = ClientConnection.start(config);
		this.peers.clients.add(client);
		return client;
	}

}
