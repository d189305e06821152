package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Local fan-out: one publisher, every connection of a server subscribed to one topic, 64-byte
 * messages, Thousand Island's {@code PubSub.broadcast} (each subscriber's {@code handleMessage}
 * writes the message to its socket) against Netty epoll's {@code DefaultChannelGroup.writeAndFlush}.
 * The server runs in a JVM of its own ({@link FanOutServer}, the publisher inside it), the
 * subscribers' clients in another ({@link FanOutClients}), which count the messages that reach
 * their sockets and the latency from the publisher's time stamp.
 *
 * <p>{@code PubSubFanOutBenchmark [rounds] [seconds] [warm-up seconds] [subscriber counts]}
 * (2, 4, 2 and {@code 1000,10000} by default): every round measures each count on both servers,
 * the servers' order alternating from round to round, each measurement in fresh JVMs. Prints each
 * measurement, then the medians (min–max), Thousand Island ÷ Netty against the target (at least
 * 1.0× Netty's delivered rate), and writes the same to {@code pubsub-fan-out-results.md} in the
 * directory of the system property {@code benchmarks.output} (the current one by default).
 * {@code -Dbenchmarks.peers=netty-epoll} (or {@code thousand-island}) measures one server alone.
 * 10,000 subscribers take 10,000 descriptors in each JVM: {@code benchmarks/run} raises the soft
 * limit to the hard one.
 */
public final class PubSubFanOutBenchmark {

	/** Thousand Island's delivered rate ÷ Netty's must be at least this. */
	static final double TARGET = 1.0;

	/** The servers to measure, by id: both by default; one alone measures it without a ratio. */
	static final String PEERS_PROPERTY = "benchmarks.peers";

	/** Descriptors a JVM holds besides its connections: jars, the listener, epoll, pipes. */
	private static final int DESCRIPTORS_BESIDE_CONNECTIONS = 500;

	private static final Duration STEP = Duration.ofMinutes(2);

	private PubSubFanOutBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 2;
		int seconds = (args.length > 1) ? Integer.parseInt(args[1]) : 4;
		int warmup = (args.length > 2) ? Integer.parseInt(args[2]) : 2;
		int[] counts = Arrays.stream(((args.length > 3) ? args[3] : "1000,10000").split(","))
			.mapToInt(Integer::parseInt)
			.toArray();
		int most = Arrays.stream(counts).max().orElse(0);
		long openFiles = openFilesSoftLimit();
		if (openFiles >= 0 && most + DESCRIPTORS_BESIDE_CONNECTIONS > openFiles) {
			throw new IllegalStateException("The open-files limit is " + openFiles + ", too low for " + most
					+ " subscribers: each JVM needs one descriptor per connection and about "
					+ DESCRIPTORS_BESIDE_CONNECTIONS + " more. Raise it (ulimit -n; benchmarks/run raises the soft "
					+ "limit to the hard one) or pass smaller counts.");
		}
		long started = System.nanoTime();
		Map<String, Samples> rates = new LinkedHashMap<>();
		Map<String, Samples> p99s = new LinkedHashMap<>();
		Map<String, Samples> cpus = new LinkedHashMap<>();
		Map<Peer, String> descriptions = new LinkedHashMap<>();
		List<String> notes = new ArrayList<>();
		List<Peer> peers = Arrays.stream(System.getProperty(PEERS_PROPERTY, "thousand-island,netty-epoll").split(","))
			.map(Peer::of)
			.collect(Collectors.toCollection(ArrayList::new));
		for (int round = 1; round <= rounds; round++) {
			for (int count : counts) {
				for (Peer peer : peers) {
					Measurement m = measure(peer, count, seconds, warmup, descriptions, notes);
					String key = peer.label() + " " + count;
					rates.computeIfAbsent(key, (k) -> new Samples()).add(m.deliveredPerSecond());
					p99s.computeIfAbsent(key, (k) -> new Samples()).add(m.p99Nanos() / 1e6);
					cpus.computeIfAbsent(key, (k) -> new Samples()).add(m.cpuNanosPerDelivery());
					System.err.printf(Locale.ROOT, "round %d %-16s %,6d subscribers: %,.0f delivered/s, p99 %.2f ms, "
							+ "server CPU %.0f ns/delivery%n", round, peer.label(), count, m.deliveredPerSecond(),
							m.p99Nanos() / 1e6, m.cpuNanosPerDelivery());
				}
			}
			peers = peers.reversed();
		}
		StringBuilder out = new StringBuilder();
		out.append(String.format(Locale.ROOT, "# PubSub local fan-out%n%n%s%n%n", MachineInfo.describe()));
		out.append(String.format(Locale.ROOT, "`PubSubFanOutBenchmark %d %d %d %s`: %d round(s), %d s counted after %d s "
				+ "of warm-up, fresh JVMs per measurement, %.0f s in all. 64-byte messages, one publisher thread, "
				+ "at most %,d deliveries outstanding.%n%n", rounds, seconds, warmup,
				String.join(",", Arrays.stream(counts).mapToObj(String::valueOf).toList()), rounds, seconds, warmup,
				(System.nanoTime() - started) / 1e9, FanOutServer.WINDOW_DELIVERIES));
		descriptions.forEach((peer, description) -> out.append("- ").append(peer.label()).append(": `")
			.append(description).append("`\n"));
		out.append(String.format(Locale.ROOT, "%n| server, subscribers | delivered msg/s | p99 latency ms | "
				+ "server CPU ns per delivery |%n|---|---|---|---|%n"));
		rates.forEach((key, samples) -> out.append(String.format(Locale.ROOT,
				"| %s | %,.0f (%,.0f–%,.0f) | %.2f (%.2f–%.2f) | %.0f (%.0f–%.0f) |%n", key, samples.median(),
				samples.min(), samples.max(), p99s.get(key).median(), p99s.get(key).min(), p99s.get(key).max(),
				cpus.get(key).median(), cpus.get(key).min(), cpus.get(key).max())));
		out.append(String.format(Locale.ROOT, "%n| subscribers | Thousand Island ÷ Netty, delivered/s | target | "
				+ "p99 latency ÷ Netty | CPU per delivery ÷ Netty |%n|---|---|---|---|---|%n"));
		for (int count : counts) {
			String ti = Peer.THOUSAND_ISLAND.label() + " " + count;
			String netty = Peer.NETTY_EPOLL.label() + " " + count;
			if (!rates.containsKey(ti) || !rates.containsKey(netty)) {
				continue;
			}
			double ratio = rates.get(ti).median() / rates.get(netty).median();
			out.append(String.format(Locale.ROOT, "| %,d | %.2f× | ≥ %.1f×: %s | %.2f× | %.2f× |%n", count, ratio,
					TARGET, (ratio >= TARGET) ? "met" : "missed by " + percent(1 - ratio / TARGET),
					p99s.get(ti).median() / p99s.get(netty).median(),
					cpus.get(ti).median() / cpus.get(netty).median()));
		}
		if (!notes.isEmpty()) {
			out.append("\nNotes:\n");
			notes.forEach((note) -> out.append("- ").append(note).append('\n'));
		}
		System.out.print("\n" + out);
		Path file = Path.of(System.getProperty("benchmarks.output", "."), "pubsub-fan-out-results.md");
		Files.writeString(file, out);
		System.err.println("wrote " + file);
	}

	/** The soft limit on open files, which the child JVMs inherit; -1 if unknown. */
	private static long openFilesSoftLimit() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
				if (line.startsWith("Max open files")) {
					String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
					return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// unknown: let the connections tell
		}
		return -1;
	}

	static String percent(double fraction) {
		return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
	}

	private static Measurement measure(Peer peer, int count, int seconds, int warmup, Map<Peer, String> descriptions,
			List<String> notes) throws IOException, InterruptedException {
		try (ChildProcess server = ChildProcess.startJava("fan-out server " + peer.id(),
				ComparisonBenchmark.serverOptions(), FanOutServer.class, List.of(peer.id()))) {
			String[] ready = server.expect("ready", STEP);
			descriptions.putIfAbsent(peer, String.join(" ", Arrays.copyOfRange(ready, 2, ready.length)));
			try (ChildProcess clients = ChildProcess.startJava("fan-out clients", ComparisonBenchmark.loadOptions(),
					FanOutClients.class, List.of(ready[1], String.valueOf(count)))) {
				String[] connected = clients.expect("connected", STEP);
				server.send("wait " + connected[1]);
				int subscribed = Integer.parseInt(server.expect("subscribed", STEP)[1]);
				if (subscribed < count || Long.parseLong(connected[2]) > 0) {
					notes.add(String.format(Locale.ROOT, "%s, %,d: %s connected (%s failures), %,d subscribed",
							peer.label(), count, connected[1], connected[2], subscribed));
				}
				server.send("publish " + ((warmup + seconds + 1) * 1000L));
				clients.send("measure " + (warmup * 1000L) + " " + (seconds * 1000L));
				long cpu = ServerCpu.overWindow(server, clients, STEP);
				String[] delivered = clients.expect("delivered", STEP);
				String[] published = server.expect("published", STEP);
				long messages = Long.parseLong(delivered[1]);
				long disorders = Long.parseLong(delivered[6]);
				long missed = Long.parseLong(delivered[7]);
				if (disorders > 0 || missed > 0 || !published[2].equals("0")) {
					notes.add(String.format(Locale.ROOT, "%s, %,d: %,d out of order, %,d missed%s", peer.label(),
							count, disorders, missed, published[2].equals("0") ? "" : ", the publisher stalled"));
				}
				// The server first: mailboxes may still hold messages, which would meet closed sockets.
				server.send("stop");
				clients.send("stop");
				return new Measurement(messages / (double) seconds, Long.parseLong(delivered[3]),
						cpu / (double) Math.max(1, messages));
			}
		}
	}

	private record Measurement(double deliveredPerSecond, long p99Nanos, double cpuNanosPerDelivery) {
	}

}
