package dev.thousandisland.reliability;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.telemetry.TelemetryListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A telemetry listener that audits connection spans as events arrive: every connection span must
 * emit exactly one {@code connection.start} and then exactly one {@code connection.stop} or
 * {@code connection.exception}. A start seen twice, an end without a start, or a second end is
 * recorded as a violation at once, so the audit needs no event log and stays small under a soak
 * (one bit per ended span). It also counts events by name, by {@code reason} and by {@code error},
 * and can keep the events themselves for tests that look at metadata.
 *
 * <p>Span ids are unique within one server, so use one audit per server.
 */
final class SpanAudit implements TelemetryListener {

	private static final String CONNECTION = "connection";

	private final boolean keepEvents;

	private final Queue<TelemetryEvent> events = new ConcurrentLinkedQueue<>();

	private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

	private final Map<Long, Boolean> open = new ConcurrentHashMap<>();

	private final BitSet ended = new BitSet();

	private final Queue<String> violations = new ConcurrentLinkedQueue<>();

	private final Queue<String> lateEvents = new ConcurrentLinkedQueue<>();

	private int peak;

	private SpanAudit(boolean keepEvents) {
		this.keepEvents = keepEvents;
	}

	/** An audit that also keeps every event. */
	static SpanAudit recording() {
		return new SpanAudit(true);
	}

	/** An audit that only counts: for long or large runs. */
	static SpanAudit counting() {
		return new SpanAudit(false);
	}

	@Override
	public void onEvent(TelemetryEvent event) {
		String name = event.name();
		increment(name);
		if (event.metadata().get("reason") instanceof String reason) {
			increment(name + "|reason=" + reason);
		}
		Object error = event.metadata().get("error");
		if (error != null) {
			String text = String.valueOf(error);
			int colon = text.indexOf(':');
			increment(name + "|error=" + ((colon > 0) ? text.substring(0, colon) : text));
		}
		if (this.keepEvents) {
			this.events.add(event);
		}
		if (!CONNECTION.equals(event.span().kind())) {
			return;
		}
		long id = event.span().id();
		synchronized (this.ended) {
			switch (name) {
				case TelemetryEvent.CONNECTION_START -> {
					if (this.ended.get((int) id) || this.open.putIfAbsent(id, Boolean.TRUE) != null) {
						this.violations.add("connection span " + id + " started twice");
					}
					this.peak = Math.max(this.peak, this.open.size());
				}
				case TelemetryEvent.CONNECTION_STOP, TelemetryEvent.CONNECTION_EXCEPTION -> {
					if (this.ended.get((int) id)) {
						this.violations
							.add("connection span " + id + " ended twice (second: " + name + " " + error + ")");
					}
					else if (this.open.remove(id) == null) {
						this.violations.add("connection span " + id + " ended (" + name + ") without a start");
					}
					this.ended.set((int) id);
				}
				default -> {
					if (!this.open.containsKey(id)) {
						// Not a broken rule (a stuck handler released after its forced close may
						// still try to send), but worth knowing about.
						this.lateEvents.add(name + " on connection span " + id);
					}
				}
			}
		}
	}

	private void increment(String key) {
		this.counts.computeIfAbsent(key, (k) -> new LongAdder()).increment();
	}

	/** How many events of this name were emitted. */
	long count(String name) {
		LongAdder adder = this.counts.get(name);
		return (adder != null) ? adder.sum() : 0;
	}

	/** How many events of this name carried {@code reason} metadata with this value. */
	long countWithReason(String name, String reason) {
		return count(name + "|reason=" + reason);
	}

	/** How many events of this name carried {@code error} metadata (up to a colon) with this value. */
	long countWithError(String name, String error) {
		return count(name + "|error=" + error);
	}

	/** Connections started (admitted and handed a thread). */
	long started() {
		return count(TelemetryEvent.CONNECTION_START);
	}

	/** Connections ended, by stop or exception. */
	long endedCount() {
		return count(TelemetryEvent.CONNECTION_STOP) + count(TelemetryEvent.CONNECTION_EXCEPTION);
	}

	/** Connection spans started and not yet ended. */
	int openSpans() {
		return this.open.size();
	}

	/** The most connection spans open at once so far. */
	int peakOpenSpans() {
		synchronized (this.ended) {
			return this.peak;
		}
	}

	/** The events kept so far (recording audits only). */
	List<TelemetryEvent> events() {
		return new ArrayList<>(this.events);
	}

	/** The events of one name kept so far (recording audits only). */
	List<TelemetryEvent> named(String name) {
		return this.events.stream().filter((event) -> event.name().equals(name)).toList();
	}

	/** Events a connection span emitted after it ended. */
	List<String> lateEvents() {
		return new ArrayList<>(this.lateEvents);
	}

	/** The problems seen so far. */
	List<String> violations() {
		return new ArrayList<>(this.violations);
	}

	/**
	 * Asserts that no span broke the rule and that every connection span that started has ended:
	 * call it once the server's connections are gone.
	 */
	void assertBalanced() {
		assertThat(violations()).as("connection span violations").isEmpty();
		assertThat(this.open.keySet()).as("connection spans started and never ended").isEmpty();
		assertThat(endedCount()).as("connection spans ended").isEqualTo(started());
	}

	@Override
	public String toString() {
		Map<String, Long> snapshot = new TreeMap<>();
		this.counts.forEach((key, value) -> snapshot.put(key, value.sum()));
		return "SpanAudit" + snapshot;
	}

}
