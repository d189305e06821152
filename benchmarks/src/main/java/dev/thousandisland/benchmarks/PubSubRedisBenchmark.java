package dev.thousandisland.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;

/**
 * Cross-instance delivery through one {@code redis-server} (started here on a free loopback port,
 * without persistence): messages per second that reach a subscriber on the other instance, through
 * Thousand Island's PubSub and its Redis adapter ({@link ThousandIslandRedisPath}) against plain
 * Redis PUBLISH/SUBSCRIBE with Lettuce ({@link RawRedisPath}), 64-byte messages, the same
 * publisher window ({@link CrossInstanceWindow#SIZE} messages on their way at most), in one JVM.
 *
 * <p>{@code PubSubRedisBenchmark [rounds] [seconds] [warm-up seconds]} (3, 5 and 1 by default, after
 * one 3-second warm-up of each path): every round measures both paths, their order alternating.
 * Prints each measurement, the medians (min–max), Thousand Island ÷ raw Redis against the target
 * (at least 0.8×), and writes the same to {@code pubsub-redis-results.md} in the directory of the
 * system property {@code benchmarks.output} (the current one by default).
 */
public final class PubSubRedisBenchmark {

	/** Thousand Island's delivered rate ÷ raw Redis's must be at least this. */
	static final double TARGET = 0.8;

	private PubSubRedisBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 3;
		int seconds = (args.length > 1) ? Integer.parseInt(args[1]) : 5;
		int warmup = (args.length > 2) ? Integer.parseInt(args[2]) : 1;
		long started = System.nanoTime();
		Map<String, Samples> rates = new LinkedHashMap<>();
		Map<String, Samples> p99s = new LinkedHashMap<>();
		List<String> notes = new ArrayList<>();
		StringBuilder out = new StringBuilder();
		try (RedisServerProcess redis = RedisServerProcess.start();
				RawRedisPath raw = new RawRedisPath(redis.port());
				ThousandIslandRedisPath thousandIsland = new ThousandIslandRedisPath(redis.port())) {
			List<RedisCrossInstancePath> paths = new ArrayList<>(List.of(thousandIsland, raw));
			// For a profile of one path alone: -Dbenchmarks.paths=thousand-island (or raw).
			String only = System.getProperty("benchmarks.paths");
			if (only != null) {
				paths.removeIf((path) -> !(only.equals("raw") == (path == raw)));
			}
			for (RedisCrossInstancePath path : paths) {
				measure(path, 3, 1, notes);
			}
			for (int round = 1; round <= rounds; round++) {
				for (RedisCrossInstancePath path : paths) {
					double[] result = measure(path, warmup, seconds, notes);
					rates.computeIfAbsent(path.label(), (k) -> new Samples()).add(result[0]);
					p99s.computeIfAbsent(path.label(), (k) -> new Samples()).add(result[1]);
					System.err.printf(Locale.ROOT, "round %d %-40s %,.0f delivered/s, p99 %.2f ms%n", round,
							path.label(), result[0], result[1]);
				}
				paths = paths.reversed();
			}
			out.append(String.format(Locale.ROOT, "# PubSub across instances through Redis%n%n%s%n%n",
					MachineInfo.describe()));
			out.append(String.format(Locale.ROOT, "`PubSubRedisBenchmark %d %d %d`: %d round(s), %d s counted after "
					+ "%d s, in one JVM, %.0f s in all. 64-byte messages from one publisher thread to one subscriber, "
					+ "at most %,d on their way.%n%n", rounds, seconds, warmup, rounds, seconds, warmup,
					(System.nanoTime() - started) / 1e9, CrossInstanceWindow.SIZE));
			out.append("- ").append(thousandIsland.label()).append(": ").append(thousandIsland.description())
				.append('\n');
			out.append("- ").append(raw.label()).append(": ").append(raw.description()).append('\n');
		}
		out.append(String.format(Locale.ROOT, "%n| path | delivered msg/s | p99 latency ms |%n|---|---|---|%n"));
		rates.forEach((label, samples) -> out.append(String.format(Locale.ROOT,
				"| %s | %,.0f (%,.0f–%,.0f) | %.2f (%.2f–%.2f) |%n", label, samples.median(), samples.min(),
				samples.max(), p99s.get(label).median(), p99s.get(label).min(), p99s.get(label).max())));
		double ratio = (rates.size() < 2) ? Double.NaN
				: rates.get(ThousandIslandRedisPath.LABEL).median() / rates.get(RawRedisPath.LABEL).median();
		out.append(String.format(Locale.ROOT, "%n| Thousand Island ÷ raw Redis, delivered/s | target |%n|---|---|%n"
				+ "| %.2f× | ≥ %.1f×: %s |%n", ratio, TARGET,
				Double.isNaN(ratio) ? "n/a, one path measured"
						: (ratio >= TARGET) ? "met" : "missed by " + PubSubFanOutBenchmark.percent(1 - ratio / TARGET)));
		if (!notes.isEmpty()) {
			out.append("\nNotes:\n");
			notes.forEach((note) -> out.append("- ").append(note).append('\n'));
		}
		System.out.print("\n" + out);
		Path file = Path.of(System.getProperty("benchmarks.output", "."), "pubsub-redis-results.md");
		Files.writeString(file, out);
		System.err.println("wrote " + file);
		System.exit(0);
	}

	/**
	 * Publishes for warm-up plus the counted seconds, counts what arrives in the counted window,
	 * then waits for the stragglers, so that the next measurement starts with an empty pipe.
	 * @return delivered per second and p99 latency in milliseconds
	 */
	private static double[] measure(RedisCrossInstancePath path, int warmup, int seconds, List<String> notes)
			throws Exception {
		CrossInstanceWindow window = new CrossInstanceWindow();
		long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup + seconds) + TimeUnit.MILLISECONDS.toNanos(500);
		AtomicLong stalls = new AtomicLong();
		Thread publisher = Thread.ofPlatform().name("publisher").start(() -> {
			try {
				stalls.set(path.publishUntil(window, end));
			}
			catch (Exception ex) {
				throw new IllegalStateException(path.label() + " failed to publish", ex);
			}
		});
		Thread.sleep(Duration.ofSeconds(warmup));
		long[] before = window.snapshot();
		window.resetLatency();
		long start = System.nanoTime();
		Thread.sleep(Duration.ofSeconds(seconds));
		long[] after = window.snapshot();
		double elapsed = (System.nanoTime() - start) / 1e9;
		Histogram latency = window.latency();
		publisher.join();
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (!window.isEmpty() && System.nanoTime() - deadline < 0) {
			Thread.sleep(10);
		}
		long[] last = window.snapshot();
		if (stalls.get() > 0 || last[1] > 0 || last[2] > 0) {
			notes.add(String.format(Locale.ROOT, "%s: %,d out of order, %,d missed, the publisher waited in vain %,d "
					+ "time(s)", path.label(), last[1], last[2], stalls.get()));
		}
		return new double[] { (after[0] - before[0]) / elapsed, latency.getValueAtPercentile(99) / 1e6 };
	}

}
