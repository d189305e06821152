package dev.thousandisland;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.client.IdleCheckFailedException;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.telemetry.TelemetryEvent;

import static dev.thousandisland.ScriptedLineServer.line;
import static dev.thousandisland.ScriptedLineServer.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The protocol-level idle check against this project's line server: a peer that goes silent
 * without closing is dropped after the idle interval plus the ping's limit and the client
 * reconnects; a peer that answers its pings keeps its one connection.
 */
class ClientLivenessTests {

	private static final Duration INTERVAL = Duration.ofMillis(200);

	private static final Duration LIMIT = Duration.ofMillis(300);

	/** Room for a busy 2-core machine on top of interval + limit; the check itself is what is bounded. */
	private static final Duration MARGIN = Duration.ofSeconds(2);

	private static final Backoff FAST = ClientTestPeers.FAST;

	@RegisterExtension
	final ClientTestPeers peers = new ClientTestPeers();

	private final List<TelemetryEvent> events = new CopyOnWriteArrayList<>();

	@Test
	void aPeerThatStopsAnsweringIsDroppedWithinIntervalPlusLimitAndTheClientReconnects() throws Exception {
		PingingHandler handler = new PingingHandler();
		ClientConnection client = start(handler);
		assertThat(text(client.request(line("mute")))).isEqualTo("muted");
		await().atMost(INTERVAL.plus(LIMIT).plus(MARGIN))
			.until(() -> disconnectReasons().contains("idle_check_failed"));
		assertThat(handler.errors).singleElement().isInstanceOf(IdleCheckFailedException.class);
		assertThat(text(client.request(line("echo after"), Duration.ofSeconds(5)))).isEqualTo("after");
		assertThat(connectKinds()).containsExactly("first", "reconnect");
		assertThat(disconnectReasons()).containsExactly("idle_check_failed");
	}

	@Test
	void aPeerThatAnswersItsPingsKeepsItsConnection() throws Exception {
		PingingHandler handler = new PingingHandler();
		ClientConnection client = start(handler);
		assertThat(text(client.request(line("echo first")))).isEqualTo("first");
		await().atMost(Duration.ofSeconds(10)).until(() -> handler.pings.get() >= 4);
		assertThat(text(client.request(line("echo second")))).isEqualTo("second");
		assertThat(disconnectReasons()).isEmpty();
		assertThat(connectKinds()).containsExactly("first");
		assertThat(handler.errors).isEmpty();
	}

	@Test
	void withoutAnIdleCheckTheHandlerIsNeverAskedForAPing() throws Exception {
		PingingHandler handler = new PingingHandler();
		ClientConnection client = start(handler, builder().handler(handler));
		assertThat(text(client.request(line("echo one")))).isEqualTo("one");
		Thread.sleep(INTERVAL.plus(LIMIT).toMillis());
		assertThat(text(client.request(line("echo two")))).isEqualTo("two");
		assertThat(handler.pings).hasValue(0);
	}

	@Test
	void idleCheckValuesAreCheckedByName() {
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> builder().idleCheck(Duration.ZERO, LIMIT).build())
			.withMessageContaining("idleCheckInterval");
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> builder().idleCheck(INTERVAL, Duration.ofMillis(-1)).build())
			.withMessageContaining("idleCheckTimeout");
	}

	@Test
	void keepAliveValuesAreCheckedByName() {
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> builder().keepAlive(Duration.ofMillis(1500), Duration.ofSeconds(5), 3).build())
			.withMessageContaining("keepAliveIdle");
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> builder().keepAlive(Duration.ofSeconds(30), Duration.ZERO, 3).build())
			.withMessageContaining("keepAliveInterval");
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> builder().keepAlive(Duration.ofSeconds(30), Duration.ofSeconds(5), 0).build())
			.withMessageContaining("keepAliveCount");
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> builder().keepAlive(Duration.ofSeconds(40_000), Duration.ofSeconds(5), 3).build())
			.withMessageContaining("keepAliveIdle");
	}

	private ClientConfig.Builder builder() {
		return ClientConfig.builder(Framing.line())
			.name("liveness")
			.tcp(InetAddress.getLoopbackAddress().getHostAddress(), 1)
			.requestFraming(Framing.line())
			.backoff(FAST)
			.connectTimeout(Duration.ofSeconds(2))
			.telemetryListeners(List.of(this.events::add));
	}

	private ClientConnection start(PingingHandler handler) throws Exception {
		return start(handler, builder().handler(handler).idleCheck(INTERVAL, LIMIT));
	}

	private ClientConnection start(PingingHandler handler, ClientConfig.Builder builder) throws Exception {
		Server server = ScriptedLineServer.start(0);
		this.peers.servers.add(server);
		ClientConnection client = ClientConnection
			.start(builder.tcp(InetAddress.getLoopbackAddress().getHostAddress(), server.port()).build());
		this.peers.clients.add(client);
		return client;
	}

	private List<Object> disconnectReasons() {
		return metadata(TelemetryEvent.CLIENT_DISCONNECT, "reason");
	}

	private List<Object> connectKinds() {
		return metadata(TelemetryEvent.CLIENT_CONNECT, "kind");
	}

	private List<Object> metadata(String event, String key) {
		return this.events.stream()
			.filter((recorded) -> recorded.name().equals(event))
			.map((recorded) -> recorded.metadata().get(key))
			.toList();
	}

	/** Pings with the line server's {@code ping} and keeps what goes wrong. */
	static final class PingingHandler implements ClientHandler {

		final AtomicInteger pings = new AtomicInteger();

		final List<Throwable> errors = new CopyOnWriteArrayList<>();

		@Override
		public ByteBuffer ping(ClientConnection client) {
			this.pings.incrementAndGet();
			return line("ping");
		}

		@Override
		public void handleError(Throwable error, ClientConnection client) {
			this.errors.add(error);
		}

	}

}
