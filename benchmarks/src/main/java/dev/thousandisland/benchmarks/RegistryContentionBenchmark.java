package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 * one partition per core by default), one {@code ConcurrentHashMap} alone, 16 partitions, and
 * lock-striped partitions of {@code HashMap}s. Layouts interleave, their order reversing each round.
 * {@code RegistryContentionBenchmark [rounds] [milliseconds] [warm-up milliseconds]} (2, 700, 300 by
 * default). Prints the medians in operations per second and the registry's layout ÷ each other.
 */
public final class RegistryContentionBenchmark {

	private static final int[] THREADS = { 1, 2, 4, 8 };

	private static final int CONNECTIONS_PER_THREAD = 8;

	private RegistryContentionBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 2;
		long millis = (args.length > 1) ? Long.parseLong(args[1]) : 700;
		long warmupMillis = (args.length > 2) ? Long.parseLong(args[2]) : 300;
		int cores = Runtime.getRuntime().availableProcessors();
		List<Layout> layouts = new ArrayList<>(List.of(
				new Layout("partitioned maps (" + cores + ", the registry's)", () -> new PartitionedMaps<>(cores)),
				new Layout("one ConcurrentHashMap", () -> new PartitionedMaps<>(1)),
				new Layout("partitioned maps (16)", () -> new PartitionedMaps<>(16)),
				new Layout("locked partitions (" + cores + ")", () -> new LockedPartitions<>(cores))));
		List<Integer> spreads = List.of(1024, 8);
		Map<String, Samples> results = new LinkedHashMap<>();
		try (Connections connections = Connections.open(THREADS[THREADS.length - 1] * CONNECTIONS_PER_THREAD)) {
			for (int round = 1; round <= rounds; round++) {
				for (int rooms : spreads) {
					for (int threads : THREADS) {
						for (Layout layout : layouts) {
							double value = measure(layout, connections.list(), threads, rooms, millis, warmupMillis);
							results.computeIfAbsent(key(layout.label(), threads, rooms), (key) -> new Samples())
								.add(value);
							System.err.printf(Locale.ROOT, "round %d %,5d rooms %d threads %-40s %,.0f ops/s%n", round,
									rooms, threads, layout.label(), value);
						}
					}
				}
				Collections.reverse(layouts);
			}
		}
		Layout chosen = layouts.stream().filter((layout) -> layout.label().endsWith("the registry's)")).findFirst()
			.orElseThrow();
		StringBuilder table = new StringBuilder();
		table.append(String.format(Locale.ROOT, "%n%d cores; %d round(s) of %d ms after %d ms of warm-up; operations "
				+ "per second, median (min–max)%n%n", cores, rounds, millis, warmupMillis));
		for (int rooms : spreads) {
			table.append(String.format(Locale.ROOT, "| %,d rooms: threads | ", rooms));
			table.append(String.join(" | ", layouts.stream().map(Layout::label).toList()));
			for (Layout layout : layouts) {
				if (layout != chosen) {
					table.append(" | registry's ÷ ").append(layout.label());
				}
			}
			table.append(" |\n|---").append("|---".repeat(layouts.size() * 2 - 1)).append("|\n");
			for (int threads : THREADS) {
				table.append("| ").append(threads);
				double ours = results.get(key(chosen.label(), threads, rooms)).median();
				for (Layout layout : layouts) {
					Samples samples = results.get(key(layout.label(), threads, rooms));
					table.append(String.format(Locale.ROOT, " | %,.0f (%,.0f–%,.0f)", samples.median(), samples.min(),
							samples.max()));
				}
				for (Layout layout : layouts) {
					if (layout != chosen) {
						table.append(String.format(Locale.ROOT, " | %.2f×",
								ours / results.get(key(layout.label(), threads, rooms)).median()));
					}
				}
				table.append(" |\n");
			}
			table.append('\n');
		}
		System.out.print(table);
		Path output = Path.of(System.getProperty("benchmarks.output", "benchmarks"), "registry-contention.md");
		Files.writeString(output, "# Registry under contention\n" + table, StandardCharsets.UTF_8);
		System.err.println("wrote " + output);
	}

	private static String key(String layout, int threads, int rooms) {
		return layout + "/" + threads + "/" + rooms;
	}

	/**
	 * Runs the loop on a fresh registry over the layout and returns the operations per second.
	 */
	private static double measure(Layout layout, List<Connection> connections, int threads, int rooms, long millis,
			long warmupMillis) throws InterruptedException {
		Registry<Integer, Integer> registry = PartitionedRegistry.over("rooms", Keys.DUPLICATE, layout.table().get());
		AtomicBoolean counting = new AtomicBoolean();
		AtomicBoolean running = new AtomicBoolean(true);
		long[] operations = new long[threads];
		long[] sink = new long[threads];
		CountDownLatch done = new CountDownLatch(threads);
		for (int t = 0; t < threads; t++) {
			int index = t;
			List<Connection> own = connections.subList(t * CONNECTIONS_PER_THREAD, (t + 1) * CONNECTIONS_PER_THREAD);
			Thread.ofPlatform().name("registry-" + t).start(() -> {
				SplittableRandom random = new SplittableRandom(index);
				long counted = 0;
				long[] dispatched = new long[1];
				while (running.get()) {
					for (int i = 0; i < 64; i++) {
						Connection connection = own.get(random.nextInt(CONNECTIONS_PER_THREAD));
						Integer room = random.nextInt(rooms);
						registry.register(connection, room, i);
						registry.dispatch(room, (entry) -> dispatched[0] += entry.value());
						registry.unregister(connection, room);
					}
					if (counting.get()) {
						counted += 64 * 3;
					}
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
		for (long count : operations) {
			total += count;
		}
		return total / (elapsed / 1e9);
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
