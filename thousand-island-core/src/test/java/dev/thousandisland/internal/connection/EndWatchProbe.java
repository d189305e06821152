package dev.thousandisland.internal.connection;

import dev.thousandisland.Connection;

/**
 * Lets tests count the {@link Connection#onEnd} actions a live connection still holds: how a
 * watcher that cancels its watches is shown to leave nothing behind.
 */
public final class EndWatchProbe {

	private EndWatchProbe() {
	}

	/**
	 * Returns the actions waiting for a connection's end.
	 * @param connection a server connection
	 * @return how many actions are registered and neither run nor cancelled
	 */
	public static int pending(Connection connection) {
		return ((ConnectionLoop) connection).endWatches.pending();
	}

}
