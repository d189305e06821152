package dev.thousandisland;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.telemetry.TelemetryListener;

import static org.awaitility.Awaitility.await;

/**
 * The invariants of the lifecycle stress test, checked as things happen (by the handler around
 * every callback and as the server's telemetry listener) and once more when a round's server has
 * stopped. A broken invariant becomes a line in {@link StressViolations}; nothing here throws
 * into the server.
 *
 * <p>Checked continuously: callbacks of one connection never overlap; at most one closing callback
 * per connection, and no callback after it; {@code handleShutdown} only after
 * {@code handleConnection}; at most one {@code connection.start} and one {@code connection.stop}
 * (or {@code exception}) per connection, the stop after the start. Checked at the end of a round:
 * every connection the handler saw has exactly one start and one stop; exactly one closing
 * callback unless the server closed it by force (documented as "without further callbacks"), and
 * the one its stop reason names; the active count is 0 and no connection is listed; every
 * connection thread has ended.
 */
final class LifecycleInvariants implements TelemetryListener {

	/**
	 * Stop reasons of a connection closed by force, without a callback: at the shutdown deadline,
	 * or when no thread could be had to resume it.
	 */
	private static final Set<String> FORCED = Set.of("shutdown_immediate", "shutdown_timeout", "spawn_error");

	/**
	 * The closing callback each stop reason stands for (docs/connection-lifecycle.md). A reason
	 * not listed here is not checked.
	 */
	private static final Map<String, String> CALLBACK_OF_REASON = Map.ofEntries(Map.entry("peer_closed", "handleClose"),
			Map.entry("local_closed", "handleClose"), Map.entry("closed", "handleClose"),
			Map.entry("read_timeout", "handleTimeout"), Map.entry("shutdown", "handleShutdown"),
			Map.entry("draining", "handleShutdown"), Map.entry("error", "handleError"),
			Map.entry("exception", "handleError"), Map.entry("socket_error", "handleError"),
			Map.entry("handshake_failed", "handleError"), Map.entry("upgrade_failed", "handleError"),
			Map.entry("send_timeout", "handleError"));

	private final StressViolations violations;

	private final String round;

	private final Map<Long, Record> records = new ConcurrentHashMap<>();

	private final Map<Integer, StressScript> scripts = new ConcurrentHashMap<>();

	LifecycleInvariants(StressViolations violations, String round) {
		this.violations = violations;
		this.round = round;
	}

	/** What was seen of one connection. */
	private static final class Record {

		final AtomicInteger running = new AtomicInteger();

		final AtomicInteger starts = new AtomicInteger();

		final AtomicInteger stops = new AtomicInteger();

		final List<String> closings = new ArrayList<>();

		final Set<Thread> threads = ConcurrentHashMap.newKeySet();

		volatile boolean connected;

		volatile int tag = -1;

		volatile String stopReason;

		synchronized int addClosing(String callback) {
			this.closings.add(callback);
			return this.closings.size();
		}

		synchronized List<String> closings() {
			return List.copyOf(this.closings);
		}

	}

	private Record record(long connection) {
		return this.records.computeIfAbsent(connection, (id) -> new Record());
	}

	/** A client of the round: violations on its connection name its script. */
	void client(StressScript script) {
		this.scripts.put(script.tag(), script);
	}

	/** The handler learned which client owns a connection: violations name it. */
	void bind(long connection, int tag) {
		record(connection).tag = tag;
	}

	/** A callback starts on a connection. */
	void enter(long connection, String callback) {
		Record record = record(connection);
		record.threads.add(Thread.currentThread());
		int running = record.running.incrementAndGet();
		if (running != 1) {
			fail("overlapping callbacks", connection, callback + " started while " + (running - 1)
					+ " other callback(s) of the connection were running");
		}
		if (!record.closings().isEmpty()) {
			fail("callback after the closing callback", connection, callback + " ran after " + record.closings());
		}
		if (callback.equals("handleConnection")) {
			record.connected = true;
		}
		if (isClosing(callback)) {
			if (callback.equals("handleShutdown") && !record.connected) {
				fail("handleShutdown before handleConnection", connection, "handleShutdown ran on a connection "
						+ "whose handleConnection never ran");
			}
			if (record.addClosing(callback) > 1) {
				fail("more than one closing callback", connection, "closing callbacks " + record.closings());
			}
		}
	}

	/** A callback ends on a connection. */
	void exit(long connection) {
		record(connection).running.decrementAndGet();
	}

