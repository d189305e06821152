package dev.thousandisland.benchmarks;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Markdown report of a comparison run: the machine, how the run was made, one row per
 * workload (medians with min–max for each server, the ratio against every peer with the target
 * against that peer), Thousand Island's framed echoes ÷ its own raw echo, echo latency
 * percentiles, and notes.
 */
final class ResultsTable {

	/**
	 * Why the targets this table marks missed stay missed, with where the measurement that shows
	 * it lives: the causes belong to the design and outlast any one run.
	 */
	static final String WHY_MISSED = "Why a target is missed, with the profile or count that shows it, is in "
			+ "[docs/benchmarks.md](../docs/benchmarks.md#targets-still-missed-and-why). In short: the small echoes and "
			+ "their CPU pay a virtual-thread start per message, through the JDK's MasterPoller whenever the pollers "
			+ "run dry (per-thread counts: [third pass](../docs/benchmarks.md#third-pass-2026-12-07-the-per-message-wake-up)); "
			+ "bulk and pipelined pay the isolation copy and a zeroed allocation per read (without them, `LENT`, bulk "
			+ "reaches about 0.97× Netty); heap per idle connection is mostly the JDK's own socket channel and "
			+ "selection key (`jmap -histo:live`); the drain is CPU-bound in ending each idle connection on a thread "
			+ "of its own: the `close` call, the wait for its key's cancellation and the first compiling of that path "
			+ "(JFR and async-profiler; [the comparison](../docs/benchmarks.md#the-comparison-2026-12-07)).";

	/** Every server but Thousand Island: one ratio column each. */
	private static final Peer[] PEERS = Arrays.stream(Peer.values())
		.filter((peer) -> peer != Peer.THOUSAND_ISLAND)
		.toArray(Peer[]::new);

	private ResultsTable() {
	}

