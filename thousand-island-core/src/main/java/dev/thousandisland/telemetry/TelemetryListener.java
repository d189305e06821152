package dev.thousandisland.telemetry;

/**
 * Receives every telemetry event a server emits: the Java counterpart of attaching a
 * {@code :telemetry} handler to Thousand Island's events.
 *
 * <p>Events are delivered synchronously on the thread that caused them (a connection's own
 * virtual thread, an acceptor, or the thread that stopped the server), so an implementation must
 * be quick and must not block; it may be called from many threads at once. Whatever a listener
 * throws, an {@link Error} such as a failed assertion included, is logged (on its 1st, 10th,
 * 100th, ... failure) and swallowed: telemetry never costs a connection, a connection slot or a
 * server's shutdown.
 *
 * @see TelemetryEvent for the complete list of event names, measurements and metadata
 */
@FunctionalInterface
public interface TelemetryListener {

	/**
	 * Handles one event.
	 * @param event the event
	 */
	void onEvent(TelemetryEvent event);

}
