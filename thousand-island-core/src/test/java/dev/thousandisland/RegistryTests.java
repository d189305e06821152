package dev.thousandisland;

import java.util.ArrayList;
import java.util.List;

import dev.thousandisland.internal.connection.EndWatchProbe;
import dev.thousandisland.internal.registry.PartitionedRegistry;
import dev.thousandisland.registry.Registry;
import dev.thousandisland.registry.Registry.Entry;
import dev.thousandisland.registry.Registry.Keys;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The registry's contract on real connections: unique and duplicate keys, values, lookups,
 * dispatch, counts, bad input, and one registry shared by two servers.
 */
class RegistryTests {

	@Test
	void aUniqueKeyHoldsOneConnectionUntilItIsUnregistered() throws Exception {
		Registry<String, String> sessions = Registry.<String, String>builder(Keys.UNIQUE).name("sessions").build();
		try (RegistryServer server = RegistryServer.start()) {
			Connection alice = server.connect();
			Connection mallory = server.connect();
			assertThat(sessions.register(alice, "alice", "v1")).isTrue();
			assertThat(sessions.register(mallory, "alice", "stolen")).as("another connection").isFalse();
			assertThat(sessions.register(alice, "alice", "v2")).as("the holder itself").isFalse();
			assertThat(sessions.lookupOne("alice")).contains(new Entry<>("alice", alice, "v1"));
			assertThat(sessions.count()).isEqualTo(1);
			assertThat(sessions.keys(mallory)).isEmpty();
			assertThat(members(sessions)).as("the refused connection keeps no member").isEqualTo(1);
			assertThat(EndWatchProbe.pending(mallory)).as("nor a watch").isZero();
			assertThat(sessions.unregister(mallory, "alice")).isFalse();
			assertThat(sessions.unregister(alice, "alice")).isTrue();
			assertThat(sessions.unregister(alice, "alice")).isFalse();
			assertThat(sessions.register(mallory, "alice", "now free")).isTrue();
			assertThat(sessions.lookupOne("alice").map(Entry::connection)).contains(mallory);
		}
	}

	@Test
	void duplicateKeysHoldManyConnectionsAndOneConnectionManyTimesInRegistrationOrder() throws Exception {
		Registry<String, Integer> rooms = Registry.<String, Integer>builder(Keys.DUPLICATE).name("rooms").build();
		try (RegistryServer server = RegistryServer.start()) {
			Connection first = server.connect();
			Connection second = server.connect();
			assertThat(rooms.register(first, "lobby", 1)).isTrue();
			assertThat(rooms.register(second, "lobby", 2)).isTrue();
			assertThat(rooms.register(first, "lobby", 3)).isTrue();
			assertThat(rooms.register(first, "kitchen", 4)).isTrue();
			assertThat(rooms.lookup("lobby")).extracting(Entry::value).containsExactly(1, 2, 3);
			assertThat(rooms.lookupOne("lobby")).as("the earliest").map(Entry::value).contains(1);
			assertThat(rooms.count("lobby")).isEqualTo(3);
			assertThat(rooms.count()).isEqualTo(4);
			assertThat(rooms.keys(first)).containsExactlyInAnyOrder("lobby", "kitchen");
			assertThat(rooms.keys()).containsExactlyInAnyOrder("lobby", "kitchen");
			assertThat(rooms.updateValue(first, "lobby", (value) -> value * 10)).isTrue();
			assertThat(rooms.lookup("lobby")).extracting(Entry::value).containsExactly(10, 2, 30);
			assertThat(rooms.unregister(first, "lobby")).as("both of its entries").isTrue();
			assertThat(rooms.lookup("lobby")).extracting(Entry::connection).containsExactly(second);
			assertThat(rooms.count()).isEqualTo(2);
			assertThat(EndWatchProbe.pending(first)).as("one watch per registry and connection").isEqualTo(1);
		}
	}

