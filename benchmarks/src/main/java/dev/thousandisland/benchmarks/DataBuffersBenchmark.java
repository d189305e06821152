package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.thousandisland.DataBuffers;

/**
 * What the default {@link DataBuffers#OWNED} (a right-sized heap copy of each read, the handler's
 * to keep) costs against the zero-copy {@link DataBuffers#LENT} (the pooled read buffer lent for
 * the callback, which is how every read was handed over before {@code dataBuffers} existed): echo
 * of 64-byte messages at 100 connections and of 16 KiB messages at 100 connections, each mode in
 * a fresh server JVM, the modes' order alternating from round to round.
 * {@code DataBuffersBenchmark [rounds] [seconds] [warm-up seconds]} (3, 5 and 3 by default).
 * Prints each measurement, then the medians and the ratio OWNED ÷ LENT per workload.
 */
public final class DataBuffersBenchmark {

	private DataBuffersBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 3;
		int seconds = (args.length > 1) ? Integer.parseInt(args[1]) : 5;
		int warmup = (args.length > 2) ? Integer.parseInt(args[2]) : 3;
		List<Workload> workloads = List.of(
				new Workload("echo 64 B, 100 connections", RunSettings.ECHO_FEW, RunSettings.SMALL_MESSAGE, false),
				new Workload("echo 16 KiB, 100 connections (bulk)", RunSettings.BULK_CONNECTIONS,
						RunSettings.BULK_MESSAGE, true));
		Map<Workload, Map<DataBuffers, Samples>> results = new java.util.LinkedHashMap<>();
		List<DataBuffers> modes = new ArrayList<>(List.of(DataBuffers.OWNED, DataBuffers.LENT));
		for (int round = 1; round <= rounds; round++) {
			for (Workload workload : workloads) {
				for (DataBuffers mode : modes) {
					double value = measure(workload, mode, seconds, warmup);
					results.computeIfAbsent(workload, (key) -> new EnumMap<>(DataBuffers.class))
						.computeIfAbsent(mode, (key) -> new Samples())
						.add(value);
					System.err.printf(Locale.ROOT, "round %d %-40s %-6s %,.1f %s%n", round, workload.label(), mode,
							value, workload.unit());
				}
			}
			Collections.reverse(modes);
		}
		System.out.printf(Locale.ROOT, "%n| workload | OWNED (default) | LENT (before) | OWNED ÷ LENT |%n|---|---|---|---|%n");
		for (Map.Entry<Workload, Map<DataBuffers, Samples>> entry : results.entrySet()) {
			Samples owned = entry.getValue().get(DataBuffers.OWNED);
			Samples lent = entry.getValue().get(DataBuffers.LENT);
			System.out.printf(Locale.ROOT, "| %s | %s | %s | %.3f |%n", entry.getKey().label(),
					cell(owned, entry.getKey()), cell(lent, entry.getKey()), owned.median() / lent.median());
		}
	}

	private static String cell(Samples samples, Workload workload) {
		return String.format(Locale.ROOT, "%,.1f %s (%,.1f–%,.1f)", samples.median(), workload.unit(), samples.min(),
				samples.max());
	}

	private static double measure(Workload workload, DataBuffers mode, int seconds, int warmup)
			throws IOException, InterruptedException {
		List<String> options = new ArrayList<>(ComparisonBenchmark.serverOptions());
		options.add("-D" + ThousandIslandServer.DATA_BUFFERS_PROPERTY + "=" + mode.name());
		try (ChildProcess server = ChildProcess.startJava("server " + mode, options, BenchmarkServer.class,
				List.of(Peer.THOUSAND_ISLAND.id(), "echo"))) {
			String[] ready = server.expect("ready", Duration.ofSeconds(60));
			try (ChildProcess load = ChildProcess.startJava("load", ComparisonBenchmark.loadOptions(),
					LoadGenerator.class, List.of("echo", ready[1], String.valueOf(workload.connections()),
							String.valueOf(workload.size()), String.valueOf(warmup * 1000L),
							String.valueOf(seconds * 1000L)))) {
				String[] result = load.expect("echo", Duration.ofSeconds(warmup + seconds + 120L));
				long failures = Long.parseLong(result[7]);
				if (failures > 0 || Long.parseLong(result[1]) < workload.connections()) {
					System.err.println(mode + " " + workload.label() + ": " + result[1] + " connected, " + failures
							+ " failures");
				}
				return workload.bulk() ? Long.parseLong(result[3]) / 1e6 / seconds
						: Long.parseLong(result[2]) / (double) seconds;
			}
		}
	}

	private record Workload(String label, int connections, int size, boolean bulk) {

		String unit() {
			return this.bulk ? "MB/s" : "msg/s";
		}

	}

}
