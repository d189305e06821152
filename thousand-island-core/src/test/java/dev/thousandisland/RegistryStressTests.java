package dev.thousandisland;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.thousandisland.internal.connection.EndWatchProbe;
import dev.thousandisland.registry.Registry;
import dev.thousandisland.registry.Registry.Entry;
import dev.thousandisland.registry.Registry.Keys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Registrations, unregistrations, updates and dispatches from many threads while connections end
 * under them: a bounded run from a fixed seed, after which the registry holds exactly what each
 * thread's own record of its calls says, minus every ended connection, and nothing of a dead one.
 */
class RegistryStressTests {

	private static final long SEED = 0x2025_0025L;

	private static final int ROUNDS = 3;

	private static final int CONNECTIONS = 24;

	private static final int CLOSED_PER_ROUND = 12;

	private static final int THREADS = 4;

	private static final int MIN_OPERATIONS = 5_000;

	private static final int MAX_OPERATIONS = 200_000;

	@Test
	void noEntryOfAnEndedConnectionSurvivesConcurrentRegistrationsAndEveryLiveOneIsAsRecorded() throws Exception {
		Random seeds = new Random(SEED);
		for (int round = 0; round < ROUNDS; round++) {
			runRound(seeds.nextLong());
		}
	}

	@Test
	void aRegistrationRacingTheEndIsEitherRemovedByItOrRefused() throws Exception {
		Registry<String, Integer> rooms = Registry.<String, Integer>builder(Keys.DUPLICATE).build();
		Random random = new Random(SEED);
		try (RegistryServer server = RegistryServer.start()) {
			for (int i = 0; i < 100; i++) {
				Connection connection = server.connect();
				int[] accepted = new int[1];
				Thread registering = Thread.ofPlatform().start(() -> {
					// Registers until refused: each registration that slips past the end's removal
					// would be an entry of a dead connection.
					for (int n = 0; n < 1_000_000 && rooms.register(connection, "room-" + (n % 3), n); n++) {
						accepted[0]++;
						if (n % 4 == 3) {
							rooms.unregister(connection, "room-" + (n % 3));
						}
					}
				});
				long until = System.nanoTime() + random.nextInt(500_000);
				while (System.nanoTime() < until) {
					Thread.onSpinWait();
				}
				if (random.nextBoolean()) {
					connection.close();
				}
				else {
					server.client(i).close();
				}
				registering.join(TimeUnit.SECONDS.toMillis(20));
				assertThat(registering.isAlive()).isFalse();
				await().atMost(RegistryServer.WAIT)
					.pollDelay(Duration.ZERO)
					.pollInterval(Duration.ofMillis(2))
					.until(() -> server.server().activeConnections() == 0);
				assertThat(rooms.count()).as("entries left by connection %d after %d registrations", connection.id(),
						accepted[0]).isZero();
				assertThat(RegistryTests.members(rooms)).isZero();
			}
		}
	}

	private void runRound(long seed) throws Exception {
		Registry<String, Integer> rooms = Registry.<String, Integer>builder(Keys.DUPLICATE).partitions(4).build();
		Registry<String, Integer> sessions = Registry.<String, Integer>builder(Keys.UNIQUE).partitions(4).build();
		List<String> violations = new CopyOnWriteArrayList<>();
		try (RegistryServer server = RegistryServer.start()) {
			List<Connection> connections = new ArrayList<>();
			for (int i = 0; i < CONNECTIONS; i++) {
				connections.add(server.connect());
			}
			AtomicBoolean closing = new AtomicBoolean(true);
			List<Worker> workers = new ArrayList<>();
			List<Thread> threads = new ArrayList<>();
			for (int t = 0; t < THREADS; t++) {
				Worker worker = new Worker(t, new Random(seed + t), connections, rooms, sessions, closing, violations);
				workers.add(worker);
				threads.add(Thread.ofPlatform().name("registry-stress-" + t).start(worker));
			}
			// Half the connections end under the workers, half by the peer and half from this thread.
			Random closer = new Random(seed);
			List<Connection> order = new ArrayList<>(connections);
			java.util.Collections.shuffle(order, closer);
			for (int i = 0; i < CLOSED_PER_ROUND; i++) {
				Thread.sleep(1 + closer.nextInt(3));
				Connection victim = order.get(i);
				if (i % 2 == 0) {
					victim.close();
				}
				else {
					server.client(connections.indexOf(victim)).close();
				}
			}
			closing.set(false);
			for (Thread thread : threads) {
				thread.join(TimeUnit.SECONDS.toMillis(30));
				assertThat(thread.isAlive()).as("%s still running", thread.getName()).isFalse();
			}
			assertThat(violations).isEmpty();
			// The server counts a connection gone only after its watchers ran.
			await().atMost(RegistryServer.WAIT)
				.until(() -> server.server().activeConnections() == CONNECTIONS - CLOSED_PER_ROUND);
			Set<Connection> live = new HashSet<>();
			for (Connection connection : connections) {
				if (connection.state() != Connection.State.CLOSED) {
					live.add(connection);
				}
			}
			assertThat(live).hasSize(CONNECTIONS - CLOSED_PER_ROUND);
			for (Worker worker : workers) {
				worker.assertRegistryMatches(live);
			}
			int recorded = workers.stream().mapToInt((worker) -> worker.liveEntries(live)).sum();
			assertThat(rooms.count() + sessions.count()).isEqualTo(recorded);
			for (Connection connection : connections) {
				if (!live.contains(connection)) {
					assertThat(rooms.keys(connection)).isEmpty();
					assertThat(sessions.keys(connection)).isEmpty();
				}
				else {
					// Each registry holds one watch at most on a live connection.
					assertThat(EndWatchProbe.pending(connection)).isLessThanOrEqualTo(2);
				}
			}
		}
		assertThat(rooms.count() + sessions.count()).as("everything gone once the server stopped").isZero();
		assertThat(rooms.keys()).isEmpty();
		assertThat(sessions.keys()).isEmpty();
		assertThat(RegistryTests.members(rooms) + RegistryTests.members(sessions)).isZero();
	}

