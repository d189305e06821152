package dev.thousandisland.telemetry;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a server's spans send their events: the listeners configured for that server. One per
 * server; there is no global registry.
 */
public final class Telemetry {

	private static final System.Logger logger = System.getLogger(Telemetry.class.getName());

	private final List<TelemetryListener> listeners;

	private final boolean payloads;

	private final AtomicLong spanIds = new AtomicLong();

	/**
	 * Creates telemetry that delivers to the given listeners.
	 * @param listeners the listeners, called in order
	 * @param payloads whether send and receive events carry a copy of the bytes
	 */
	public Telemetry(List<TelemetryListener> listeners, boolean payloads) {
		this.listeners = List.copyOf(listeners);
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

	void emit(TelemetryEvent event) {
		for (TelemetryListener listener : this.listeners) {
			try {
				listener.onEvent(event);
			}
			catch (RuntimeException ex) {
				logger.log(Level.WARNING, "Telemetry listener " + listener + " failed on " + event.name(), ex);
			}
		}
	}

}
