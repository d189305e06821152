package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import dev.thousandisland.Connection;
import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.internal.registry.KeyTable;
import dev.thousandisland.internal.registry.PartitionedMaps;
import dev.thousandisland.internal.registry.PartitionedRegistry;
import dev.thousandisland.registry.Registry;
import dev.thousandisland.registry.Registry.Keys;

/**
 * The registry under contention: threads that each register one of their own connections under a
 * room, dispatch to that room, and unregister again (three operations), on real connections of a
 * server in this JVM, with 1, 2, 4 and 8 threads. Two key spreads: 1,024 rooms (little sharing)
 * and 8 hot rooms (every thread on the same few keys). Each table layout runs the same loop with
 * the same registry lifecycle: the layout the registry uses (partitioned {@code ConcurrentHashMap}s,
 * one partition per core by default), one {@code ConcurrentHashMap} alone, and lock-striped
 * partitions of {@code HashMap}s. Every layout first runs once unmeasured (the JIT's warm-up); then
 * the layouts interleave, their order reversing each round, each measurement after a short warm-up
 * of its own. {@code RegistryContentionBenchmark [rounds] [milliseconds] [warm-up milliseconds]}
 * (5, 300 and 100 by default). Prints the medians in operations per second and the registry's
 * layout ÷ each other, and writes them to {@code registry-contention.md} in {@code benchmarks.output}.
 */
public final class RegistryContentionBenchmark {

	private static final int[] THREADS = { 1, 2, 4, 8 };

	private static final int CONNECTIONS_PER_THREAD = 8;

	private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

