package dev.thousandisland.telemetry;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Where a server's spans send their events: the listeners configured for that server. One per
 * server; there is no global registry.
 */
public final class Telemetry {

	private static final System.Logger logger = System.getLogger(Telemetry.class.getName());

	private final List<TelemetryListener> listeners;

	private final boolean payloads;

	private final AtomicLong spanIds = new AtomicLong();

	/** How many times each listener has thrown, by its index in {@link #listeners}. */
	private final AtomicLongArray listenerFailures;

	/**
	 * Creates telemetry that delivers to the given listeners.
	 * @param listeners the listeners, called in order
	 * @param payloads whether send and receive events carry a copy of the bytes
	 */
	public Telemetry(List<TelemetryListener> listeners, boolean payloads) {
		this.listeners = List.copyOf(listeners);
		this.listenerFailures = new AtomicLongArray(this.listeners.size());
		this.payloads = payloads;
	}

	/**
	 * Returns whether anyone listens. Emitters skip building events when nobody does.
	 * @return whether there is at least one listener
	 */
	public boolean isEnabled() {
		return !this.listeners.isEmpty();
	}

	/**
	 * Returns whether send and receive events should carry a copy of the bytes.
	 * @return whether payloads are captured
	 */
	public boolean capturesPayloads() {
		return this.payloads && isEnabled();
	}

	/**
	 * Starts a root span and emits its {@code start} event.
	 * @param kind the span kind, such as {@code listener}
	 * @param metadata the start metadata, repeated on the stop event
	 * @return the span
	 */
	public Span startSpan(String kind, Map<String, Object> metadata) {
		return startSpan(kind, null, metadata, System.nanoTime());
	}

	Span startSpan(String kind, Span parent, Map<String, Object> metadata, long startTime) {
		Span span = new Span(this, kind, this.spanIds.incrementAndGet(), parent, metadata, startTime);
		if (isEnabled()) {
			emit(new TelemetryEvent(kind + ".start", span, startTime, Map.of(), metadata));
		}
		return span;
	}

	/**
	 * Delivers an event to every listener. Whatever a listener throws, {@link Error}s included, is
	 * logged and goes no further: events are emitted from the middle of accepting, closing and
	 * draining, and a throw escaping there would leak a connection slot or stop a server's drain.
	 * A listener that fails on every event is logged on its 1st, 10th, 100th, ... failure, not on
	 * each.
	 */
	void emit(TelemetryEvent event) {
		for (int i = 0; i < this.listeners.size(); i++) {
			TelemetryListener listener = this.listeners.get(i);
			try {
				listener.onEvent(event);
			}
			catch (Throwable ex) {
				long failures = this.listenerFailures.incrementAndGet(i);
				if (isPowerOfTen(failures)) {
					logger.log(Level.WARNING, "Telemetry listener " + listener + " failed on " + event.name() + " ("
							+ failures + " failure(s) so far; logged at the 1st, 10th, 100th, ...)", ex);
				}
			}
		}
	}

	private static boolean isPowerOfTen(long number) {
		long power = 1;
		while (power < number && power <= Long.MAX_VALUE / 10) {
			power *= 10;
		}
		return power == number;
	}

}
