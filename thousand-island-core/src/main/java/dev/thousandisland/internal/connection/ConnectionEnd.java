package dev.thousandisland.internal.connection;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;

import dev.thousandisland.Handler;
import dev.thousandisland.Socket;
import dev.thousandisland.telemetry.Span;
import dev.thousandisland.transport.ServerNameRefusedException;


/**
 * The end of one connection, which any thread may start but only one report finishes: Thousand
 * Island's {@code terminate/2}.
 *
 * <p>The first cause wins: a close or send timeout on another thread, a result or an exception on
 * the connection's own thread, or the server's forced close. A cause found on another thread is
 * only recorded here, and the connection's own thread, woken, runs the closing callback it calls
 * for and emits the stop: so every callback, closing ones included, runs on the connection's own
 * thread, and whatever the handler does after a close from outside (a failed send, a result) is
 * a consequence, not a second ending. Only a forced close, which cannot wait for a thread that
 * may be stuck in a callback, reports from the thread that forces it, without a callback.
 */
final class ConnectionEnd {

	private static final System.Logger logger = System.getLogger(ConnectionLoop.class.getName());

	private static final VarHandle CAUSE;

	private static final VarHandle FINISHED;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			CAUSE = lookup.findVarHandle(ConnectionEnd.class, "cause", Cause.class);
			FINISHED = lookup.findVarHandle(ConnectionEnd.class, "finished", boolean.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private volatile Cause cause;

	/** Whether the closing callback has started on the connection's own thread. Own thread only. */
	private boolean reported;

	private volatile boolean finished;

	/**
	 * Records why the connection ends, unless an earlier cause was recorded.
	 * @return the cause that holds: this one, or the earlier one
	 */
	Cause claim(Ending ending, Throwable error) {
		Cause mine = new Cause(ending, error);
		Cause earlier = (Cause) CAUSE.compareAndExchange(this, null, mine);
		return (earlier != null) ? earlier : mine;
	}

	/** The cause recorded so far, or {@code null} while the connection goes on. */
	Cause cause() {
		return this.cause;
	}

	/**
	 * Runs the closing callback for the cause that holds, once; on the connection's own thread.
	 * @return the cause to report in the stop event, or {@code null} if there is nothing left to
	 * report (already reported, or the server forced the close and reported it)
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	Cause runClosingCallback(Ending ending, Throwable error, Handler handler, Socket socket, Object state, long id) {
		Cause cause = claim(ending, error);
		if (this.reported || cause.ending.isForced()) {
			return null;
		}
		this.reported = true;
		try {
			switch (cause.ending.callback) {
				case CLOSE -> handler.handleClose(socket, state);
				case ERROR -> handler.handleError(cause.error, socket, state);
				case SHUTDOWN -> handler.handleShutdown(socket, state);
				case TIMEOUT -> handler.handleTimeout(socket, state);
				case NONE, NOT_OPENED -> {
				}
			}
		}
		catch (Throwable ex) {
			logger.log(Level.WARNING, "Handler " + handler.getClass().getName() + " failed while closing connection "
					+ id + " (" + cause.ending.reason + ")", ex);
		}
		return cause;
	}

	/**
	 * Emits the connection's stop (or exception) event; the span makes sure only the first of
	 * this and a forced close's report is emitted.
	 */
	static void emitStop(Span span, Map<String, Object> stats, Cause cause) {
		if (span == null) {
			return;
		}
		Map<String, Object> reason = (cause.error instanceof ServerNameRefusedException refused)
				? Map.of("reason", cause.ending.reason(cause.error), "handshake_reason", refused.reason().telemetryName())
				: Map.of("reason", cause.ending.reason(cause.error));
		if (cause.ending == Ending.EXCEPTION) {
			span.exception(stats, reason, cause.error);
		}
		else {
			span.stop(stats, reason, cause.ending.error(cause.error));
		}
	}

	/**
	 * Marks the end as complete.
	 * @return {@code true} for the one caller that should release the connection's slot
	 */
	boolean finish() {
		return FINISHED.compareAndSet(this, false, true);
	}

	/** Whether the connection has ended and released its slot. */
	boolean isFinished() {
		return this.finished;
	}

	/** Why a connection ends, and the error that came with it. */
	record Cause(Ending ending, Throwable error) {
	}

}
