package dev.thousandisland;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.thousandisland.ClientConnectionTests.RecordingHandler;
import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.client.ConnectionLostException;
import dev.thousandisland.client.RequestTimeoutAction;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.example.resp.RespClient;
import dev.thousandisland.example.resp.RespFraming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A timeout costs only its own request, against a real redis-server, whose blocking commands
 * ({@code BLPOP}) legitimately answer after a caller stopped waiting: the default
 * {@code DISCARD_LATE_REPLY} keeps the connection and the requests around the timed-out one;
 * {@code DROP_CONNECTION} drops it at once.
 */
class RedisTimeoutTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path directory;

	private RedisServerProcess redis;

	private ClientConnection connection;

	private ClientConnection other;

	private final RecordingHandler handler = new RecordingHandler();

	@BeforeEach
	void startRedis() throws Exception {
		this.redis = RedisServerProcess.start(this.directory);
	}

	@AfterEach
	void stopAll() throws Exception {
		for (ClientConnection client : new ClientConnection[] { this.connection, this.other }) {
			if (client != null) {
				client.stop(Duration.ofSeconds(2));
			}
		}
		this.redis.close();
	}

	@Test
	void aTimedOutBlpopDoesNotTakeDownTheEchoBehindIt() throws Exception {
		RespClient redis = new RespClient(start(RequestTimeoutAction.DISCARD_LATE_REPLY));
		CompletableFuture<String> blpop = redis.commandAsync(Duration.ofSeconds(1), "BLPOP", "q", "2");
		CompletableFuture<String> echo = redis.commandAsync(WAIT, "ECHO", "behind");
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(blpop::get)
			.withCauseInstanceOf(RequestTimeoutException.class);
		// Redis answers the BLPOP (nil) after 2 s, then the ECHO: the first is discarded, the second is ECHO's.
		assertThat(echo.get()).isEqualTo("behind");
		assertThat(redis.command(WAIT, "ECHO", "after")).isEqualTo("after");
		assertThat(this.handler.kinds).containsExactly(ConnectKind.FIRST);
		assertThat(this.handler.timeouts).isEmpty();
	}

	@Test
	void aTimedOutEchoBehindABlpopDoesNotTakeDownTheBlpop() throws Exception {
		RespClient redis = new RespClient(start(RequestTimeoutAction.DISCARD_LATE_REPLY));
		CompletableFuture<String> blpop = redis.commandAsync(WAIT, "BLPOP", "q", "5");
		CompletableFuture<String> echo = redis.commandAsync(Duration.ofMillis(500), "ECHO", "impatient");
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(echo::get)
			.withCauseInstanceOf(RequestTimeoutException.class);
		assertThat(pusher().command(WAIT, "RPUSH", "q", "v")).isEqualTo("1");
		assertThat(RedisPushTests.elements(blpop.get())).containsExactly("q", "v");
		assertThat(redis.command(WAIT, "ECHO", "after")).isEqualTo("after");
		assertThat(this.handler.kinds).containsExactly(ConnectKind.FIRST);
		assertThat(this.handler.timeouts).isEmpty();
	}

	@Test
	void withDropConnectionATimedOutBlpopTakesDownTheEchoBehindIt() throws Exception {
		RespClient redis = new RespClient(start(RequestTimeoutAction.DROP_CONNECTION));
		CompletableFuture<String> blpop = redis.commandAsync(Duration.ofMillis(500), "BLPOP", "q", "2");
		CompletableFuture<String> echo = redis.commandAsync(WAIT, "ECHO", "behind");
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(blpop::get)
			.withCauseInstanceOf(RequestTimeoutException.class);
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(echo::get)
			.withCauseInstanceOf(ConnectionLostException.class);
		await().atMost(WAIT).until(() -> this.handler.kinds.contains(ConnectKind.RECONNECT));
		assertThat(this.handler.timeouts).hasSize(1);
		assertThat(redis.command(WAIT, "ECHO", "after")).isEqualTo("after");
	}

	private ClientConnection start(RequestTimeoutAction action) {
		this.connection = ClientConnection.start(config("redis").handler(this.handler).onRequestTimeout(action).build());
		return this.connection;
	}

	private RespClient pusher() {
		this.other = ClientConnection.start(config("pusher").build());
		return new RespClient(this.other);
	}

	private ClientConfig.Builder config(String name) {
		return ClientConfig.builder(new RespFraming())
			.name(name)
			.tcp("127.0.0.1", this.redis.port())
			.backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2.0, 0.2, 0));
	}

}
