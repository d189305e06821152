package dev.thousandisland;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.example.resp.RespFraming;
import dev.thousandisland.telemetry.TelemetryEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The idle check against a real redis-server, pinging with {@code PING}: a server frozen with
 * SIGSTOP (connections open, nothing answered) is dropped within the interval plus the limit,
 * and once it runs again the client's requests succeed; a running server keeps its connection.
 */
class RedisLivenessTests {

	private static final Duration INTERVAL = Duration.ofMillis(200);

	private static final Duration LIMIT = Duration.ofMillis(300);

	private static final ByteBuffer PING = ascii("*1\r\n$4\r\nPING\r\n");

	@TempDir
	Path directory;

	private RedisServerProcess redis;

	private ClientConnection client;

	private final List<TelemetryEvent> events = new CopyOnWriteArrayList<>();

	private final AtomicInteger pings = new AtomicInteger();

	@AfterEach
	void stopAll() throws Exception {
		if (this.redis != null) {
			this.redis.resume();
		}
		if (this.client != null) {
			this.client.stop(Duration.ofSeconds(2));
		}
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Test
	void aFrozenRedisIsDroppedWithinIntervalPlusLimitAndRequestsSucceedOnceItRuns() throws Exception {
		start();
		assertThat(text(this.client.request(ascii("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")))).isEqualTo("+OK\r\n");
		this.redis.pause();
		await().atMost(INTERVAL.plus(LIMIT).plus(Duration.ofSeconds(2)))
			.until(() -> disconnectReasons().contains("idle_check_failed"));
		this.redis.resume();
		assertThat(text(this.client.request(ascii("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), Duration.ofSeconds(5))))
			.isEqualTo("$1\r\nv\r\n");
	}

	@Test
	void aRunningRedisAnswersItsPingsAndKeepsItsConnection() throws Exception {
		start();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.pings.get() >= 4);
		assertThat(text(this.client.request(ascii("*1\r\n$4\r\nPING\r\n")))).isEqualTo("+PONG\r\n");
		assertThat(disconnectReasons()).isEmpty();
	}

	private void start() throws Exception {
		this.redis = RedisServerProcess.start(this.directory);
		this.client = ClientConnection.start(ClientConfig.builder(new RespFraming())
			.name("redis-liveness")
			.tcp("127.0.0.1", this.redis.port())
			.backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2.0, 0.2, 0))
			.idleCheck(INTERVAL, LIMIT)
			.handler(new ClientHandler() {
				@Override
				public ByteBuffer ping(ClientConnection client) {
					RedisLivenessTests.this.pings.incrementAndGet();
					return PING.duplicate();
				}
			})
			.telemetryListeners(List.of(this.events::add))
			.build());
	}

	private List<Object> disconnectReasons() {
		return this.events.stream()
			.filter((event) -> event.name().equals(TelemetryEvent.CLIENT_DISCONNECT))
			.map((event) -> event.metadata().get("reason"))
			.toList();
	}

	private static ByteBuffer ascii(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
	}

	private static String text(ByteBuffer buffer) {
		return StandardCharsets.US_ASCII.decode(buffer).toString();
	}

}
