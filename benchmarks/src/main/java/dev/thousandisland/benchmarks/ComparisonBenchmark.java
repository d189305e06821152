package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.netty.channel.epoll.Epoll;
import io.netty.util.Version;

import dev.thousandisland.benchmarks.Metric.Unit;

/**
 * Thousand Island against Netty 4.2 on native epoll, Reactor Netty's {@code TcpServer}, Spring
 * Integration IP's TCP connection factory and a naive JDK virtual-thread server, on the same
 * workloads: small-message echo at 100 and 1,000 connections, the same 100-connection echo through
 * each framework's own line framing and 4-byte length-prefixed framing (with Thousand Island's
 * framed ÷ raw echo of the same run), bulk echo, pipelined requests (16 small ones written at
 * once), connection churn, the server's CPU time per message in each of these ({@link ServerCpu}),
 * TLS 1.3 handshakes and bulk, memory per idle connection, and the drain time of {@code stop()}. The idle workloads run Thousand Island a second time with
 * hibernation off ({@code hibernateAfter} never: one parked thread per connection), against the
 * peers' figures of the same round. {@code ComparisonBenchmark [rounds] [seconds] [warm-up seconds]} or
 * {@code ComparisonBenchmark quick}.
 *
 * <p>Every measurement starts a fresh server JVM ({@link BenchmarkServer}) and a fresh load
 * generator JVM ({@link LoadGenerator}, or {@link TlsLoad} for TLS), so that neither shares threads,
 * heap or JIT state with the other or with the previous measurement. Each round runs every
 * workload on every server, the servers' order rotating from round to round, so that they
 * share the machine's noise; the results are medians over the rounds with their min–max, and
 * ratios of Thousand Island's median to each peer's. They are written to {@code results.md} and
 * {@code results.svg} in the directory named by the {@code benchmarks.output} system property
 * ({@code benchmarks} by default).
 */
public final class ComparisonBenchmark {

	private final RunSettings settings;

	private final Path trustStore;

	private final Results results;

	private final ComparisonRows rows;

	private final Set<Workload> workloads;

	private ComparisonBenchmark(RunSettings settings, Path trustStore, Results results) {
		this.settings = settings;
		this.trustStore = trustStore;
		this.results = results;
		this.rows = new ComparisonRows(settings, results);
		this.workloads = Workload.selected();
	}

	public static void main(String[] args) throws Exception {
		// Fail at once, before any measurement, rather than compare against something other than epoll.
		Epoll.ensureAvailability();
		System.err.println("Netty native epoll is available (netty-transport-native-epoll "
				+ Version.identify().get("netty-transport-native-epoll").artifactVersion() + ")");
		Results results = new Results();
		MachineInfo machine = MachineInfo.current();
		RunSettings settings = RunSettings.parse(args).fitTo(machine.openFilesLimit(), results);
		Path output = Path.of(System.getProperty("benchmarks.output", "benchmarks"));
		System.err.printf("%s: %d round(s) × %d s after %d s warm-up; idle %,d and %,d; JDK %s; %s, %d cores%n",
				settings.quick() ? "SMOKE RUN" : "comparison", settings.rounds(), settings.seconds(),
				settings.warmupSeconds(), settings.idleSmall(), settings.idleLarge(), Runtime.version(),
				machine.cpuModel(), machine.cores());
		Path store = BenchmarkCertificate.create();
		try {
			ComparisonBenchmark benchmark = new ComparisonBenchmark(settings, store, results);
			for (int round = 1; round <= settings.rounds(); round++) {
				benchmark.round(round);
			}
		}
		finally {
			Files.deleteIfExists(store);
			Files.deleteIfExists(store.getParent());
		}
		String table = ResultsTable.render(results, machine, settings);
		Files.createDirectories(output);
		// RedisClientBenchmark's section of results.md comes from another run: keep it.
		Files.writeString(output.resolve("results.md"),
				table + ClientRedisResults.keptSection(output.resolve("results.md")), StandardCharsets.UTF_8);
		Files.writeString(output.resolve("results.svg"), RatioChart.render(results, machine, settings),
				StandardCharsets.UTF_8);
		System.out.println(table);
		System.err.println("wrote " + output.resolve("results.md") + " and " + output.resolve("results.svg"));
	}

