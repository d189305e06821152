package dev.thousandisland;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.thousandisland.ClientConnectionTests.RecordingHandler;
import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.client.RequestFailedException;
import dev.thousandisland.example.resp.RespClient;
import dev.thousandisland.example.resp.RespFraming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client against a server nobody here wrote: Debian's redis-server on a loopback port, spoken
 * to by {@link RespClient}, a RESP client built on {@link ClientConnection}.
 */
class RedisClientTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path directory;

	private RedisServerProcess redis;

	private ClientConnection connection;

	private final RecordingHandler handler = new RecordingHandler();

	@BeforeEach
	void startRedis() throws Exception {
		this.redis = RedisServerProcess.start(this.directory);
		this.connection = ClientConnection.start(ClientConfig.builder(new RespFraming())
			.name("redis")
			.tcp("127.0.0.1", this.redis.port())
			.backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(400), 2.0, 0.2, 0))
			.queueSize(10_000)
			.handler(this.handler)
			.build());
	}

	@AfterEach
	void stopAll() throws Exception {
		if (this.connection != null) {
			this.connection.stop(Duration.ofSeconds(2));
		}
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Test
	void pipelinedSetsAndGetsFromFiftyThreadsEachGetTheirOwnReply() throws Exception {
		RespClient client = new RespClient(this.connection);
		ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
		List<Future<Integer>> results = new ArrayList<>();
		for (int t = 0; t < 50; t++) {
			int thread = t;
			results.add(callers.submit(() -> {
				int matched = 0;
				for (int i = 0; i < 40; i++) {
					String key = "key:" + thread + ":" + i;
					String value = "value:" + thread + ":" + i + ":" + "x".repeat(i);
					// SET and GET go out back to back, the GET before the SET's reply.
					CompletableFuture<String> set = client.commandAsync(WAIT, "SET", key, value);
					CompletableFuture<String> get = client.commandAsync(WAIT, "GET", key);
					assertThat(set.get()).isEqualTo("OK");
					assertThat(get.get()).isEqualTo(value);
					matched++;
				}
				assertThat(client.command(WAIT, "GET", "key:" + thread + ":0")).isEqualTo("value:" + thread + ":0:");
				return matched;
			}));
		}
		int total = 0;
		for (Future<Integer> result : results) {
			total += result.get(60, TimeUnit.SECONDS);
		}
		callers.close();
		assertThat(total).isEqualTo(50 * 40);
		assertThat(client.command(WAIT, "DBSIZE")).isEqualTo(String.valueOf(50 * 40));
		assertThat(client.command(WAIT, "GET", "missing")).isNull();
		assertThat(this.handler.kinds).containsExactly(ConnectKind.FIRST);
	}

	@Test
	void aRedisRestartMidTrafficGivesDocumentedErrorsThenTrafficResumes() throws Exception {
		RespClient client = new RespClient(this.connection);
		await().atMost(WAIT).until(this.connection::isConnected);
		Map<Class<?>, AtomicInteger> failures = new ConcurrentHashMap<>();
		AtomicLong successesAfterRestart = new AtomicLong();
		AtomicInteger phase = new AtomicInteger();
		ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
		List<Future<?>> workers = new ArrayList<>();
		for (int t = 0; t < 20; t++) {
			int thread = t;
			workers.add(callers.submit(() -> {
				// Bounded: at most 5000 commands or until 200 succeeded after the restart.
				for (int i = 0; i < 5000 && successesAfterRestart.get() < 200; i++) {
					long start = System.nanoTime();
					try {
						String key = "k:" + thread + ":" + i;
						assertThat(client.commandAsync(Duration.ofMillis(500), "SET", key, "v").get()).isEqualTo("OK");
						if (phase.get() == 2) {
							successesAfterRestart.incrementAndGet();
						}
					}
					catch (ExecutionException ex) {
						assertThat(ex.getCause()).isInstanceOf(RequestFailedException.class);
						failures.computeIfAbsent(ex.getCause().getClass(), (type) -> new AtomicInteger()).incrementAndGet();
					}
					// Nothing hangs: every call ends within its timeout and a margin.
					assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
				}
				return null;
			}));
		}
		Thread.sleep(200);
		phase.set(1);
		this.redis.kill();
		Thread.sleep(500);
		this.redis.start();
		phase.set(2);
		for (Future<?> worker : workers) {
			worker.get(60, TimeUnit.SECONDS);
		}
		callers.close();
		assertThat(successesAfterRestart.get()).isGreaterThanOrEqualTo(200);
		assertThat(failures).isNotEmpty();
		assertThat(this.handler.kinds).startsWith(ConnectKind.FIRST, ConnectKind.RECONNECT);
		assertThat(client.command(WAIT, "PING")).isEqualTo("PONG");
		System.out.println("Failures seen during the restart, by type: " + failures);
	}

}
