package dev.thousandisland.internal.connection;

import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.ServerConfig;

/**
 * The watchdog of {@link ServerConfig#callbacksOnPoller()}: a handler that promises never to
 * block has its connections served on the pollers' own threads, and this checks the promise.
 *
 * <p>A connection the poller finds readable while its thread hibernates is served right there
 * ({@link Poller#serveHere}): its callbacks run on the poller's thread until it waits again, with
 * no thread started and no trip through the scheduler for the message. Whenever such a callback
 * must wait after all (its send finds the socket full, another sender holds the send lock, it
 * reads with a timeout), the poller's thread hands polling off to a new thread first and carries
 * on as the connection's own ({@link Poller#leaveIfPolling}): waiting is allowed, only not on the
 * poller. A callback that blocks where Thousand Island cannot see it (a sleep, a lock, a database
 * call) is found here, on the server's alarm thread: one that has run on a poller for longer than
 * {@link ServerConfig#pollerCallbackLimit()} gets the same hand-off, and its connection is never
 * served on a poller again. The other connections of that poller wait at most about the limit and
 * a half. The operator is told which handler broke its promise, at most once a minute, with the
 * count of connections moved.
 *
 * <p>A callback that computes without ever blocking cannot be moved: it holds its carrier, as it
 * would an event loop's thread in Netty.
 */
final class CallbacksOnPoller implements Runnable {

	private static final System.Logger logger = System.getLogger(CallbacksOnPoller.class.getName());

	private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

	private final Poller[] pollers;

	private final long limitNanos;

	private final String serverName;

	private final String handlerName;

	/** Connections moved off a poller; the watchdog's own thread only, as are the next two. */
	private long moved;

	private long movedWhenLastLogged;

	private long lastLoggedAt;

	private boolean loggedOnce;

	CallbacksOnPoller(Poller[] pollers, ServerConfig config) {
		this.pollers = pollers;
		this.limitNanos = config.pollerCallbackLimit().toNanos();
		this.serverName = config.name();
		this.handlerName = config.handler().getClass().getName();
	}

	/** How often the watchdog looks: twice per limit. */
	long periodNanos() {
		return Math.max(this.limitNanos / 2, 1);
	}

	@Override
	public void run() {
		long now = System.nanoTime();
		for (Poller poller : this.pollers) {
			ConnectionLoop connection = poller.running();
			long since = poller.runningSince();
			if (connection != null && now - since > this.limitNanos) {
				Thread stuck = poller.thread();
				connection.offPoller = true;
				if (poller.handOff(stuck, connection)) {
					this.moved++;
					report(connection, now - since, now);
				}
			}
		}
	}

	/** Logs the first move, then at most one line a minute with the count since the last. */
	private void report(ConnectionLoop connection, long ranNanos, long now) {
		if (this.loggedOnce && now - this.lastLoggedAt < LOG_INTERVAL_NANOS) {
			return;
		}
		long since = this.moved - this.movedWhenLastLogged;
		logger.log(Level.WARNING, "Server '" + this.serverName + "': a callback of " + this.handlerName
				+ " ran on a poller thread for " + TimeUnit.NANOSECONDS.toMillis(ranNanos)
				+ " ms, past pollerCallbackLimit (" + TimeUnit.NANOSECONDS.toMillis(this.limitNanos)
				+ " ms), though callbacksOnPoller promises callbacks that never block: connection "
				+ connection.id + " and " + (since - 1) + " other(s) since the last report moved to threads of their own ("
				+ this.moved + " in all)");
		this.loggedOnce = true;
		this.lastLoggedAt = now;
		this.movedWhenLastLogged = this.moved;
	}

}