	static String render(Results results, MachineInfo machine, RunSettings settings) {
		StringBuilder out = new StringBuilder();
		out.append("# Thousand Island vs Netty epoll, Reactor Netty, Spring Integration and naive virtual threads\n\n");
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
				"- Method: %d interleaved round(s); in each, every workload runs on every server in turn "
						+ "(their order rotating each round), each measurement in a fresh server JVM and a fresh "
						+ "load-generator JVM; throughput counts %d s after a %d s warm-up. Cells are medians over "
						+ "the rounds (min–max). Each ratio is Thousand Island's median ÷ that server's, followed by "
						+ "the target against that server where there is one and whether it is met. Server CPU per message is the server JVM's process CPU time "
						+ "(OperatingSystemMXBean.getProcessCpuTime, all threads, user and system) over the load "
						+ "generator's measurement window, divided by the messages (connections, for churn) counted "
						+ "in that window.%n",
				settings.rounds(), settings.seconds(), settings.warmupSeconds()));
		out.append("- Load generator: a separate JVM on the loopback interface; plain Java NIO (non-blocking "
				+ "`SocketChannel`s, one selector thread per core, client sources spread over 127.0.0.2–254) for "
				+ "echo, churn and idle connections; blocking JDK `SSLSocket` clients (`TlsLoad`) for TLS. A raw echo "
				+ "reply must be as long as the message; a framed one (line, length-prefixed) must equal it byte for "
				+ "byte, and a framed message still unanswered 1 s after the window closes counts as a failure.\n");
		for (Peer peer : Peer.values()) {
			if (!Workload.TLS_HANDSHAKES.runsOn(peer)) {
				out.append("- ").append(peer.label()).append(" takes no part in the TLS workloads (n/a there).\n");
			}
		}
		out.append("- Server JVMs: `").append(String.join(" ", ComparisonBenchmark.serverOptions())).append("`\n");
		for (Map.Entry<Peer, Set<String>> entry : results.descriptions().entrySet()) {
			out.append("- ").append(entry.getKey().label()).append(": ")
				.append(String.join("; ", entry.getValue()))
				.append('\n');
		}
		out.append('\n');
		out.append("| workload");
		for (Peer peer : Peer.values()) {
			out.append(" | ").append(peer.label());
		}
		for (Peer peer : PEERS) {
			out.append(" | ÷ ").append(peer.label());
		}
		out.append(" | target on Thousand Island's own value |\n|---");
		out.append("|---".repeat(Peer.values().length + PEERS.length + 1)).append("|\n");
		for (Metric metric : results.metrics()) {
			if (Arrays.stream(Peer.values()).allMatch((peer) -> results.samples(metric, peer).isEmpty())) {
				continue; // a workload this run left out (benchmarks.workloads)
			}
			double ours = results.samples(metric, Peer.THOUSAND_ISLAND).median();
			out.append("| ").append(metric.label());
			for (Peer peer : Peer.values()) {
				out.append(" | ").append(cell(metric, results.samples(metric, peer)));
			}
			for (Peer peer : PEERS) {
				out.append(" | ").append(ratioCell(results, metric, peer));
			}
			Metric.Target own = metric.targets().ownValue();
			out.append(" | ").append(own.describe(metric.unit())).append(verdict(own.isMet(ours, Double.NaN)));
			out.append(" |\n");
		}
		out.append("\nRows marked \"lower is better\" are better below 1.00×; the others above. Against Spring "
				+ "Integration the target is ≥ 2× its throughput or ≤ 0.5× its server CPU per message: a workload "
				+ "meets it when either its throughput row or its CPU row does.\n");
		out.append("\n").append(WHY_MISSED).append("\n");
		renderBaselines(results, out);
		out.append("\nMemory is measured inside the server JVM after full GCs, before and after the idle connections "
				+ "are opened (VmRSS from /proc/self/status; heap used from the MemoryMXBean), divided by the number of "
				+ "connections. Drain is the time from the server's stop() call to the last close seen by the client "
				+ "(System.nanoTime is the same monotonic clock in both processes; it includes the client noticing the "
				+ "closes), and separately the time until the server's stop returned: Thousand Island `server.stop()` "
				+ "(default shutdownTimeout), Netty `channelGroup.close()` then `shutdownGracefully(0, 5 s)`, Reactor Netty "
				+ "`disposeNow(5 s)`, Spring Integration the factory's `stop()`, the naive "
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

	/**
	 * Writes Thousand Island against itself: each compared row's median ÷ its baseline's (a framed
	 * echo ÷ the raw echo of the same run), and whether framing moves its ratio against Netty.
	 */
	private static void renderBaselines(Results results, StringBuilder out) {
		StringBuilder rows = new StringBuilder();
		for (Map.Entry<Metric, Results.Baseline> entry : results.baselines().entrySet()) {
			Metric metric = entry.getKey();
			Metric baseline = entry.getValue().metric();
			Samples ours = results.samples(metric, Peer.THOUSAND_ISLAND);
			Samples base = results.samples(baseline, Peer.THOUSAND_ISLAND);
			if (ours.isEmpty() || base.isEmpty()) {
				continue;
			}
			double ratio = ours.median() / base.median();
			Metric.Target target = entry.getValue().target();
			Boolean met = target.isMet(ours.median(), ratio);
			double vsNetty = results.ratio(metric);
			double baseVsNetty = results.ratio(baseline);
			rows.append("| ").append(metric.label()).append(" | ").append(baseline.label())
				.append(String.format(Locale.ROOT, " | %.2f× | ", ratio))
				.append(target.describe(metric.unit()))
				.append(verdict(met))
				.append(String.format(Locale.ROOT, " | %.2f× vs %.2f×", vsNetty, baseVsNetty));
			if (met != null && Double.isFinite(vsNetty) && Double.isFinite(baseVsNetty)) {
				boolean noWorse = metric.lowerIsBetter() ? vsNetty <= baseVsNetty : vsNetty >= baseVsNetty;
				rows.append(noWorse ? " — no worse" : " — **worse**");
			}
			rows.append(" |\n");
		}
		if (rows.isEmpty()) {
			return;
		}
		out.append("\n## Thousand Island framed ÷ its own raw echo (same run)\n\n");
		out.append("Each framed row's Thousand Island median ÷ Thousand Island's median of its raw-echo row, and "
				+ "Thousand Island ÷ Netty epoll on the framed row against the same on the raw row (the framing "
				+ "issue asks for framed ≥ 0.95× raw, and no worse against Netty than raw echo is).\n\n");
		out.append("| row | raw-echo row | Thousand Island: row ÷ raw | target | ÷ Netty epoll: row vs raw |\n");
		out.append("|---|---|---|---|---|\n").append(rows);
	}

	/**
	 * Writes one ratio, then its target against that server and whether it is met, such as
	 * {@code 0.71× (≥ 1.00×: **missed**)}.
	 */
	private static String ratioCell(Results results, Metric metric, Peer peer) {
		double ratio = results.ratio(metric, peer);
		if (!Double.isFinite(ratio)) {
			return "n/a";
		}
		String cell = String.format(Locale.ROOT, "%.2f×", ratio);
		Metric.Target target = metric.targets().against(peer);
		Boolean met = target.isMet(results.samples(metric, Peer.THOUSAND_ISLAND).median(), ratio);
		if (met == null) {
			return cell;
		}
		return cell + " (" + target.describe(metric.unit()) + (met ? ": met)" : ": **missed**)");
	}

	private static String verdict(Boolean met) {
		return (met == null) ? "" : (met ? " — met" : " — **missed**");
	}

	private static String cell(Metric metric, Samples samples) {
		if (samples.isEmpty()) {
			return "n/a";
		}
		String median = metric.unit().format(samples.median());
		if (samples.size() == 1) {
			return median;
		}
		return median + " (" + metric.unit().formatBare(samples.min()) + "–" + metric.unit().formatBare(samples.max())
				+ ")";
	}

}