	@Override
	public void onEvent(TelemetryEvent event) {
		if (!event.name().startsWith("connection.")) {
			return;
		}
		if (!(event.span().metadata().get("connection_id") instanceof Long connection)) {
			fail("connection event without connection_id", -1, event.name() + " " + event.metadata());
			return;
		}
		Record record = record(connection);
		switch (event.name()) {
			case TelemetryEvent.CONNECTION_START -> {
				if (record.starts.incrementAndGet() > 1) {
					fail("more than one telemetry start", connection, record.starts.get() + " starts");
				}
			}
			case TelemetryEvent.CONNECTION_STOP, TelemetryEvent.CONNECTION_EXCEPTION -> {
				record.stopReason = String.valueOf(event.metadata().get("reason"));
				if (record.stops.incrementAndGet() > 1) {
					fail("more than one telemetry stop", connection, record.stops.get() + " stops, last " + event.name()
							+ " reason " + record.stopReason);
				}
				if (record.starts.get() == 0) {
					fail("telemetry stop before start", connection, event.name());
				}
			}
			default -> {
			}
		}
	}

	/** The checks of a stopped server: run after {@code stop} returned. */
	void checkStopped(Server server, Duration wait) {
		try {
			await().atMost(wait).until(() -> this.records.values().stream().allMatch((r) -> r.stops.get() >= 1));
		}
		catch (org.awaitility.core.ConditionTimeoutException ex) {
			// Reported per connection below.
		}
		this.records.forEach((connection, record) -> {
			if (record.starts.get() != 1 || record.stops.get() != 1) {
				fail("not exactly one telemetry start and stop", connection, record.starts.get() + " start(s), "
						+ record.stops.get() + " stop(s), closing callbacks " + record.closings());
			}
			List<String> closings = record.closings();
			if (closings.isEmpty() && !FORCED.contains(record.stopReason)) {
				fail("no closing callback", connection, "the connection ended (stop reason " + record.stopReason
						+ ") without handleClose, handleError, handleShutdown or handleTimeout");
			}
			String expected = CALLBACK_OF_REASON.get(record.stopReason);
			if (closings.size() == 1 && expected != null && !closings.get(0).equals(expected)) {
				fail("stop reason and closing callback disagree", connection, "stop reason " + record.stopReason
						+ " but the closing callback was " + closings.get(0) + ", not " + expected);
			}
		});
		if (server.activeConnections() != 0) {
			fail("active count not back to 0", -1, "activeConnections() = " + server.activeConnections()
					+ " after stop returned");
		}
		if (!server.connections().isEmpty()) {
			fail("connections listed after stop", -1, server.connections().toString());
		}
		if (server.status() != ServerStatus.STOPPED) {
			fail("server not stopped", -1, "status " + server.status() + " after stop returned");
		}
	}

	/** Whether every thread that ran a callback has ended, waiting at most {@code wait}. */
	void checkThreadsEnded(Duration wait) {
		try {
			await().atMost(wait).until(() -> this.records.values()
				.stream()
				.allMatch((record) -> record.threads.stream().noneMatch(Thread::isAlive)));
		}
		catch (org.awaitility.core.ConditionTimeoutException ex) {
			this.records.forEach((connection, record) -> record.threads.stream()
				.filter(Thread::isAlive)
				.forEach((thread) -> fail("connection thread still alive", connection, thread + " "
						+ List.of(thread.getStackTrace()).stream().limit(8).toList())));
		}
	}

	int connections() {
		return this.records.size();
	}

	private static boolean isClosing(String callback) {
		return switch (callback) {
			case "handleClose", "handleError", "handleShutdown", "handleTimeout" -> true;
			default -> false;
		};
	}

	void fail(String invariant, long connection, String detail) {
		Record record = (connection >= 0) ? this.records.get(connection) : null;
		String who = (connection < 0) ? "" : " connection " + connection
				+ ((record != null && record.tag >= 0) ? " (client " + record.tag + ")" : "");
		String script = (record != null && record.tag >= 0) ? script(record.tag) : "";
		this.violations.add(invariant, this.round + who + ": " + detail + script);
	}

	/** A violation seen by a client or the handler rather than by this checker. */
	void clientFail(String invariant, int tag, String detail) {
		this.violations.add(invariant, this.round + " client " + tag + ": " + detail + script(tag));
	}

	private String script(int tag) {
		StressScript script = this.scripts.get(tag);
		return (script != null) ? "; script " + script.ops() + (script.keepsSlices() ? ", handler keeps slices" : "")
				: "";
	}

}
