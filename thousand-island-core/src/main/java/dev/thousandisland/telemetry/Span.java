package dev.thousandisland.telemetry;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.thousandisland.internal.telemetry.ConnectionMetadata;

/**
 * A span of work with a start and an end: the listener, an acceptor, a connection, or a span a
 * handler opens under its connection (as Bandit nests its requests under Thousand Island's
 * connection span).
 *
 * <p>A span ends exactly once: the first of {@link #stop} or {@link #exception} wins and emits its
 * event; later calls do nothing and return {@code false}. That is what keeps "one start, one stop"
 * true when a connection is ended by its own thread and by a forced close at the same time.
 */
public final class Span {

	private final Telemetry telemetry;

	private final String kind;

	private final long id;

	private final Span parent;

	private final Map<String, Object> metadata;

	private final long startTime;

	private static final VarHandle ENDED;

	private static final VarHandle ATTRIBUTES;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			ENDED = lookup.findVarHandle(Span.class, "ended", boolean.class);
			ATTRIBUTES = lookup.findVarHandle(Span.class, "attributes", Map.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	// A span lives as long as its connection, idle ones included: no field holds an object of its
	// own until it is needed.
	private volatile boolean ended;

	/** Made by the first {@link #attribute(Object, Object)}; most spans never get one. */
	private volatile Map<Object, Object> attributes;

	Span(Telemetry telemetry, String kind, long id, Span parent, Map<String, Object> metadata, long startTime) {
		this.telemetry = telemetry;
		this.kind = kind;
		this.id = id;
		this.parent = parent;
		// A connection's metadata is unmodifiable already and made to be small: kept, not copied.
		this.metadata = (metadata instanceof ConnectionMetadata) ? metadata : Map.copyOf(metadata);
		this.startTime = startTime;
	}

	/**
	 * Returns the kind of span, which prefixes its event names.
	 * @return the kind, such as {@code connection}
	 */
	public String kind() {
		return this.kind;
	}

	/**
	 * Returns the span's id, unique within its server.
	 * @return the id
	 */
	public long id() {
		return this.id;
	}

	/**
	 * Returns the span this one is nested in.
	 * @return the parent, or {@code null} for a listener span
	 */
	public Span parent() {
		return this.parent;
	}

	/**
	 * Returns the metadata given when the span started.
	 * @return the start metadata
	 */
	public Map<String, Object> metadata() {
		return this.metadata;
	}

	/**
	 * Returns {@link System#nanoTime()} at the start of the span.
	 * @return the start time
	 */
	public long startTime() {
		return this.startTime;
	}

	/**
	 * Returns whether the span has ended.
	 * @return whether stop or exception was emitted
	 */
	public boolean isEnded() {
		return this.ended;
	}

	/**
	 * Attaches an object to the span, such as the tracing span or Micrometer observation a
	 * telemetry listener opened for it, so that code holding the span can find it.
	 * @param key the key, typically the attached object's type
	 * @param value the object, or {@code null} to remove it
	 */
	public void attribute(Object key, Object value) {
		Map<Object, Object> attributes = this.attributes;
		if (value == null) {
			if (attributes != null) {
				attributes.remove(key);
			}
			return;
		}
		if (attributes == null) {
			ATTRIBUTES.compareAndSet(this, null, new ConcurrentHashMap<>(2));
			attributes = this.attributes;
		}
		attributes.put(key, value);
	}

	/**
	 * Returns an object attached with {@link #attribute(Object, Object)}.
	 * @param key the key
	 * @return the object, or {@code null}
	 */
	public Object attribute(Object key) {
		Map<Object, Object> attributes = this.attributes;
		return (attributes != null) ? attributes.get(key) : null;
	}

	/**
	 * Starts a child span now and emits its {@code start} event.
	 * @param kind the child's kind
	 * @param metadata the child's start metadata
	 * @return the child span
	 */
	public Span startChild(String kind, Map<String, Object> metadata) {
		return startChild(kind, metadata, System.nanoTime());
	}

	/**
	 * Starts a child span that began at the given time and emits its {@code start} event.
	 * @param kind the child's kind
	 * @param metadata the child's start metadata
	 * @param startTime {@link System#nanoTime()} at which the child's work began
	 * @return the child span
	 */
	public Span startChild(String kind, Map<String, Object> metadata, long startTime) {
		return this.telemetry.startSpan(kind, this, metadata, startTime);
	}

	/**
	 * Emits an event within this span, named {@code <kind>.<name>}.
	 * @param name the event name within the span
	 * @param measurements the measurements
	 * @param metadata the metadata
	 */
	public void event(String name, Map<String, Object> measurements, Map<String, Object> metadata) {
		if (this.telemetry.isEnabled()) {
			this.telemetry.emit(new TelemetryEvent(this.kind + "." + name, this, System.nanoTime(), measurements,
					metadata));
		}
	}

	/**
	 * Ends the span normally or with an error, emitting {@code <kind>.stop}.
	 * @param measurements extra measurements ({@code duration} is added)
	 * @param error the error the span ended with, or {@code null}
	 * @return whether this call ended the span
	 */
	public boolean stop(Map<String, Object> measurements, Object error) {
		return stop(measurements, Map.of(), error);
	}

	/**
	 * Ends the span normally or with an error, emitting {@code <kind>.stop}.
	 * @param measurements extra measurements ({@code duration} is added)
	 * @param metadata extra metadata, added to the start metadata
	 * @param error the error the span ended with, or {@code null}; a {@link Throwable} is also
	 * given as {@code exception}
	 * @return whether this call ended the span
	 */
	public boolean stop(Map<String, Object> measurements, Map<String, Object> metadata, Object error) {
		return end("stop", measurements, metadata, error);
	}

	/**
	 * Ends the span because of an exception, emitting {@code <kind>.exception}.
	 * @param measurements extra measurements ({@code duration} is added)
	 * @param exception the exception
	 * @return whether this call ended the span
	 */
	public boolean exception(Map<String, Object> measurements, Throwable exception) {
		return exception(measurements, Map.of(), exception);
	}

	/**
	 * Ends the span because of an exception, emitting {@code <kind>.exception}.
	 * @param measurements extra measurements ({@code duration} is added)
	 * @param metadata extra metadata, added to the start metadata
	 * @param exception the exception
	 * @return whether this call ended the span
	 */
	public boolean exception(Map<String, Object> measurements, Map<String, Object> metadata, Throwable exception) {
		return end("exception", measurements, metadata, exception);
	}

	private boolean end(String name, Map<String, Object> measurements, Map<String, Object> metadata, Object error) {
		if (!ENDED.compareAndSet(this, false, true)) {
			return false;
		}
		if (this.telemetry.isEnabled()) {
			long now = System.nanoTime();
			Map<String, Object> allMeasurements = new HashMap<>(measurements);
			allMeasurements.put("duration", now - this.startTime);
			Map<String, Object> allMetadata = new HashMap<>(this.metadata);
			allMetadata.putAll(metadata);
			if (error != null) {
				allMetadata.put("error", (error instanceof Throwable ex) ? describe(ex) : error);
				if (error instanceof Throwable ex) {
					allMetadata.put("exception", ex);
				}
			}
			this.telemetry.emit(new TelemetryEvent(this.kind + "." + name, this, now, Map.copyOf(allMeasurements),
					Map.copyOf(allMetadata)));
		}
		return true;
	}

	private static String describe(Throwable ex) {
		return (ex.getMessage() != null) ? ex.getClass().getSimpleName() + ": " + ex.getMessage()
				: ex.getClass().getSimpleName();
	}

	@Override
	public String toString() {
		return this.kind + "#" + this.id;
	}

}