	/**
	 * One thread's calls, on keys of its own, and its record of what each returned: duplicate
	 * entries per key in order, the unique holder per key.
	 */
	private static final class Worker implements Runnable {

		private final int id;

		private final Random random;

		private final List<Connection> connections;

		private final Registry<String, Integer> rooms;

		private final Registry<String, Integer> sessions;

		private final AtomicBoolean closing;

		private final List<String> violations;

		private final Map<String, List<Entry<String, Integer>>> roomRecord = new HashMap<>();

		private final Map<String, Entry<String, Integer>> sessionRecord = new HashMap<>();

		Worker(int id, Random random, List<Connection> connections, Registry<String, Integer> rooms,
				Registry<String, Integer> sessions, AtomicBoolean closing, List<String> violations) {
			this.id = id;
			this.random = random;
			this.connections = connections;
			this.rooms = rooms;
			this.sessions = sessions;
			this.closing = closing;
			this.violations = violations;
		}

		@Override
		public void run() {
			try {
				for (int op = 0; op < MAX_OPERATIONS && (op < MIN_OPERATIONS || this.closing.get()); op++) {
					step(op);
				}
			}
			catch (RuntimeException | Error ex) {
				this.violations.add("worker " + this.id + " failed: " + ex);
			}
		}

		private void step(int op) {
			Connection connection = this.connections.get(this.random.nextInt(this.connections.size()));
			String room = this.id + ":room-" + this.random.nextInt(6);
			String session = this.id + ":session-" + this.random.nextInt(20);
			switch (this.random.nextInt(6)) {
				case 0, 1 -> {
					boolean endedBefore = connection.state() == Connection.State.CLOSED;
					if (this.rooms.register(connection, room, op)) {
						if (endedBefore) {
							this.violations.add("registered " + room + " for connection " + connection.id()
									+ ", which had ended");
						}
						this.roomRecord.computeIfAbsent(room, (key) -> new ArrayList<>())
							.add(new Entry<>(room, connection, op));
					}
					else if (connection.state() != Connection.State.CLOSED) {
						this.violations.add("duplicate registration refused for live connection " + connection.id());
					}
					if (this.sessions.register(connection, session, op)) {
						Entry<String, Integer> held = this.sessionRecord.get(session);
						if (endedBefore || (held != null && held.connection().state() != Connection.State.CLOSED)) {
							this.violations.add("unique " + session + " registered twice, or for an ended connection");
						}
						this.sessionRecord.put(session, new Entry<>(session, connection, op));
					}
				}
				case 2 -> {
					if (this.rooms.unregister(connection, room)) {
						this.roomRecord.get(room).removeIf((entry) -> entry.connection() == connection);
					}
					Entry<String, Integer> held = this.sessionRecord.get(session);
					if (this.sessions.unregister(connection, session)) {
						if (held == null || held.connection() != connection) {
							this.violations.add("unregistered " + session + " that connection " + connection.id()
									+ " did not hold");
						}
						this.sessionRecord.remove(session);
					}
				}
				case 3 -> {
					if (this.rooms.updateValue(connection, room, (value) -> -value)) {
						this.roomRecord.get(room)
							.replaceAll((entry) -> (entry.connection() == connection)
									? new Entry<>(room, connection, -entry.value()) : entry);
					}
				}
				default -> {
					int[] dispatched = new int[1];
					int count = this.rooms.dispatch(room, (entry) -> dispatched[0]++);
					if (count != dispatched[0]) {
						this.violations.add("dispatch said " + count + " but ran " + dispatched[0]);
					}
					for (Entry<String, Integer> entry : this.rooms.lookup(room)) {
						if (!entry.key().equals(room)) {
							this.violations.add("lookup of " + room + " returned " + entry);
						}
					}
				}
			}
		}

		void assertRegistryMatches(Set<Connection> live) {
			for (Map.Entry<String, List<Entry<String, Integer>>> room : this.roomRecord.entrySet()) {
				List<Entry<String, Integer>> expected = room.getValue()
					.stream()
					.filter((entry) -> live.contains(entry.connection()))
					.toList();
				assertThat(this.rooms.lookup(room.getKey())).as("entries of %s", room.getKey())
					.containsExactlyElementsOf(expected);
			}
			for (Map.Entry<String, Entry<String, Integer>> session : this.sessionRecord.entrySet()) {
				Entry<String, Integer> expected = session.getValue();
				assertThat(this.sessions.lookupOne(session.getKey())).as("holder of %s", session.getKey())
					.isEqualTo(live.contains(expected.connection()) ? java.util.Optional.of(expected)
							: java.util.Optional.empty());
			}
		}

		int liveEntries(Set<Connection> live) {
			long rooms = this.roomRecord.values()
				.stream()
				.flatMap(List::stream)
				.filter((entry) -> live.contains(entry.connection()))
				.count();
			long sessions = this.sessionRecord.values()
				.stream()
				.filter((entry) -> live.contains(entry.connection()))
				.count();
			return (int) (rooms + sessions);
		}

	}

}
