package dev.thousandisland.internal.connection;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.locks.LockSupport;

import dev.thousandisland.Connection.State;
import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.framing.FramingException;
import dev.thousandisland.internal.connection.ConnectionEnd.Cause;
import dev.thousandisland.transport.Transport;


/**
 * One pass of a connection's loop, on its own thread, repeated until something ends the
 * connection: Thousand Island's {@code handle_info} for data and messages. A pass looks, in this
 * order, for an end recorded from outside, one message from the mailbox
 * ({@link Handler#handleMessage}), a shutdown request, data on the socket
 * ({@link Handler#handleData}) and the read deadline; finding none, it arms the socket's read
 * interest and parks until a waker leaves something to find, or tells the loop to
 * {@link Hibernation hibernate}. Every callback's {@link Result} is applied here: the next read
 * deadline, a transport switch, or an ending through {@link ConnectionEnding}.
 *
 * <p>This is the hot path. A pass makes the objects it always made (the callback's lambda and
 * its {@link Outcome}) and no others.
 */
final class CallbackPass {

	private CallbackPass() {
	}

	/**
	 * One pass of the connection: a message from the mailbox, then data from the socket, or a
	 * wait for either.
	 * @return what the connection does next
	 */
	@SuppressWarnings("unchecked")
	static Pass pass(ConnectionLoop connection) {
		ConnectionSocket socket = connection.socket;
		SocketReadiness readiness = socket.readiness();
		Cause cause = connection.end.cause();
		if (cause != null) {
			ConnectionEnding.end(connection, cause.ending(), cause.error());
			return Pass.ENDED;
		}
		if (!socket.isOpen()) {
			ConnectionEnding.end(connection, Ending.CLOSED, null);
			return Pass.ENDED;
		}
		// One message per pass, then the socket, the shutdown flag and the deadline get their
		// turn: a mailbox that never empties must not starve the client or keep a dead
		// connection alive.
		Queue<Object> mailbox = connection.mailbox;
		Object message = (mailbox != null) ? mailbox.poll() : null;
		if (message != null) {
			connection.idle = false;
			if (!apply(connection,
					callback(() -> connection.server.handler().handleMessage(message, socket, connection.handlerState)), false)) {
				return Pass.ENDED;
			}
		}
		if (connection.shutdownRequested) {
			ConnectionEnding.end(connection, Ending.SHUTDOWN, null);
			return Pass.ENDED;
		}
		if (connection.mayHaveData || readiness.takeReadable() || socket.channel().hasBufferedInput()) {
			DataReader.Received received;
			try {
				received = connection.server.dataReader().read(socket);
			}
			catch (IOException ex) {
				ConnectionEnding.end(connection, socket.isOpen() ? Ending.SOCKET_ERROR : Ending.CLOSED, ex);
				return Pass.ENDED;
			}
			if (received == DataReader.Received.END_OF_STREAM) {
				// handleClose sees the socket closed, as the client left it.
				socket.closeChannel();
				ConnectionEnding.end(connection, Ending.PEER_CLOSED, null);
				return Pass.ENDED;
			}
			if (received != DataReader.Received.NOTHING) {
				// A read that did not fill the buffer emptied the socket: go straight to
				// waiting next time rather than spend a read to learn that nothing came.
				connection.mayHaveData = received.filled();
				connection.idle = false;
				ByteBuffer data = received.data();
				Outcome outcome;
				try {
					outcome = callback(() -> connection.server.handler().handleData(data, socket, connection.handlerState));
				}
				finally {
					connection.server.dataReader().giveBack(data);
				}
				return apply(connection, outcome, true) ? Pass.AGAIN : Pass.ENDED;
			}
			connection.mayHaveData = false;
		}
		long now = System.nanoTime();
		if (connection.readDeadline - now <= 0) {
			ConnectionEnding.end(connection, Ending.READ_TIMEOUT, null);
			return Pass.ENDED;
		}
		try {
			readiness.armRead();
		}
		catch (IOException ex) {
			ConnectionEnding.end(connection, Ending.CLOSED, null);
			return Pass.ENDED;
		}
		if (!connection.hasMessages() && !connection.shutdownRequested && connection.end.cause() == null) {
			long wakeAt = connection.readDeadline;
			boolean timed = Hibernation.isTimed(wakeAt, now);
			if (connection.server.hibernateAfterNanos() != Hibernation.NEVER) {
				if (!connection.idle) {
					connection.idle = true;
					connection.idleSince = now;
				}
				long hibernateAt = connection.idleSince + connection.server.hibernateAfterNanos();
				if (hibernateAt - now <= 0) {
					return Pass.HIBERNATE;
				}
				if (!timed || hibernateAt - wakeAt < 0) {
					wakeAt = hibernateAt;
					timed = true;
				}
			}
			if (timed) {
				Hibernation.setAlarm(connection, wakeAt, now);
			}
			// Arming and setting the alarm may have waited for a lock, and a lock's wait swallows
			// an unpark: look for a cause to wake once more, then park.
			if (!connection.hasWork()) {
				LockSupport.park(connection);
				// A forced close interrupts; the next pass finds its cause.
				Thread.interrupted();
			}
		}
		return Pass.AGAIN;
	}