	/**
	 * Runs every workload on every server, in an order of servers rotated by the round number.
	 */
	private void round(int round) throws InterruptedException {
		List<Peer> order = new ArrayList<>(Arrays.asList(Peer.values()));
		Collections.rotate(order, -(round - 1));
		for (Workload workload : this.workloads) {
			for (Peer peer : order) {
				if (!workload.runsOn(peer)) {
					continue;
				}
				try {
					run(workload, peer, round);
				}
				catch (IOException | RuntimeException ex) {
					String note = String.format(Locale.ROOT, "round %d, %s, %s: failed: %s", round, workload,
							peer.label(), ex.getMessage());
					this.results.note(note);
					System.err.println(note);
					ex.printStackTrace();
				}
			}
		}
	}

	private void run(Workload workload, Peer peer, int round) throws IOException, InterruptedException {
		switch (workload) {
			case ECHO_FEW -> echo(peer, round, this.rows.echoFew, RunSettings.ECHO_FEW, RunSettings.SMALL_MESSAGE);
			case FRAMED_LINE -> echo(peer, round, this.rows.framedLine, Protocol.LINE_ECHO, EchoClients.Framing.LINE);
			case FRAMED_LENGTH -> echo(peer, round, this.rows.framedLength, Protocol.LENGTH_ECHO,
					EchoClients.Framing.LENGTH);
			case ECHO_MANY -> echo(peer, round, this.rows.echoMany, RunSettings.ECHO_MANY, RunSettings.SMALL_MESSAGE);
			case ECHO_BULK -> echo(peer, round, this.rows.echoBulk, RunSettings.BULK_CONNECTIONS,
					RunSettings.BULK_MESSAGE);
			case PIPELINED -> echo(peer, round, this.rows.pipelined, RunSettings.PIPELINE_CONNECTIONS,
					RunSettings.PIPELINE_DEPTH * RunSettings.SMALL_MESSAGE);
			case CHURN -> churn(peer, round);
			case TLS_HANDSHAKES -> tls(peer, round, this.rows.tlsHandshakes, "handshakes",
					RunSettings.TLS_HANDSHAKE_THREADS);
			case TLS_BULK -> tls(peer, round, this.rows.tlsBulk, "bulk", RunSettings.TLS_BULK_CONNECTIONS);
			case IDLE_SMALL -> idle(peer, round, this.settings.idleSmall(), this.rows.idleSmall,
					this.rows.idleSmallParked);
			case IDLE_LARGE -> idle(peer, round, this.settings.idleLarge(), this.rows.idleLarge,
					this.rows.idleLargeParked);
		}
	}

	/**
	 * Runs an echo workload. For the pipelined one, each echoed buffer is {@link RunSettings#PIPELINE_DEPTH}
	 * requests written at once; the server answers each read with one write, and every request
	 * that came back counts.
	 */
	private void echo(Peer peer, int round, Metric metric, int connections, int size)
			throws IOException, InterruptedException {
		echo(peer, round, metric, connections, size, Protocol.ECHO, EchoClients.Framing.RAW);
	}

	/**
	 * Runs a framed echo workload: {@link RunSettings#ECHO_FEW} connections, each message one
	 * {@link RunSettings#SMALL_MESSAGE}-byte frame, which the server decodes and sends back framed
	 * with its own framework's framing; the clients check every reply against the message.
	 */
	private void echo(Peer peer, int round, Metric metric, Protocol protocol, EchoClients.Framing framing)
			throws IOException, InterruptedException {
		echo(peer, round, metric, RunSettings.ECHO_FEW, RunSettings.SMALL_MESSAGE, protocol, framing);
	}

	private void echo(Peer peer, int round, Metric metric, int connections, int size, Protocol protocol,
			EchoClients.Framing framing) throws IOException, InterruptedException {
		try (RunningServer server = startServer(peer, protocol, false);
				ChildProcess load = startLoad("echo", server.port(), connections, size,
						this.settings.warmupSeconds() * 1000, this.settings.seconds() * 1000,
						framing.name().toLowerCase(Locale.ROOT))) {
			long cpuNanos = ServerCpu.overWindow(server.process(), load, measurementTimeout());
			String[] result = load.expect("echo", measurementTimeout());
			long connected = Long.parseLong(result[1]);
			long messages = Long.parseLong(result[2]) * ((metric == this.rows.pipelined) ? RunSettings.PIPELINE_DEPTH : 1);
			long bytes = Long.parseLong(result[3]);
			long[] latency = { Long.parseLong(result[4]), Long.parseLong(result[5]), Long.parseLong(result[6]) };
			long failures = Long.parseLong(result[7]);
			double value = (metric.unit() == Unit.MEGABYTES_PER_SECOND) ? bytes / 1e6 / this.settings.seconds()
					: messages / (double) this.settings.seconds();
			checkClients(round, metric, peer, connections, connected, failures);
			record(round, metric, peer, value, String.format(Locale.ROOT, "p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs",
					latency[0] / 1e3, latency[1] / 1e3, latency[2] / 1e3));
			this.results.addLatency(metric.label(), peer, latency);
			recordCpu(round, metric, peer, cpuNanos, messages);
		}
	}