	@Test
	void dispatchRunsForEachEntryWithoutCopyingAndTellsTheConnections() throws Exception {
		Registry<String, String> rooms = Registry.<String, String>builder(Keys.DUPLICATE).build();
		try (RegistryServer server = RegistryServer.start()) {
			Connection first = server.connect();
			Connection second = server.connect();
			rooms.register(first, "lobby", "ann");
			rooms.register(second, "lobby", "bob");
			List<String> seen = new ArrayList<>();
			int told = rooms.dispatch("lobby", (entry) -> {
				seen.add(entry.value());
				assertThat(entry.connection().tell("hello " + entry.value())).isTrue();
				// A dispatch sees the entries as they stood when it began.
				rooms.register(entry.connection(), "lobby", "again");
			});
			assertThat(told).isEqualTo(2);
			assertThat(seen).containsExactly("ann", "bob");
			assertThat(rooms.count("lobby")).isEqualTo(4);
			assertThat(rooms.dispatch("nowhere", (entry) -> seen.add("never"))).isZero();
			assertThat(seen).hasSize(2);
		}
	}

	@Test
	void lookupReturnsASnapshotThatLaterChangesDoNotTouch() throws Exception {
		Registry<String, String> rooms = Registry.<String, String>builder(Keys.DUPLICATE).build();
		try (RegistryServer server = RegistryServer.start()) {
			Connection connection = server.connect();
			rooms.register(connection, "lobby", "a");
			List<Entry<String, String>> before = rooms.lookup("lobby");
			rooms.register(connection, "lobby", "b");
			rooms.updateValue(connection, "lobby", (value) -> "changed");
			assertThat(before).extracting(Entry::value).containsExactly("a");
			assertThat(rooms.lookup("lobby")).extracting(Entry::value).containsExactly("changed", "changed");
			assertThat(rooms.lookup("nowhere")).isEmpty();
			assertThat(rooms.lookupOne("nowhere")).isEmpty();
		}
	}

	@Test
	void updateValueOfAKeyTheConnectionDoesNotHoldChangesNothing() throws Exception {
		Registry<String, String> sessions = Registry.<String, String>builder(Keys.UNIQUE).build();
		try (RegistryServer server = RegistryServer.start()) {
			Connection holder = server.connect();
			Connection other = server.connect();
			sessions.register(holder, "key", "mine");
			assertThat(sessions.updateValue(other, "key", (value) -> "theirs")).isFalse();
			assertThat(sessions.updateValue(other, "free", (value) -> "theirs")).isFalse();
			assertThat(sessions.lookupOne("key").map(Entry::value)).contains("mine");
		}
	}

	@Test
	void badInputIsRefusedWithAClearMessage() throws Exception {
		Registry<String, String> registry = Registry.<String, String>builder(Keys.UNIQUE).name("users").build();
		try (RegistryServer server = RegistryServer.start()) {
			Connection connection = server.connect();
			assertThatIllegalArgumentException().isThrownBy(() -> registry.register(connection, null, "v"))
				.withMessage("key must not be null (registry 'users')");
			assertThatIllegalArgumentException().isThrownBy(() -> registry.lookup(null))
				.withMessageContaining("key must not be null");
			assertThatIllegalArgumentException().isThrownBy(() -> registry.dispatch(null, (entry) -> {
			})).withMessageContaining("key must not be null");
			assertThatIllegalArgumentException().isThrownBy(() -> registry.unregister(connection, null))
				.withMessageContaining("key must not be null");
			assertThatIllegalArgumentException().isThrownBy(() -> registry.register(null, "k", "v"))
				.withMessageContaining("connection must not be null");
			assertThatIllegalArgumentException().isThrownBy(() -> registry.dispatch("k", null))
				.withMessageContaining("action must not be null");
			assertThatIllegalArgumentException().isThrownBy(() -> registry.updateValue(connection, "k", null))
				.withMessageContaining("update must not be null");
			assertThatIllegalArgumentException()
				.isThrownBy(() -> registry.register(connection, "x".repeat(4097), "v"))
				.withMessage("key must be at most 4096 characters long, not 4097 (registry 'users')");
			assertThat(registry.register(connection, "x".repeat(4096), "v")).isTrue();
			assertThatIllegalArgumentException().isThrownBy(() -> Registry.builder(null))
				.withMessageContaining("keys must be UNIQUE or DUPLICATE");
			assertThatIllegalArgumentException().isThrownBy(() -> Registry.builder(Keys.UNIQUE).partitions(0))
				.withMessageContaining("partitions must be between 1 and 1024, not 0");
		}
	}