	private RegistryContentionBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 5;
		long millis = (args.length > 1) ? Long.parseLong(args[1]) : 300;
		long warmupMillis = (args.length > 2) ? Long.parseLong(args[2]) : 100;
		int cores = Runtime.getRuntime().availableProcessors();
		List<Layout> layouts = new ArrayList<>(List.of(
				new Layout("partitioned maps (" + cores + ", the registry's)", () -> new PartitionedMaps<>(cores)),
				new Layout("one ConcurrentHashMap", () -> new PartitionedMaps<>(1)),
				new Layout("locked partitions (" + cores + ")", () -> new LockedPartitions<>(cores))));
		List<Integer> spreads = List.of(1024, 8);
		Map<String, Samples> wall = new LinkedHashMap<>();
		Map<String, Samples> cpu = new LinkedHashMap<>();
		try (Connections connections = Connections.open(THREADS[THREADS.length - 1] * CONNECTIONS_PER_THREAD)) {
			for (Layout layout : layouts) {
				measure(layout, connections.list(), 2, spreads.get(0), 500, 0);
			}
			for (int round = 1; round <= rounds; round++) {
				for (int rooms : spreads) {
					for (int threads : THREADS) {
						for (Layout layout : layouts) {
							Measurement value = measure(layout, connections.list(), threads, rooms, millis, warmupMillis);
							String key = key(layout.label(), threads, rooms);
							wall.computeIfAbsent(key, (ignored) -> new Samples()).add(value.perSecond());
							cpu.computeIfAbsent(key, (ignored) -> new Samples()).add(value.perCpuSecond());
							System.err.printf(Locale.ROOT, "round %d %,5d rooms %d threads %-40s %,.0f ops/s %,.0f ops/cpu-s%n",
									round, rooms, threads, layout.label(), value.perSecond(), value.perCpuSecond());
						}
					}
				}
				Collections.reverse(layouts);
			}
		}
		layouts.sort(Comparator.comparing((layout) -> !layout.label().endsWith("the registry's)")));
		StringBuilder report = new StringBuilder();
		report.append(String.format(Locale.ROOT, "%n%d cores; %d round(s) of %d ms, each after %d ms of warm-up; "
				+ "medians (min–max)%n", cores, rounds, millis, warmupMillis));
		for (int rooms : spreads) {
			report.append(String.format(Locale.ROOT, "%n### %,d rooms: operations per second (wall clock)%n%n", rooms));
			table(report, wall, layouts, rooms);
			report.append(String.format(Locale.ROOT,
					"%n### %,d rooms: operations per CPU-second of the registry threads%n%n", rooms));
			table(report, cpu, layouts, rooms);
		}
		System.out.print(report);
		Path output = Path.of(System.getProperty("benchmarks.output", "benchmarks"), "registry-contention.md");
		Files.writeString(output, "# Registry under contention\n" + report, StandardCharsets.UTF_8);
		System.err.println("wrote " + output);
	}

	/** One row per thread count: each layout's median (min–max), then the registry's ÷ each other. */
	private static void table(StringBuilder out, Map<String, Samples> results, List<Layout> layouts, int rooms) {
		Layout chosen = layouts.get(0);
		out.append("| threads | ").append(String.join(" | ", layouts.stream().map(Layout::label).toList()));
		for (Layout layout : layouts.subList(1, layouts.size())) {
			out.append(" | registry's ÷ ").append(layout.label());
		}
		out.append(" |\n|---").append("|---".repeat(layouts.size() * 2 - 1)).append("|\n");
		for (int threads : THREADS) {
			out.append("| ").append(threads);
			for (Layout layout : layouts) {
				Samples samples = results.get(key(layout.label(), threads, rooms));
				out.append(String.format(Locale.ROOT, " | %,.0f (%,.0f–%,.0f)", samples.median(), samples.min(),
						samples.max()));
			}
			double ours = results.get(key(chosen.label(), threads, rooms)).median();
			for (Layout layout : layouts.subList(1, layouts.size())) {
				out.append(String.format(Locale.ROOT, " | %.2f×",
						ours / results.get(key(layout.label(), threads, rooms)).median()));
			}
			out.append(" |\n");
		}
	}

	private static String key(String layout, int threads, int rooms) {
		return layout + "/" + threads + "/" + rooms;
	}

	/**
	 * Runs the loop on a fresh registry over the layout: operations per second of wall clock (what
	 * contention shows in), and per CPU-second of the registry threads (what other processes on a
	 * shared machine disturb least).
	 */
	private static Measurement measure(Layout layout, List<Connection> connections, int threads, int rooms, long millis,
			long warmupMillis) throws InterruptedException {
		Registry<Integer, Integer> registry = PartitionedRegistry.over("rooms", Keys.DUPLICATE, layout.table().get());
		AtomicBoolean counting = new AtomicBoolean();
		AtomicBoolean running = new AtomicBoolean(true);
		long[] operations = new long[threads];
		long[] cpuNanos = new long[threads];
		long[] sink = new long[threads];
		CountDownLatch done = new CountDownLatch(threads);
		for (int t = 0; t < threads; t++) {
			int index = t;
			List<Connection> own = connections.subList(t * CONNECTIONS_PER_THREAD, (t + 1) * CONNECTIONS_PER_THREAD);
			Thread.ofPlatform().name("registry-" + t).start(() -> {
				SplittableRandom random = new SplittableRandom(index);
				long counted = 0;
				long cpuStart = -1;
				long[] dispatched = new long[1];
				while (running.get()) {
					boolean counts = counting.get();
					if (counts && cpuStart < 0) {
						cpuStart = CPU.getCurrentThreadCpuTime();
					}
					else if (!counts && cpuStart >= 0 && cpuNanos[index] == 0) {
						cpuNanos[index] = CPU.getCurrentThreadCpuTime() - cpuStart;
					}
					for (int i = 0; i < 64; i++) {
						Connection connection = own.get(random.nextInt(CONNECTIONS_PER_THREAD));
						Integer room = random.nextInt(rooms);
						registry.register(connection, room, i);
						registry.dispatch(room, (entry) -> dispatched[0] += entry.value());
						registry.unregister(connection, room);
					}
					if (counts && counting.get()) {
						counted += 64 * 3;
					}
				}
				if (cpuStart >= 0 && cpuNanos[index] == 0) {
					cpuNanos[index] = CPU.getCurrentThreadCpuTime() - cpuStart;
				}
				operations[index] = counted;
				sink[index] = dispatched[0];
				done.countDown();
			});
		}
		Thread.sleep(warmupMillis);
		counting.set(true);
		long start = System.nanoTime();
		Thread.sleep(millis);
		counting.set(false);
		long elapsed = System.nanoTime() - start;
		running.set(false);
		if (!done.await(30, TimeUnit.SECONDS)) {
			throw new IllegalStateException("registry threads did not stop");
		}
		if (registry.count() != 0) {
			throw new IllegalStateException("entries left after the loop: " + registry.count());
		}
		long total = 0;
		long totalCpu = 0;
		for (int t = 0; t < threads; t++) {
			total += operations[t];
			totalCpu += cpuNanos[t];
		}
		return new Measurement(total / (elapsed / 1e9), total / (totalCpu / 1e9));
	}

	private record Measurement(double perSecond, double perCpuSecond) {
	}

	private record Layout(String label, Supplier<KeyTable<Integer, Integer>> table) {
	}

	/** Real connections to register: a Thousand Island server in this JVM and idle loopback clients. */
	private static final class Connections implements AutoCloseable {

		private final Server server;

		private final List<Socket> clients = new ArrayList<>();

		private final List<Connection> accepted = new ArrayList<>();

		private Connections(Server server) {
			this.server = server;
		}

		static Connections open(int count) throws IOException, InterruptedException {
			BlockingQueue<Connection> queue = new LinkedBlockingQueue<>();
			Handler<Void> handler = new Handler<>() {

				@Override
				public Result<Void> handleConnection(dev.thousandisland.Socket socket, Void state) {
					queue.add(socket.connection());
					return Result.continueWith(state);
				}

			};
			Server server = ServerConfig.builder(handler)
				.port(0)
				.bindAddress(InetAddress.getLoopbackAddress())
				.readTimeout(ServerConfig.NO_TIMEOUT)
				.start();
			Connections connections = new Connections(server);
			for (int i = 0; i < count; i++) {
				Socket client = new Socket();
				client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
				connections.clients.add(client);
				Connection connection = queue.poll(10, TimeUnit.SECONDS);
				if (connection == null) {
					throw new IllegalStateException("connection " + i + " was not accepted");
				}
				connections.accepted.add(connection);
			}
			return connections;
		}

		List<Connection> list() {
			return this.accepted;
		}

		@Override
		public void close() throws IOException {
			for (Socket client : this.clients) {
				client.close();
			}
			this.server.stop(Duration.ofSeconds(5));
		}

	}

}