	private void recordCpu(int round, Metric throughput, Peer peer, long cpuNanos, long messages) {
		if (messages > 0 && cpuNanos >= 0) {
			record(round, this.rows.cpuPerMessage(throughput), peer, cpuNanos / 1e3 / messages, "");
		}
	}

	private void churn(Peer peer, int round) throws IOException, InterruptedException {
		try (RunningServer server = startServer(peer, Protocol.DAYTIME, false);
				ChildProcess load = startLoad("churn", server.port(), RunSettings.CHURN_IN_FLIGHT,
						this.settings.warmupSeconds() * 1000, this.settings.seconds() * 1000)) {
			long cpuNanos = ServerCpu.overWindow(server.process(), load, measurementTimeout());
			String[] result = load.expect("churn", measurementTimeout());
			long completed = Long.parseLong(result[1]);
			long failures = Long.parseLong(result[2]);
			if (failures > 0) {
				note(round, this.rows.churn, peer, failures + " connects or reads failed");
			}
			record(round, this.rows.churn, peer, completed / (double) this.settings.seconds(),
					failures + " failures, " + result[3] + " connects started in warm-up and measurement");
			recordCpu(round, this.rows.churn, peer, cpuNanos, completed);
		}
	}

	private void tls(Peer peer, int round, Metric metric, String mode, int threads)
			throws IOException, InterruptedException {
		try (RunningServer server = startServer(peer, Protocol.ECHO, true);
				ChildProcess load = ChildProcess.startJava("TlsLoad " + mode, loadOptions(), TlsLoad.class,
						List.of(mode, String.valueOf(server.port()), this.trustStore.toString(),
								String.valueOf(threads), String.valueOf(this.settings.seconds()),
								String.valueOf(this.settings.warmupSeconds() * 1000)))) {
			String[] result = load.expect(null, measurementTimeout());
			long done = Long.parseLong(result[0]);
			long failures = Long.parseLong(result[1]);
			if (failures > 0) {
				note(round, metric, peer, failures + " TLS client failures");
			}
			double value = mode.equals("handshakes") ? done / (double) this.settings.seconds()
					: done / 1e6 / this.settings.seconds();
			record(round, metric, peer, value, failures + " failures");
		}
	}

	/**
	 * Runs an idle workload: Thousand Island twice, with its defaults (a waiting connection
	 * hibernates) and with hibernation off, one parked thread per connection; a peer once, its
	 * figures counting for both rows.
	 */
	private void idle(Peer peer, int round, int count, ComparisonRows.IdleRows metrics, ComparisonRows.IdleRows parked)
			throws IOException, InterruptedException {
		if (peer == Peer.THOUSAND_ISLAND) {
			idle(peer, round, count, List.of(), metrics);
			idle(peer, round, count,
					List.of("-D" + ThousandIslandServer.HIBERNATE_AFTER_PROPERTY + "=" + ThousandIslandServer.NEVER),
					parked);
		}
		else {
			idle(peer, round, count, List.of(), metrics, parked);
		}
	}

