package dev.thousandisland.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures the echo workloads of the comparison against {@code numPollers}, to choose its
 * default: Thousand Island only, each server and load generator in a JVM of its own, every round
 * running every poller count in turn so that they share the machine's noise. Prints the median of
 * the rounds, the spread, and the ratio against one poller.
 *
 * <pre>benchmarks/run PollersBenchmark [rounds] [seconds] [warm-up seconds] [poller counts, e.g. 1,2]</pre>
 */
public final class PollersBenchmark {

	private PollersBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		LifetimeLimit.haltAfter(Duration.ofHours(1), "PollersBenchmark");
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 3;
		int seconds = (args.length > 1) ? Integer.parseInt(args[1]) : 5;
		int warmup = (args.length > 2) ? Integer.parseInt(args[2]) : 2;
		int[] pollers = Arrays.stream(((args.length > 3) ? args[3] : "1,2").split(","))
			.mapToInt(Integer::parseInt)
			.toArray();
		Map<String, int[]> workloads = new LinkedHashMap<>();
		workloads.put("echo 64 B ×100 (msg/s)", new int[] { RunSettings.ECHO_FEW, RunSettings.SMALL_MESSAGE });
		workloads.put("echo 64 B ×1,000 (msg/s)", new int[] { RunSettings.ECHO_MANY, RunSettings.SMALL_MESSAGE });
		workloads.put("echo 16 KiB ×100 (MB/s)", new int[] { RunSettings.BULK_CONNECTIONS, RunSettings.BULK_MESSAGE });
		Map<String, List<Double>> results = new LinkedHashMap<>();
		for (int round = 1; round <= rounds; round++) {
			for (Map.Entry<String, int[]> workload : workloads.entrySet()) {
				for (int i = 0; i < pollers.length; i++) {
					// Alternate which count goes first, so that neither always runs on a warmer machine.
					int count = pollers[(round % 2 == 0) ? pollers.length - 1 - i : i];
					double value = echo(count, workload.getValue()[0], workload.getValue()[1], seconds, warmup);
					results.computeIfAbsent(workload.getKey() + "|" + count, (key) -> new ArrayList<>()).add(value);
					System.err.printf(Locale.ROOT, "round %d %-26s %d poller(s) %,12.0f%n", round, workload.getKey(),
							count, value);
				}
			}
		}
		System.out.println("| workload | numPollers | median | min–max | ratio vs " + pollers[0] + " |");
		System.out.println("|---|---|---|---|---|");
		for (String workload : workloads.keySet()) {
			double baseline = median(results.get(workload + "|" + pollers[0]));
			for (int count : pollers) {
				List<Double> values = results.get(workload + "|" + count);
				System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %,.0f–%,.0f | %.2f |%n", workload, count,
						median(values), values.stream().mapToDouble(Double::doubleValue).min().orElse(0),
						values.stream().mapToDouble(Double::doubleValue).max().orElse(0), median(values) / baseline);
			}
		}
		System.out.printf(Locale.ROOT, "%n%d rounds × %d s after %d s of warm-up, JDK %s, %d cores%n", rounds, seconds,
				warmup, Runtime.version(), Runtime.getRuntime().availableProcessors());
	}

	private static double echo(int pollers, int connections, int size, int seconds, int warmup) throws Exception {
		List<String> options = new ArrayList<>(ComparisonBenchmark.serverOptions());
		options.add("-D" + ThousandIslandServer.NUM_POLLERS_PROPERTY + "=" + pollers);
		try (ChildProcess server = ChildProcess.startJava("server", options, BenchmarkServer.class,
				List.of(Peer.THOUSAND_ISLAND.id(), "echo"))) {
			String[] ready = server.expect("ready", Duration.ofSeconds(60));
			try (ChildProcess load = ChildProcess.startJava("load", ComparisonBenchmark.loadOptions(),
					LoadGenerator.class, List.of("echo", ready[1], String.valueOf(connections), String.valueOf(size),
							String.valueOf(warmup * 1000), String.valueOf(seconds * 1000)))) {
				String[] result = load.expect("echo", Duration.ofSeconds(warmup + seconds + 120));
				long messages = Long.parseLong(result[2]);
				long bytes = Long.parseLong(result[3]);
				return (size >= RunSettings.BULK_MESSAGE) ? bytes / 1e6 / seconds : messages / (double) seconds;
			}
		}
	}

	private static double median(List<Double> values) {
		double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
		Arrays.sort(sorted);
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

}
