package dev.thousandisland.internal.connection;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Queue;

import dev.thousandisland.Connection.State;
import dev.thousandisland.SocketStats;
import dev.thousandisland.internal.connection.ConnectionEnd.Cause;


/**
 * The last job of a connection: every path out of {@link ConnectionLoop} ends here. On the
 * connection's own thread, {@link #end} runs the closing callback of the first cause recorded in
 * {@link ConnectionEnd}, closes the socket, emits the stop event and releases the connection's
 * slot. From outside, the server's {@link #forceClose} reports at once with no callback, and a
 * connection that never started (the client gone before it was looked at, or a handler whose
 * initial state failed) is {@link #abandon abandoned} with no span at all. Whichever of these
 * runs, and on whichever thread, the connection ends with one closing callback at most, one stop
 * event and one release of its slot.
 */
final class ConnectionEnding {

	private ConnectionEnding() {
	}

	/**
	 * Ends the connection on its own thread: runs the closing callback for the first cause
	 * recorded (this ending, or an earlier one from another thread), closes the socket, emits
	 * the stop event. Does nothing more if the end was already reported or the server forced it.
	 */
	static void end(ConnectionLoop connection, Ending ending, Throwable error) {
		ConnectionSocket socket = connection.socket;
		if (ending == Ending.SHUTDOWN && connection.end.cause() == null) {
			connection.state = State.DRAINING;
		}
		Ending first = connection.end.claim(ending, error).ending();
		if (socket != null && (first == Ending.CLOSED || first == Ending.SEND_TIMEOUT)) {
			// Whoever closed may not have got to closing the channel yet: the callback is promised
			// a closed socket.
			socket.closeChannel();
		}
		Cause cause = (socket != null) ? connection.end.runClosingCallback(ending, error, connection.server.handler(), socket,
				connection.handlerState, connection.id) : null;
		closeSocket(connection);
		if (cause == null) {
			return;
		}
		if (cause.ending() == Ending.EXCEPTION) {
			ConnectionLoop.logger.log(Level.WARNING, "Handler " + connection.server.handler().getClass().getName()
					+ " threw on connection " + connection.id + " from " + connection.remoteAddress + "; closing it",
					cause.error());
		}
		ConnectionEnd.emitStop(connection.span, statsMeasurements(connection), cause);
		finish(connection);
	}

	/**
	 * Forces the connection closed from outside its thread, with no callback: the stop that
	 * cannot wait. Emits the stop event at once unless the connection already did.
	 */
	static void forceClose(ConnectionLoop connection, Ending ending) {
		connection.end.claim(ending, null);
		closeSocket(connection);
		// Whoever starts the span after this sees the forced cause and stops it (see
		// ConnectionOpening.start).
		ConnectionEnd.emitStop(connection.span, statsMeasurements(connection), new Cause(ending, null));
		Thread thread = connection.thread;
		if (thread != null) {
			thread.interrupt();
		}
		finish(connection);
	}

	/**
	 * Ends a connection before its span started: no callback, no stop event; a failed handler
	 * gives the acceptor's span a {@code spawn_error} event.
	 * @param spawnError what {@code initialState} threw, or {@code null} if the client had left
	 */
	static void abandon(ConnectionLoop connection, Throwable spawnError) {
		connection.end.claim(Ending.SPAWN_ERROR, spawnError);
		closeSocket(connection);
		if (spawnError != null) {
			connection.acceptorSpan.event("spawn_error", Map.of(),
					Map.of("error", ConnectionSocket.errorName(spawnError)));
		}
		finish(connection);
	}

	/** Releases the connection's slot, once, whoever ends it. */
	static void finish(ConnectionLoop connection) {
		if (!connection.end.finish()) {
			return;
		}
		Hibernation.cancelAlarm(connection);
		Queue<Object> mailbox = connection.mailbox;
		if (mailbox != null) {
			mailbox.clear();
		}
		// The watchers first: when the server counts the connection gone (and a stop that waits
		// for the last one returns), whatever watched it (a registry, PubSub) has forgotten it.
		connection.endWatches.runAll();
		connection.server.connectionEnded(connection, connection.connectionSet);
	}

	static void closeSocket(ConnectionLoop connection) {
		ConnectionSocket socket = connection.socket;
		if (socket != null) {
			socket.closeChannel();
		}
		else {
			try {
				connection.raw.close();
			}
			catch (IOException ex) {
				// Nothing more to do: the descriptor is gone either way.
			}
		}
	}

	/** The stop event's measurements: the socket's counters as they stand. */
	static Map<String, Object> statsMeasurements(ConnectionLoop connection) {
		SocketStats stats = connection.stats();
		return Map.of("send_oct", stats.sendOct(), "send_cnt", stats.sendCnt(), "recv_oct", stats.recvOct(),
				"recv_cnt", stats.recvCnt());
	}

}