	/**
	 * Measures the server's memory before and after opening {@code count} idle connections, then
	 * stops it and times how long after {@code stop()} the client saw the last connection close.
	 */
	private void idle(Peer peer, int round, int count, List<String> serverOptions, ComparisonRows.IdleRows... recordAs)
			throws IOException, InterruptedException {
		Metric rss = recordAs[0].rss();
		Duration step = Duration.ofMinutes(3);
		try (RunningServer server = startServer(peer, Protocol.ECHO, false, serverOptions)) {
			server.process().send("memory 0");
			String[] before = server.process().expect("memory", step);
			try (ChildProcess load = startLoad("idle", server.port(), count, 300)) {
				String[] connected = load.expect("connected", step);
				long opened = Long.parseLong(connected[1]);
				checkClients(round, rss, peer, count, opened, Long.parseLong(connected[2]));
				server.process().send("memory " + opened);
				String[] after = server.process().expect("memory", step);
				long seen = Long.parseLong(after[1]);
				if (seen < opened) {
					note(round, rss, peer, "the server had " + seen + " of " + opened + " connections open");
				}
				server.process().send("stop");
				String[] stopped = server.process().expect("stopped", step);
				String[] closed = load.expect("closed", step);
				double rssPer = (Long.parseLong(after[2]) - Long.parseLong(before[2])) / (double) opened;
				double heapPer = (Long.parseLong(after[3]) - Long.parseLong(before[3])) / (double) opened;
				for (ComparisonRows.IdleRows metrics : recordAs) {
					record(round, metrics.rss(), peer, rssPer, "");
					record(round, metrics.heap(), peer, heapPer, "");
				}
				long stopCalled = Long.parseLong(stopped[1]);
				long stopReturned = Long.parseLong(stopped[2]);
				long closedByServer = Long.parseLong(closed[1]);
				long lastClose = Long.parseLong(closed[3]);
				double drainMillis = (lastClose - stopCalled) / 1e6;
				String detail = String.format(Locale.ROOT, "%,d of %,d closed by the server; stop() returned after %.1f ms",
						closedByServer, opened, (stopReturned - stopCalled) / 1e6);
				if (closedByServer < opened) {
					note(round, rss, peer, "drain: only " + detail);
				}
				else if (recordAs[0].drain() != null) {
					for (ComparisonRows.IdleRows metrics : recordAs) {
						record(round, metrics.drain(), peer, drainMillis, detail);
						if (metrics.stopReturn() != null) {
							record(round, metrics.stopReturn(), peer, (stopReturned - stopCalled) / 1e6, "");
						}
					}
				}
				else {
					System.err.printf(Locale.ROOT, "round %d %-60s %-16s drain %.1f ms (%s)%n", round,
							"idle " + count, peer.id(), drainMillis, detail);
				}
			}
		}
	}

	private void checkClients(int round, Metric metric, Peer peer, long wanted, long connected, long failures) {
		if (connected < wanted || failures > 0) {
			note(round, metric, peer, String.format(Locale.ROOT, "%,d of %,d connections opened, %,d client failures",
					connected, wanted, failures));
		}
	}

	private void record(int round, Metric metric, Peer peer, double value, String detail) {
		this.results.add(metric, peer, value);
		System.err.printf(Locale.ROOT, "round %d %-60s %-16s %s%s%n", round, metric.label(), peer.id(),
				metric.unit().format(value), detail.isEmpty() ? "" : " (" + detail + ")");
	}

	private void note(int round, Metric metric, Peer peer, String text) {
		String note = String.format(Locale.ROOT, "round %d, %s, %s: %s", round, metric.label(), peer.label(), text);
		this.results.note(note);
		System.err.println(note);
	}

	private Duration measurementTimeout() {
		return Duration.ofSeconds(this.settings.warmupSeconds() + this.settings.seconds() + 120);
	}

	private RunningServer startServer(Peer peer, Protocol protocol, boolean tls) throws IOException, InterruptedException {
		return startServer(peer, protocol, tls, List.of());
	}

	private RunningServer startServer(Peer peer, Protocol protocol, boolean tls, List<String> extraOptions)
			throws IOException, InterruptedException {
		List<String> options = new ArrayList<>(serverOptions());
		options.addAll(extraOptions);
		return RunningServer.start(peer, protocol, tls ? this.trustStore : null, options, this.results);
	}

	private ChildProcess startLoad(Object... args) throws IOException {
		return ChildProcess.startJava("load", loadOptions(), LoadGenerator.class,
				Arrays.stream(args).map(String::valueOf).toList());
	}

	/**
	 * Options of every server JVM, the same for the three: a fixed maximum heap, and what Netty
	 * needs on recent JDKs to load its native library and use {@code sun.misc.Unsafe} without
	 * warnings (it runs slower without the latter).
	 */
	static List<String> serverOptions() {
		List<String> options = new ArrayList<>(List.of("-Xmx1g", "--enable-native-access=ALL-UNNAMED"));
		if (Runtime.version().feature() >= 23) {
			options.add("--sun-misc-unsafe-memory-access=allow");
		}
		return options;
	}

	static List<String> loadOptions() {
		return List.of("-Xmx512m");
	}

}
