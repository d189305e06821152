package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code callbacksOnPoller} buys: Thousand Island at its defaults (a thread started per
 * message, since connections hibernate at every wait) and with {@code callbacksOnPoller} (the
 * poller's own thread serves a readable connection), each against Netty on native epoll, in the
 * same run. Echo of 64-byte messages at 100 and 1,000 connections, of 16 KiB at 100, and 16
 * pipelined 64-byte requests per write at 100; throughput and the server's CPU per message. Each
 * measurement in a fresh server JVM and a fresh load-generator JVM; the servers' order rotates
 * from round to round. {@code PollerCallbacksBenchmark [rounds] [seconds] [warm-up seconds]} (3,
 * 5 and 3 by default). Prints each measurement, then the medians and the ratios.
 */
public final class PollerCallbacksBenchmark {

	private PollerCallbacksBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 3;
		int seconds = (args.length > 1) ? Integer.parseInt(args[1]) : 5;
		int warmup = (args.length > 2) ? Integer.parseInt(args[2]) : 3;
		List<Workload> workloads = List.of(
				new Workload("echo 64 B, 100 connections", RunSettings.ECHO_FEW, RunSettings.SMALL_MESSAGE, 1, false),
				new Workload("echo 64 B, 1,000 connections", RunSettings.ECHO_MANY, RunSettings.SMALL_MESSAGE, 1,
						false),
				new Workload("echo 16 KiB, 100 connections (bulk)", RunSettings.BULK_CONNECTIONS,
						RunSettings.BULK_MESSAGE, 1, true),
				new Workload("pipelined 16 × 64 B, 100 connections", RunSettings.PIPELINE_CONNECTIONS,
						RunSettings.PIPELINE_DEPTH * RunSettings.SMALL_MESSAGE, RunSettings.PIPELINE_DEPTH, false));
		List<Contender> contenders = new ArrayList<>(List.of(Contender.values()));
		Map<Workload, Map<Contender, Samples[]>> results = new LinkedHashMap<>();
		for (int round = 1; round <= rounds; round++) {
			for (Workload workload : workloads) {
				for (Contender contender : contenders) {
					double[] measured = measure(workload, contender, seconds, warmup);
					Samples[] samples = results.computeIfAbsent(workload, (key) -> new LinkedHashMap<>())
						.computeIfAbsent(contender, (key) -> new Samples[] { new Samples(), new Samples() });
					samples[0].add(measured[0]);
					samples[1].add(measured[1]);
					System.err.printf(Locale.ROOT, "round %d %-40s %-22s %,.1f %s, %.2f µs CPU per message%n", round,
							workload.label(), contender.label, measured[0], workload.unit(), measured[1]);
				}
			}
			Collections.rotate(contenders, 1);
		}
		System.out.printf(Locale.ROOT, "%n| workload | Netty epoll | Thousand Island | with callbacksOnPoller "
				+ "| default ÷ Netty | callbacksOnPoller ÷ Netty | callbacksOnPoller ÷ default |%n"
				+ "|---|---|---|---|---|---|---|%n");
		for (Map.Entry<Workload, Map<Contender, Samples[]>> entry : results.entrySet()) {
			Workload workload = entry.getKey();
			Samples[] netty = entry.getValue().get(Contender.NETTY);
			Samples[] plain = entry.getValue().get(Contender.DEFAULT);
			Samples[] onPoller = entry.getValue().get(Contender.ON_POLLER);
			System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", workload.label(),
					cell(netty, workload), cell(plain, workload), cell(onPoller, workload), ratios(plain, netty),
					ratios(onPoller, netty), ratios(onPoller, plain));
		}
	}

	private static String cell(Samples[] samples, Workload workload) {
		return String.format(Locale.ROOT, "%,.1f %s (%,.1f–%,.1f), %.2f µs CPU", samples[0].median(), workload.unit(),
				samples[0].min(), samples[0].max(), samples[1].median());
	}

	private static String ratios(Samples[] ours, Samples[] theirs) {
		return String.format(Locale.ROOT, "%.2f× (CPU %.2f×)", ours[0].median() / theirs[0].median(),
				ours[1].median() / theirs[1].median());
	}

	/** @return throughput in the workload's unit, and the server's CPU microseconds per message */
	private static double[] measure(Workload workload, Contender contender, int seconds, int warmup)
			throws IOException, InterruptedException {
		List<String> options = new ArrayList<>(ComparisonBenchmark.serverOptions());
		if (contender == Contender.ON_POLLER) {
			options.add("-D" + ThousandIslandServer.CALLBACKS_ON_POLLER_PROPERTY + "=true");
		}
		Duration timeout = Duration.ofSeconds(warmup + seconds + 120L);
		try (ChildProcess server = ChildProcess.startJava("server " + contender.label, options, BenchmarkServer.class,
				List.of(contender.peer.id(), "echo"))) {
			String[] ready = server.expect("ready", Duration.ofSeconds(60));
			try (ChildProcess load = ChildProcess.startJava("load", ComparisonBenchmark.loadOptions(),
					LoadGenerator.class, List.of("echo", ready[1], String.valueOf(workload.connections()),
							String.valueOf(workload.size()), String.valueOf(warmup * 1000L),
							String.valueOf(seconds * 1000L)))) {
				long cpuNanos = ServerCpu.overWindow(server, load, timeout);
				String[] result = load.expect("echo", timeout);
				long failures = Long.parseLong(result[7]);
				if (failures > 0 || Long.parseLong(result[1]) < workload.connections()) {
					System.err.println(contender.label + " " + workload.label() + ": " + result[1] + " connected, "
							+ failures + " failures");
				}
				long messages = Long.parseLong(result[2]) * workload.messagesPerEcho();
				double throughput = workload.bulk() ? Long.parseLong(result[3]) / 1e6 / seconds
						: messages / (double) seconds;
				return new double[] { throughput, cpuNanos / 1e3 / Math.max(messages, 1) };
			}
		}
	}

	private enum Contender {

		NETTY(Peer.NETTY_EPOLL, "Netty epoll"), DEFAULT(Peer.THOUSAND_ISLAND, "Thousand Island"),
		ON_POLLER(Peer.THOUSAND_ISLAND, "TI callbacksOnPoller");

		private final Peer peer;

		private final String label;

		Contender(Peer peer, String label) {
			this.peer = peer;
			this.label = label;
		}

	}

	private record Workload(String label, int connections, int size, int messagesPerEcho, boolean bulk) {

		String unit() {
			return this.bulk ? "MB/s" : "msg/s";
		}

	}

}
