package dev.thousandisland.internal.connection;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.LockSupport;

import dev.thousandisland.ServerConfig;
import dev.thousandisland.transport.Transport;


/**
 * Waking a connection, its alarm, and its thread's hibernation: Erlang's {@code hibernate_after}.
 *
 * <p>A connection with nothing to do parks its thread (see {@link CallbackPass}); whoever leaves
 * it work (the poller, a {@code tell}, a close, a shutdown, the alarm) {@link #wake wakes} it.
 * One alarm per connection, on the server's alarm thread, rings at the read deadline or when the
 * connection is due to hibernate, so that a park needs no timer of its own. With
 * {@link ServerConfig#hibernateAfter()}, a connection idle that long lets its thread end, keeping
 * everything it needs in its {@link ConnectionLoop} object, and the next wake-up starts a new
 * thread that resumes the loop.
 *
 * <p>The {@link ConnectionLoop#hibernating hibernating} flag is set only by the leaving thread and
 * cleared only by compare-and-set, by exactly one of a waker and the leaving thread itself: so
 * exactly one thread goes on serving.
 */
final class Hibernation {

	/** A {@code hibernateAfter} that never comes. */
	static final long NEVER = Long.MAX_VALUE;

	private static final VarHandle HIBERNATING;

	static {
		try {
			HIBERNATING = MethodHandles.lookup().findVarHandle(ConnectionLoop.class, "hibernating", boolean.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private Hibernation() {
	}

	/** {@link ServerConfig#hibernateAfter()} in nanoseconds, or {@link #NEVER}. */
	static long afterNanos(Duration after) {
		try {
			long nanos = after.toNanos();
			return (nanos < Transport.LONGEST_WAIT_NANOS / 2) ? nanos : NEVER;
		}
		catch (ArithmeticException ex) {
			return NEVER;
		}
	}

	/**
	 * Lets the connection's thread end while it has nothing to do, keeping the connection: the
	 * stack of a parked thread is most of what an idle connection costs, and everything the
	 * connection needs between passes is in its object. The next {@link #wake} starts a new
	 * thread, as does the alarm set for the read deadline.
	 * @return whether this thread leaves; {@code false} if a wake-up came meanwhile and the
	 * thread goes on serving
	 */
	static boolean hibernate(ConnectionLoop connection) {
		long now = System.nanoTime();
		if (isTimed(connection.readDeadline, now)) {
			setAlarm(connection, connection.readDeadline, now);
		}
		connection.thread = null;
		connection.hibernating = true;
		// A wake-up that came before the flag was set found no thread to unpark; its cause is
		// still here to see.
		if ((connection.hasWork() || connection.readDeadline - System.nanoTime() <= 0)
				&& HIBERNATING.compareAndSet(connection, true, false)) {
			connection.thread = Thread.currentThread();
			return false;
		}
		return true;
	}

	/**
	 * Wakes the connection: unparks its thread, or starts a new one if it hibernates. Whoever
	 * calls this has already left the cause (data, a message, a request) where the connection
	 * looks. Any thread.
	 */
	static void wake(ConnectionLoop connection) {
		if (connection.hibernating && HIBERNATING.compareAndSet(connection, true, false)) {
			// With callbacksOnPoller, a poller that finds the connection readable serves it itself.
			if (!connection.socket.readiness().poller().serveHere(connection)) {
				resume(connection);
			}
		}
		else {
			LockSupport.unpark(connection.thread);
		}
	}

	private static void resume(ConnectionLoop connection) {
		try {
			Thread thread = connection.server.connectionThread(connection, connection::resumed);
			connection.thread = thread;
			thread.start();
		}
		catch (Throwable ex) {
			// No thread to be had (out of memory, say): the connection ends as a failed spawn.
			ConnectionLoop.logger.log(Level.ERROR,
					"Connection " + connection.id + " could not get a thread to resume on; closing it", ex);
			ConnectionEnding.forceClose(connection, Ending.SPAWN_ERROR);
		}
	}

	/**
	 * Makes sure an alarm wakes the connection by {@code wakeAt}. One alarm serves many waits: a
	 * busy connection with a read timeout schedules one per timeout period, not one per message
	 * as a timed park would, and an alarm that rings early only costs a pass that finds nothing
	 * due and sets the next one.
	 */
	static void setAlarm(ConnectionLoop connection, long wakeAt, long now) {
		ScheduledFuture<?> alarm = connection.alarm;
		// An alarm whose time has come is spent, even if it is still ringing (not yet done).
		if (alarm != null && !alarm.isDone() && connection.alarmAt - now > 0 && connection.alarmAt - wakeAt <= 0) {
			return;
		}
		if (alarm != null) {
			alarm.cancel(false);
		}
		connection.alarmAt = wakeAt;
		try {
			connection.alarm = connection.server.alarm(connection::wake, Math.max(wakeAt - now, 0));
		}
		catch (RejectedExecutionException ex) {
			// The server has stopped and is force-closing this connection: nothing to wake for.
			connection.alarm = null;
		}
	}

	/** Cancels the alarm, if any: the connection has ended. Any thread. */
	static void cancelAlarm(ConnectionLoop connection) {
		ScheduledFuture<?> alarm = connection.alarm;
		if (alarm != null) {
			connection.alarm = null;
			alarm.cancel(false);
		}
	}

	/** Whether a deadline is a real one rather than {@link ServerConfig#NO_TIMEOUT}'s far future. */
	static boolean isTimed(long deadline, long now) {
		return deadline - now <= Transport.LONGEST_WAIT_NANOS / 2;
	}

}
