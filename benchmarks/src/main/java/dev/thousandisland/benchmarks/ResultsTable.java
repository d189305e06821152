package dev.thousandisland.benchmarks;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Markdown report of a comparison run: the machine, how the run was made, one row per
 * workload (medians with min–max for each server, the ratio against Netty, the target), echo
 * latency percentiles, and notes.
 */
final class ResultsTable {

	private ResultsTable() {
	}

	static String render(Results results, MachineInfo machine, RunSettings settings) {
		StringBuilder out = new StringBuilder();
		out.append("# Thousand Island vs Netty epoll vs naive virtual threads\n\n");
		if (settings.quick()) {
			out.append("> **Smoke run** (`benchmarks/run quick`): one short round at reduced scale, to check that the "
					+ "harness works. These numbers are not a measurement; run `benchmarks/run all` for that.\n\n");
		}
		out.append("- Date: ").append(machine.date()).append('\n');
		out.append("- JDK: ").append(machine.jdk()).append('\n');
		out.append("- CPU: ").append(machine.cpuModel()).append(", ").append(machine.cores()).append(" cores\n");
		out.append("- OS: ").append(machine.os()).append("; open-files hard limit ")
			.append((machine.openFilesLimit() < 0) ? "unknown" : String.format(Locale.ROOT, "%,d", machine.openFilesLimit()))
			.append('\n');
		out.append(String.format(Locale.ROOT,
				"- Method: %d interleaved round(s); in each, every workload runs on the three servers in turn "
						+ "(their order rotating each round), each measurement in a fresh server JVM and a fresh "
						+ "load-generator JVM; throughput counts %d s after a %d s warm-up. Cells are medians over "
						+ "the rounds (min–max). Ratio = Thousand Island ÷ Netty epoll.%n",
				settings.rounds(), settings.seconds(), settings.warmupSeconds()));
		out.append("- Load generator: a separate JVM on the loopback interface; plain Java NIO (non-blocking "
				+ "`SocketChannel`s, one selector thread per core, client sources spread over 127.0.0.2–254) for "
				+ "echo, churn and idle connections; blocking JDK `SSLSocket` clients (`TlsLoad`) for TLS.\n");
		out.append("- Server JVMs: `").append(String.join(" ", ComparisonBenchmark.serverOptions())).append("`\n");
		for (Map.Entry<Peer, Set<String>> entry : results.descriptions().entrySet()) {
			out.append("- ").append(entry.getKey().label()).append(": ")
				.append(String.join("; ", entry.getValue()))
				.append('\n');
		}
		out.append('\n');
		out.append("| workload | Thousand Island | Netty epoll | naive VT | ratio vs Netty | target |\n");
		out.append("|---|---|---|---|---|---|\n");
		for (Metric metric : results.metrics()) {
			double ratio = results.ratio(metric);
			double ours = results.samples(metric, Peer.THOUSAND_ISLAND).median();
			Boolean met = metric.target().isMet(ours, ratio);
			out.append("| ").append(metric.label());
			for (Peer peer : Peer.values()) {
				out.append(" | ").append(cell(metric, results.samples(metric, peer)));
			}
			out.append(" | ")
				.append(Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2f×", ratio) : "n/a")
				.append(metric.lowerIsBetter() ? " (lower is better)" : "");
			out.append(" | ").append(metric.target().describe(metric.unit()));
			if (met != null) {
				out.append(met ? " — met" : " — **missed**");
			}
			out.append(" |\n");
		}
		out.append("\nMemory is measured inside the server JVM after full GCs, before and after the idle connections "
				+ "are opened (VmRSS from /proc/self/status; heap used from the MemoryMXBean), divided by the number of "
				+ "connections. Drain is the time from the server's stop() call to the last close seen by the client "
				+ "(System.nanoTime is the same monotonic clock in both processes; it includes the client noticing the "
				+ "closes), and separately the time until the server's stop returned: Thousand Island `server.stop()` "
				+ "(default shutdownTimeout), Netty `channelGroup.close()` then `shutdownGracefully(0, 5 s)`, the naive "
				+ "server closing its listen socket and every connection's socket.\n");
		if (!results.latencies().isEmpty()) {
			out.append("\n## Echo round-trip latency (µs, medians over the rounds)\n\n");
			out.append("| workload | server | p50 | p99 | p99.9 |\n|---|---|---|---|---|\n");
			for (Map.Entry<String, Map<Peer, Samples[]>> workload : results.latencies().entrySet()) {
				for (Peer peer : Peer.values()) {
					Samples[] samples = workload.getValue().get(peer);
					if (samples == null) {
						continue;
					}
					out.append("| ").append(workload.getKey()).append(" | ").append(peer.label());
					for (Samples percentile : samples) {
						out.append(" | ").append(String.format(Locale.ROOT, "%,.0f", percentile.median()));
					}
					out.append(" |\n");
				}
			}
		}
		if (!results.notes().isEmpty()) {
			out.append("\n## Notes\n\n");
			for (String note : results.notes()) {
				out.append("- ").append(note).append('\n');
			}
		}
		return out.toString();
	}

	private static String cell(Metric metric, Samples samples) {
		if (samples.isEmpty()) {
			return "failed";
		}
		String median = metric.unit().format(samples.median());
		if (samples.size() == 1) {
			return median;
		}
		return median + " (" + metric.unit().formatBare(samples.min()) + "–" + metric.unit().formatBare(samples.max())
				+ ")";
	}

}