	@Test
	void anEndedConnectionRegistersNothing() throws Exception {
		Registry<String, String> rooms = Registry.<String, String>builder(Keys.DUPLICATE).build();
		try (RegistryServer server = RegistryServer.start()) {
			Connection connection = server.connect();
			connection.close();
			await().atMost(RegistryServer.WAIT).until(() -> connection.state() == Connection.State.CLOSED);
			assertThat(rooms.register(connection, "lobby", "late")).isFalse();
			assertThat(rooms.count()).isZero();
			assertThat(rooms.keys()).isEmpty();
			assertThat(members(rooms)).isZero();
		}
	}

	@Test
	void anEntryRegisteredWhileTheConnectionIsEndingIsRemovedByThatEnd() throws Exception {
		Registry<String, String> rooms = Registry.<String, String>builder(Keys.DUPLICATE).build();
		List<Boolean> registered = new java.util.concurrent.CopyOnWriteArrayList<>();
		// handleClose runs before the end is complete: a registration there is still accepted.
		try (RegistryServer server = RegistryServer
			.startWithClose((connection) -> registered.add(rooms.register(connection, "goodbye", "late")))) {
			Connection connection = server.connect();
			server.client(0).close();
			await().atMost(RegistryServer.WAIT).until(() -> connection.state() == Connection.State.CLOSED);
			await().atMost(RegistryServer.WAIT).until(() -> server.server().activeConnections() == 0);
			assertThat(registered).containsExactly(true);
			assertThat(rooms.count()).isZero();
			assertThat(members(rooms)).isZero();
		}
	}

	@Test
	void aLongLivedConnectionThatRegistersAndUnregistersManyTimesLeavesNothingBehind() throws Exception {
		Registry<Integer, String> topics = Registry.<Integer, String>builder(Keys.DUPLICATE).build();
		Registry<Integer, String> sessions = Registry.<Integer, String>builder(Keys.UNIQUE).build();
		try (RegistryServer server = RegistryServer.start()) {
			Connection connection = server.connect();
			for (int i = 0; i < 5_000; i++) {
				assertThat(topics.register(connection, i % 7, "v")).isTrue();
				assertThat(sessions.register(connection, i, "v")).isTrue();
				assertThat(topics.unregister(connection, i % 7)).isTrue();
				assertThat(sessions.unregister(connection, i)).isTrue();
			}
			assertThat(EndWatchProbe.pending(connection)).isZero();
			assertThat(members(topics) + members(sessions)).isZero();
			assertThat(topics.count() + sessions.count()).isZero();
		}
	}

	@Test
	void oneRegistrySharedByTwoServersHoldsConnectionsOfBothAndForgetsEachAsItEnds() throws Exception {
		Registry<String, String> rooms = Registry.<String, String>builder(Keys.DUPLICATE).partitions(3).build();
		try (RegistryServer east = RegistryServer.start((connection) -> rooms.register(connection, "lobby", "east"),
				(builder) -> builder.name("east"));
				RegistryServer west = RegistryServer.start((connection) -> rooms.register(connection, "lobby", "west"),
						(builder) -> builder.name("west"))) {
			Connection fromEast = east.connect();
			Connection fromWest = west.connect();
			// Connection ids are per server: both may well be 1, and still two entries.
			assertThat(rooms.lookup("lobby")).extracting(Entry::connection).containsExactly(fromEast, fromWest);
			east.server().stop(RegistryServer.WAIT);
			assertThat(rooms.lookup("lobby")).extracting(Entry::value).containsExactly("west");
			west.client(0).close();
			await().atMost(RegistryServer.WAIT).until(() -> rooms.count() == 0);
			assertThat(rooms.keys()).isEmpty();
		}
	}

	static int members(Registry<?, ?> registry) {
		return ((PartitionedRegistry<?, ?>) registry).members();
	}

}
