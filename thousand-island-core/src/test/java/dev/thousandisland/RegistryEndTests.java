package dev.thousandisland;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.thousandisland.internal.registry.PartitionedRegistry;
import dev.thousandisland.registry.Registry;
import dev.thousandisland.registry.Registry.Entry;
import dev.thousandisland.registry.Registry.Keys;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every way a connection ends removes its registry entries exactly once, and runs each
 * {@link Connection#onEnd} action exactly once: the registry ties into the exactly-once ending of
 * the lifecycle, whichever thread finishes the connection.
 */
class RegistryEndTests {

	/** How the connection ends, and who ends it. */
	enum Ending {

		PEER_CLOSE, RESULT_CLOSE, CONNECTION_CLOSE_FROM_ANOTHER_THREAD, HANDLER_EXCEPTION, READ_TIMEOUT,
		SHUTDOWN_DRAIN, FORCED_CLOSE_AT_STOP_ZERO

	}

	@ParameterizedTest
	@EnumSource(Ending.class)
	void everyEndingRemovesTheConnectionsEntriesExactlyOnce(Ending ending) throws Exception {
		CountingKeyTable<String, String> uniqueTable = new CountingKeyTable<>();
		CountingKeyTable<String, String> duplicateTable = new CountingKeyTable<>();
		Registry<String, String> sessions = PartitionedRegistry.over("sessions", Keys.UNIQUE, uniqueTable);
		Registry<String, String> rooms = PartitionedRegistry.over("rooms", Keys.DUPLICATE, duplicateTable);
		AtomicInteger onEndRuns = new AtomicInteger();
		// Registered on the connection's own thread, as a handler does.
		Consumer<Connection> onAccept = (connection) -> {
			sessions.register(connection, "user-" + connection.id(), "session");
			rooms.register(connection, "lobby", "first");
			rooms.register(connection, "lobby", "second");
			rooms.register(connection, "kitchen", "third");
			connection.onEnd(onEndRuns::incrementAndGet);
		};
		try (RegistryServer server = RegistryServer.start(onAccept, (builder) -> {
		})) {
			Connection bystander = server.connect();
			Connection ended = server.connect();
			assertThat(rooms.count()).isEqualTo(6);
			assertThat(sessions.count()).isEqualTo(2);
			TestClient client = server.client(1);
			switch (ending) {
				case PEER_CLOSE -> client.close();
				case RESULT_CLOSE -> client.send("close");
				case CONNECTION_CLOSE_FROM_ANOTHER_THREAD -> ended.close();
				case HANDLER_EXCEPTION -> client.send("throw");
				case READ_TIMEOUT -> client.send("timeout");
				case SHUTDOWN_DRAIN, FORCED_CLOSE_AT_STOP_ZERO -> {
				}
			}
			if (ending == Ending.SHUTDOWN_DRAIN || ending == Ending.FORCED_CLOSE_AT_STOP_ZERO) {
				// Both connections end; the bystander sits in a callback so that only a forced close
				// ends it at stop(ZERO), and the drain waits for its callback to return.
				Duration timeout = (ending == Ending.SHUTDOWN_DRAIN) ? RegistryServer.WAIT : Duration.ZERO;
				if (ending == Ending.FORCED_CLOSE_AT_STOP_ZERO) {
					client.send("block");
					Thread.sleep(100);
				}
				server.server().stop(timeout);
				// stop() returns once every connection is gone, and the watchers ran before that.
				assertThat(rooms.count()).isZero();
				assertThat(sessions.count()).isZero();
				assertThat(onEndRuns).hasValue(2);
				if (ending == Ending.FORCED_CLOSE_AT_STOP_ZERO) {
					assertThat(server.server().forcedCloses()).isEqualTo(2);
				}
				assertExactlyOnce(uniqueTable, duplicateTable, bystander);
			}
			else {
				await().atMost(RegistryServer.WAIT).until(() -> onEndRuns.get() == 1);
				assertThat(rooms.lookup("lobby")).extracting(Entry::connection).containsExactly(bystander, bystander);
				assertThat(rooms.keys(ended)).isEmpty();
				assertThat(sessions.lookupOne("user-" + ended.id())).isEmpty();
				assertThat(sessions.keys()).containsExactly("user-" + bystander.id());
				assertThat(rooms.count()).isEqualTo(3);
				assertThat(uniqueTable.removals(bystander) + duplicateTable.removals(bystander)).isZero();
			}
			assertExactlyOnce(uniqueTable, duplicateTable, ended);
			assertThat(RegistryTests.members(rooms) + RegistryTests.members(sessions))
				.isEqualTo((ending == Ending.SHUTDOWN_DRAIN || ending == Ending.FORCED_CLOSE_AT_STOP_ZERO) ? 0 : 2);
			// A registration after the end is refused, and an ended connection can be told so.
			assertThat(rooms.register(ended, "lobby", "late")).isFalse();
			assertThat(sessions.register(ended, "late", "late")).isFalse();
			CompletableFuture<Void> late = new CompletableFuture<>();
			ended.onEnd(() -> late.complete(null));
			assertThat(late).isDone();
		}
		assertThat(onEndRuns).as("the bystander ends with the server; nothing ran twice").hasValue(2);
	}

	/** One removal per key the connection held: "user-N" once, "lobby" once (both entries), "kitchen" once. */
	private static void assertExactlyOnce(CountingKeyTable<String, String> unique,
			CountingKeyTable<String, String> duplicate, Connection connection) {
		assertThat(unique.removals(connection)).as("unique removals of connection %d", connection.id()).isEqualTo(1);
		assertThat(duplicate.removals(connection)).as("duplicate removals of connection %d", connection.id())
			.isEqualTo(2);
	}

}
