package dev.thousandisland.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;

import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.example.resp.RespClient;
import dev.thousandisland.example.resp.RespFraming;

/**
 * Pipelined SET/GET throughput against a real {@code redis-server} (started here on a free
 * loopback port), through one connection of Thousand Island's client (with the RESP example of
 * the core's test jar) and through one connection of Lettuce, in the same run.
 *
 * <p>Two workloads, half SET and half GET on 1,000 keys of 16-byte values, each reply decoded to
 * a {@code String} by both clients:
 * <ul>
 * <li><b>64 callers</b>: 64 virtual threads each send a command and wait for its reply, so the
 * client pipelines up to 64 commands on its one connection;</li>
 * <li><b>batches of 256</b>: one thread sends 256 commands without waiting (requestAsync /
 * Lettuce's async API), then waits for all of them.</li>
 * </ul>
 * {@code RedisClientBenchmark [rounds] [seconds] [warm-up seconds]} (5, 5, 3 by default): every
 * round measures every client and workload, the clients' order alternating from round to round.
 * Prints each measurement, the medians (min–max) and Thousand Island ÷ Lettuce.
 */
public final class RedisClientBenchmark {

	private static final int CALLERS = 64;

	private static final int BATCH = 256;

	private static final int KEYS = 1000;

	private static final String VALUE = "0123456789abcdef";

	private RedisClientBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 5;
		int seconds = (args.length > 1) ? Integer.parseInt(args[1]) : 5;
		int warmup = (args.length > 2) ? Integer.parseInt(args[2]) : 3;
		Map<String, Samples> results = new LinkedHashMap<>();
		try (RedisServerProcess redis = RedisServerProcess.start()) {
			List<Commands> clients = new ArrayList<>(List.of(thousandIsland(redis.port()), lettuce(redis.port())));
			try {
				for (Commands client : clients) {
					check(client);
				}
				for (Commands client : clients) {
					// Warm both up before the first round, so that neither measures the JIT.
					callers(client, warmup);
					batches(client, warmup);
				}
				for (int round = 1; round <= rounds; round++) {
					for (Commands client : clients) {
						record(results, round, client.name() + ", 64 callers", callers(client, seconds));
						record(results, round, client.name() + ", batches of 256", batches(client, seconds));
					}
					clients = clients.reversed();
				}
			}
			finally {
				for (Commands client : clients) {
					client.close();
				}
			}
		}
		System.out.printf(Locale.ROOT, "%n| client, workload | commands/s, median (min–max) |%n|---|---|%n");
		results.forEach((label, samples) -> System.out.printf(Locale.ROOT, "| %s | %,.0f (%,.0f–%,.0f) |%n", label,
				samples.median(), samples.min(), samples.max()));
		System.out.printf(Locale.ROOT, "%n| Thousand Island ÷ Lettuce | ratio of medians |%n|---|---|%n");
		for (String workload : List.of("64 callers", "batches of 256")) {
			System.out.printf(Locale.ROOT, "| %s | %.3f |%n", workload,
					results.get("Thousand Island, " + workload).median() / results.get("Lettuce, " + workload).median());
		}
	}

	/** Both clients must read back what they wrote, or their figures mean nothing. */
	private static void check(Commands client) {
		String key = "check:" + client.name();
		String stored = client.set(key, VALUE).toCompletableFuture().join();
		String read = client.get(key).toCompletableFuture().join();
		if (!"OK".equals(stored) || !VALUE.equals(read)) {
			throw new IllegalStateException(client.name() + " answered SET with " + stored + " and GET with " + read);
		}
	}

	private static void record(Map<String, Samples> results, int round, String label, double value) {
		results.computeIfAbsent(label, (key) -> new Samples()).add(value);
		System.err.printf(Locale.ROOT, "round %d %-36s %,.0f commands/s%n", round, label, value);
	}

	/** CALLERS virtual threads, each one command at a time, for the given time. */
	private static double callers(Commands client, int seconds) throws InterruptedException {
		LongAdder done = new LongAdder();
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
		long start = System.nanoTime();
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < CALLERS; t++) {
			int caller = t;
			threads.add(Thread.ofVirtual().start(() -> {
				long n = caller;
				while (System.nanoTime() - end < 0) {
					String key = "key:" + (n % KEYS);
					if ((n & 1) == 0) {
						client.set(key, VALUE).toCompletableFuture().join();
					}
					else {
						client.get(key).toCompletableFuture().join();
					}
					n++;
					done.increment();
				}
			}));
		}
		for (Thread thread : threads) {
			thread.join();
		}
		return done.sum() / ((System.nanoTime() - start) / 1e9);
	}

	/** One thread, BATCH commands without waiting, then all their replies, for the given time. */
	private static double batches(Commands client, int seconds) {
		long commands = 0;
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
		long start = System.nanoTime();
		List<CompletableFuture<String>> replies = new ArrayList<>(BATCH);
		while (System.nanoTime() - end < 0) {
			replies.clear();
			for (int i = 0; i < BATCH; i++) {
				String key = "key:" + (i % KEYS);
				replies.add(((i & 1) == 0 ? client.set(key, VALUE) : client.get(key)).toCompletableFuture());
			}
			CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).join();
			commands += BATCH;
		}
		return commands / ((System.nanoTime() - start) / 1e9);
	}

	private static Commands thousandIsland(int port) {
		ClientConnection connection = ClientConnection.start(ClientConfig.builder(new RespFraming())
			.name("redis")
			.tcp("127.0.0.1", port)
			.queueSize(10_000)
			.requestTimeout(Duration.ofSeconds(30))
			.build());
		RespClient client = new RespClient(connection);
		Duration timeout = Duration.ofSeconds(30);
		return new Commands() {

			@Override
			public String name() {
				return "Thousand Island";
			}

			@Override
			public CompletionStage<String> set(String key, String value) {
				return client.commandAsync(timeout, "SET", key, value);
			}

			@Override
			public CompletionStage<String> get(String key) {
				return client.commandAsync(timeout, "GET", key);
			}

			@Override
			public void close() throws Exception {
				connection.stop(Duration.ofSeconds(5));
			}

		};
	}

	private static Commands lettuce(int port) {
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
		StatefulRedisConnection<String, String> connection = client.connect();
		return new Commands() {

			@Override
			public String name() {
				return "Lettuce";
			}

			@Override
			public CompletionStage<String> set(String key, String value) {
				return connection.async().set(key, value);
			}

			@Override
			public CompletionStage<String> get(String key) {
				return connection.async().get(key);
			}

			@Override
			public void close() {
				connection.close();
				client.shutdown();
			}

		};
	}

	/** The two commands of the workload, as a client sends them. */
	private interface Commands extends AutoCloseable {

		String name();

		CompletionStage<String> set(String key, String value);

		CompletionStage<String> get(String key);

	}

}
