package dev.thousandisland;

import java.net.SocketAddress;
import java.time.Instant;

/**
 * A live connection, as other threads see it: something to {@linkplain #tell tell} a message
 * (Thousand Island's "send the handler process a message"), to inspect, or to close.
 * {@link Server#connections()} lists them; {@link Socket#connection()} gives a handler its own.
 */
public interface Connection {

	/**
	 * Returns the connection's id, unique within its server.
	 * @return the id
	 */
	long id();

	/**
	 * Returns the client's address.
	 * @return the address, or {@code null} before it is known
	 */
	SocketAddress remoteAddress();

	/**
	 * Returns when the connection was accepted.
	 * @return the accept time
	 */
	Instant acceptedAt();

	/**
	 * Returns where the connection is in its life.
	 * @return the state
	 */
	State state();

	/**
	 * Returns the connection's byte and call counters so far.
	 * @return the counters
	 */
	SocketStats stats();

	/**
	 * Puts a message in the connection's mailbox. The handler receives it in
	 * {@link Handler#handleMessage} on the connection's own thread, after any callback that is
	 * running, in the order messages were told. Never blocks.
	 *
	 * <p>{@code true} means the message was queued before the connection's end began: it is
	 * handled, or the connection ends (its closing callback and stop event come after the message
	 * was queued). Messages still queued when the connection ends are dropped, as a process's
	 * mailbox is when it terminates. {@code false} means the end had already begun and the message
	 * was not queued.
	 * @param message the message
	 * @return whether the message was queued; {@code false} once the connection's end has begun
	 * @throws MailboxFullException if the mailbox already holds
	 * {@link ServerConfig#mailboxCapacity()} messages; the message is not queued
	 */
	boolean tell(Object message);

	/**
	 * Closes the connection, from any thread (an operator, say). Its thread wakes, runs
	 * {@link Handler#handleClose} with the socket closed, and ends with stop reason
	 * {@code closed}; during the transport handshake too, before {@link Handler#handleConnection}
	 * ever ran. The same as {@link Socket#close()}.
	 */
	void close();

	/**
	 * Runs an action once this connection has ended: Erlang's {@code monitor}, what a
	 * {@link dev.thousandisland.registry.Registry} and a {@link dev.thousandisland.pubsub.PubSub}
	 * use to forget a connection whatever ended it. The action runs exactly once, after the
	 * connection's closing callback and its stop event, on whichever thread finished the
	 * connection (its own, or the thread of a server's forced close), before the server counts the
	 * connection gone: once {@link Server#stop} has returned, every action of its connections has
	 * run. If the connection has
	 * already ended, it runs at once on the caller's thread. What the action throws is logged and
	 * otherwise ignored. Keep actions short and non-blocking: they run on the path that releases
	 * the connection's slot.
	 * @param action what to run when the connection ends
	 * @return a watch whose {@link EndWatch#cancel()} withdraws the action
	 */
	EndWatch onEnd(Runnable action);

	/**
	 * An action registered with {@link Connection#onEnd}, which can be withdrawn until it runs.
	 */
	interface EndWatch {

		/**
		 * Withdraws the action, unless it has already run or started.
		 * @return {@code true} if the action was withdrawn and will never run
		 */
		boolean cancel();

	}

	/**
	 * Where a connection is in its life.
	 */
	enum State {

		/**
		 * Accepted; the transport handshake is running. Also while a
		 * {@link Result#switchTransport} upgrade's handshake runs, when sends from other threads wait.
		 */
		HANDSHAKING,

		/** Serving the handler. */
		OPEN,

		/** The server asked it to finish ({@link Handler#handleShutdown}). */
		DRAINING,

		/** Ended. */
		CLOSED

	}

}
