package dev.thousandisland.internal.server;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import dev.thousandisland.ServerStatus;
import dev.thousandisland.internal.connection.ConnectionLoop;
import dev.thousandisland.internal.connection.ConnectionSupervisor;
import dev.thousandisland.internal.connection.Ending;

/**
 * The end of a server's stop, on a thread of its own: waits until no connection is left or the
 * deadline passes (step 4), closes whatever is still open (step 5), then lets the server finish.
 *
 * <p>Nothing a connection's close throws can stop it: each forced close is on its own, and the
 * server reaches {@link ServerStatus#STOPPED} whatever happened before. A drain that died half way
 * would leave {@code stop()} waiting for ever.
 *
 * <p>A connection that was already ending on its own thread when the deadline passed (its closing
 * callback done, its socket, stop event and slot not yet) is not closed again but waited for, at
 * most {@link #ENDING_GRACE}: {@code stop()} returns when every connection is closed and counted
 * out, and only framework work and telemetry listeners stand between such a connection and its
 * end.
 */
final class Drain implements Runnable {

	private static final System.Logger logger = System.getLogger(Drain.class.getName());

	/** How long connections that were ending by themselves at the deadline are waited for. */
	static final Duration ENDING_GRACE = Duration.ofSeconds(5);

	private final String serverName;

	private final ConnectionSupervisor connections;

	/** Completes the stop, however the drain went. */
	private final Runnable finished;

	/** Whether the stop asked for no drain at all, rather than a drain that ran out of time. */
	private final boolean immediate;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private long deadline;

	/** How many connections the drain closed without waiting for them; written once, by the drain's thread. */
	private volatile int forcedCloses;

	/**
	 * Prepares a drain.
	 * @param deadline {@link System#nanoTime()} by which connections must have finished
	 * @param immediate whether the stop asked for no drain at all
	 * @param finished run last, whatever happened
	 */
	Drain(String serverName, ConnectionSupervisor connections, long deadline, boolean immediate, Runnable finished) {
		this.serverName = serverName;
		this.connections = connections;
		this.finished = finished;
		this.deadline = deadline;
		this.immediate = immediate;
	}

	/** Moves the deadline to {@code deadline} if that is sooner. */
	void bringForward(long deadline) {
		this.lock.lock();
		try {
			if (deadline - this.deadline < 0) {
				this.deadline = deadline;
				this.changed.signalAll();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * How many connections were closed without waiting for them: those still open at the
	 * deadline, or every one for a stop with no drain. 0 until the drain has run.
	 */
	int forcedCloses() {
		return this.forcedCloses;
	}

	/** Tells the drain that the last connection ended. */
	void drained() {
		this.lock.lock();
		try {
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void run() {
		try {
			awaitConnections(() -> this.deadline);
			closeTheRest();
			long graceEnd = System.nanoTime() + ENDING_GRACE.toNanos();
			if (!awaitConnections(() -> graceEnd)) {
				logger.log(Level.WARNING, "Server '" + this.serverName + "' stops with "
						+ this.connections.activeConnections() + " connection(s) still ending after " + ENDING_GRACE.toMillis()
						+ " ms of grace");
			}
		}
		catch (Throwable ex) {
			logger.log(Level.ERROR, "Draining server '" + this.serverName + "' failed; stopping it anyway",
					ex);
		}
		finally {
			this.finished.run();
		}
	}

	/**
	 * Waits until no connection is left or {@code until} passes; read under the lock, so that a
	 * deadline brought forward takes effect at once.
	 * @return whether no connection is left
	 */
	private boolean awaitConnections(LongSupplier until) {
		this.lock.lock();
		try {
			while (this.connections.activeConnections() > 0) {
				long remaining = until.getAsLong() - System.nanoTime();
				if (remaining <= 0) {
					return false;
				}
				this.changed.awaitNanos(remaining);
			}
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void closeTheRest() {
		int forced = 0;
		Ending reason = this.immediate ? Ending.SHUTDOWN_IMMEDIATE : Ending.SHUTDOWN_TIMEOUT;
		for (ConnectionLoop connection : this.connections.connectionLoops()) {
			try {
				connection.forceClose(reason);
			}
			catch (Throwable ex) {
				logger.log(Level.ERROR, "Closing " + connection + " failed; the drain goes on", ex);
			}
			forced++;
		}
		this.forcedCloses = forced;
		String name = this.serverName;
		if (forced > 0 && this.immediate) {
			logger.log(Level.INFO, "Server '" + name + "' stopped immediately, closing " + forced + " connection(s)");
		}
		else if (forced > 0) {
			logger.log(Level.WARNING, "Server '" + name + "' closed " + forced
					+ " connection(s) that were still open at its shutdown deadline");
		}
	}

}
