package dev.thousandisland;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.thousandisland.internal.connection.EndWatchProbe;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link Connection#onEnd}, the monitor the registry and PubSub stand on: each action runs exactly
 * once after the end, at once when added after it, never once cancelled; a failing action does not
 * keep the others from running.
 */
class ConnectionOnEndTests {

	@Test
	void actionsRunOnceAfterTheEndOnTheThreadThatFinishedTheConnection() throws Exception {
		AtomicInteger runs = new AtomicInteger();
		List<Thread> threads = new CopyOnWriteArrayList<>();
		try (RegistryServer server = RegistryServer.start()) {
			Connection connection = server.connect();
			connection.onEnd(() -> {
				threads.add(Thread.currentThread());
				runs.incrementAndGet();
			});
			assertThat(runs).hasValue(0);
			server.client(0).close();
			await().atMost(RegistryServer.WAIT).until(() -> runs.get() == 1);
			assertThat(connection.state()).isEqualTo(Connection.State.CLOSED);
			// Ending it again, or stopping the server, runs nothing more.
			connection.close();
		}
		assertThat(runs).hasValue(1);
		assertThat(threads).doesNotContain(Thread.currentThread());
	}

	@Test
	void anActionAddedAfterTheEndRunsAtOnceOnTheCallersThread() throws Exception {
		try (RegistryServer server = RegistryServer.start()) {
			Connection connection = server.connect();
			connection.close();
			await().atMost(RegistryServer.WAIT).until(() -> connection.state() == Connection.State.CLOSED);
			List<Thread> threads = new CopyOnWriteArrayList<>();
			Connection.EndWatch watch = connection.onEnd(() -> threads.add(Thread.currentThread()));
			assertThat(threads).containsExactly(Thread.currentThread());
			assertThat(watch.cancel()).as("an action that already ran cannot be withdrawn").isFalse();
		}
	}

	@Test
	void aCancelledActionNeverRunsAndLeavesNothingOnTheConnection() throws Exception {
		AtomicInteger cancelledRuns = new AtomicInteger();
		AtomicInteger keptRuns = new AtomicInteger();
		try (RegistryServer server = RegistryServer.start()) {
			Connection connection = server.connect();
			Connection.EndWatch cancelled = connection.onEnd(cancelledRuns::incrementAndGet);
			connection.onEnd(keptRuns::incrementAndGet);
			assertThat(EndWatchProbe.pending(connection)).isEqualTo(2);
			assertThat(cancelled.cancel()).isTrue();
			assertThat(cancelled.cancel()).as("a second cancel finds nothing").isFalse();
			assertThat(EndWatchProbe.pending(connection)).isEqualTo(1);
			connection.close();
			await().atMost(RegistryServer.WAIT).until(() -> keptRuns.get() == 1);
		}
		assertThat(cancelledRuns).hasValue(0);
	}

	@Test
	void aFailingActionIsLoggedAndTheOthersStillRun() throws Exception {
		AtomicInteger after = new AtomicInteger();
		Logger logger = Logger.getLogger("dev.thousandisland.internal.connection.ConnectionLoop");
		List<LogRecord> records = new CopyOnWriteArrayList<>();
		Handler capture = new Handler() {

			@Override
			public void publish(LogRecord logRecord) {
				records.add(logRecord);
			}

			@Override
			public void flush() {
			}

			@Override
			public void close() {
			}

		};
		logger.addHandler(capture);
		try (RegistryServer server = RegistryServer.start()) {
			Connection connection = server.connect();
			connection.onEnd(() -> {
				throw new IllegalStateException("a watcher's bug");
			});
			connection.onEnd(after::incrementAndGet);
			server.client(0).close();
			await().atMost(RegistryServer.WAIT).until(() -> after.get() == 1);
			// The connection's end completed despite the failure: the server has its slot back.
			await().atMost(RegistryServer.WAIT).until(() -> server.server().activeConnections() == 0);
			assertThat(records).filteredOn((logRecord) -> logRecord.getLevel() == Level.WARNING)
				.extracting(LogRecord::getMessage)
				.containsExactly("An onEnd action of connection " + connection.id() + " failed");
		}
		finally {
			logger.removeHandler(capture);
		}
	}

	@Test
	void manyWatchesAddedAndCancelledLeaveNoneBehind() throws Exception {
		try (RegistryServer server = RegistryServer.start()) {
			Connection connection = server.connect();
			for (int i = 0; i < 10_000; i++) {
				assertThat(connection.onEnd(() -> {
				}).cancel()).isTrue();
			}
			assertThat(EndWatchProbe.pending(connection)).isZero();
		}
	}

}