	/**
	 * Applies a callback's result.
	 * @param network whether the callback was a network one, whose plain continue re-arms the
	 * read deadline
	 * @return whether the connection goes on
	 */
	static boolean apply(ConnectionLoop connection, Outcome outcome, boolean network) {
		Cause cause = connection.end.cause();
		if (cause != null) {
			// Ended from outside (or by a send timeout) while the callback ran: whatever it
			// returned or threw is a consequence.
			ConnectionEnding.end(connection, cause.ending(), cause.error());
			return false;
		}
		if (outcome.thrown != null) {
			if (RecvTimeoutException.isCause(outcome.thrown)) {
				ConnectionEnding.end(connection, Ending.READ_TIMEOUT, null);
			}
			else {
				ConnectionEnding.end(connection, Ending.EXCEPTION, outcome.thrown);
			}
			return false;
		}
		Result<?> result = outcome.result;
		if (result == null) {
			ConnectionEnding.end(connection, Ending.EXCEPTION, new NullPointerException("Handler "
					+ connection.server.handler().getClass().getName() + " returned null instead of a Result"));
			return false;
		}
		connection.handlerState = result.state();
		switch (result) {
			case Result.Continue<?> next -> {
				switch (next.readTimeout()) {
					case Result.ReadTimeout.Current current -> {
						if (network) {
							connection.readDeadline = Transport.deadline(connection.socket.readTimeout());
						}
					}
					case Result.ReadTimeout.Once once -> connection.readDeadline = Transport.deadline(once.timeout());
					case Result.ReadTimeout.Persistent persistent -> {
						connection.socket.readTimeout(persistent.timeout());
						connection.readDeadline = Transport.deadline(persistent.timeout());
					}
				}
				return true;
			}
			case Result.SwitchTransport<?> upgrade -> {
				try {
					TransportSwitch.perform(connection.socket, connection.raw, upgrade.transport(),
							Transport.deadline(connection.server.config().handshakeTimeout()),
							(upgrading) -> connection.state = upgrading ? State.HANDSHAKING : State.OPEN);
				}
				catch (Exception ex) {
					ConnectionEnding.end(connection, Ending.UPGRADE_FAILED, ex);
					return false;
				}
				connection.readDeadline = Transport.deadline(connection.socket.readTimeout());
				return true;
			}
			case Result.Close<?> close -> {
				ConnectionEnding.end(connection, Ending.LOCAL_CLOSED, null);
				return false;
			}
			case Result.Error<?> error -> {
				if (RecvTimeoutException.isCause(error.reason())) {
					ConnectionEnding.end(connection, Ending.READ_TIMEOUT, null);
				}
				else {
					if (error.reason() instanceof FramingException framing) {
						// The client's input, not the handler, is at fault: never a warning per connection.
						connection.server.peerErrors().framing(connection.id, connection.remoteAddress, framing);
					}
					else if (!connection.server.config().silentTerminateOnError()) {
						ConnectionLoop.logger.log(Level.WARNING, "Connection " + connection.id + " from "
								+ connection.remoteAddress + " ended with an error result", error.reason());
					}
					ConnectionEnding.end(connection, Ending.ERROR, error.reason());
				}
				return false;
			}
		}
	}

	/** Runs a handler callback, catching whatever it throws: a callback's failure is an outcome. */
	static Outcome callback(Callback callback) {
		try {
			return new Outcome(callback.call(), null);
		}
		catch (Throwable ex) {
			return new Outcome(null, ex);
		}
	}

	/** A handler callback, run by {@link #callback}. */
	@FunctionalInterface
	interface Callback {

		Result<?> call() throws Exception;

	}

	/** What a callback returned, or what it threw. */
	record Outcome(Result<?> result, Throwable thrown) {
	}

	/** What the connection does after a pass. */
	enum Pass {

		/** Another pass. */
		AGAIN,
		/** Hibernate: nothing to do for {@code hibernateAfter}. */
		HIBERNATE,
		/** Nothing: the connection ended. */
		ENDED

	}

}
