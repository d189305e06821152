package dev.thousandisland.client;

/**
 * What a client connection tells its owner as it connects, drops and reconnects: the client-side
 * counterpart of the server's {@link dev.thousandisland.Handler}. Every callback is optional and
 * runs on the client's own virtual thread, one at a time, never concurrently with another; while
 * one runs, the client neither reads nor writes, so keep them short.
 *
 * <p>Replies are not handed to the handler: they complete the requests they answer, in order
 * (see {@link ClientConnection#requestAsync}). A client's life, callback by callback:
 * <ol>
 * <li>After each successful TCP connect and transport handshake, {@link #handleConnection} runs,
 * told whether this is the {@linkplain ConnectKind#FIRST first} connect or a
 * {@linkplain ConnectKind#RECONNECT reconnect}. Requests it makes with
 * {@link ClientConnection#requestAsync} go out before any request that waited in the queue: the
 * place for a protocol's greeting, authentication or database selection.
 * <li>Whenever another thread {@linkplain ClientConnection#tell tells} the client something,
 * {@link #handleMessage} runs with it.
 * <li>A connect attempt that fails, and a connection that ends in error, run
 * {@link #handleError}; a connection the peer closed runs {@link #handleClose}; a connection
 * dropped because a sent request got no reply in time runs {@link #handleTimeout}. Then the client
 * waits its {@link Backoff} and connects again, unless it is stopping.
 * <li>{@link ClientConnection#stop} ends with {@link #handleClose} once the connection is closed.
 * </ol>
 * An exception a callback throws is logged; from {@code handleConnection} it also drops the new
 * connection (the client backs off and retries), from the others it is otherwise ignored.
 */
public interface ClientHandler {

	/** A handler that does nothing. */
	ClientHandler NONE = new ClientHandler() {
	};

	/**
	 * Runs after each successful connect, before queued requests are written.
	 * @param client the client, connected
	 * @param kind first connect or reconnect
	 * @throws Exception to drop this connection and back off
	 */
	default void handleConnection(ClientConnection client, ConnectKind kind) throws Exception {
	}

	/**
	 * Runs for each message delivered with {@link ClientConnection#tell}.
	 * @param message the message
	 * @param client the client
	 * @throws Exception logged and ignored
	 */
	default void handleMessage(Object message, ClientConnection client) throws Exception {
	}

	/**
	 * Runs when the peer closed the connection, or when {@code stop()} closed it.
	 * @param client the client, no longer connected
	 * @throws Exception logged and ignored
	 */
	default void handleClose(ClientConnection client) throws Exception {
	}

	/**
	 * Runs when a connect attempt failed (refused, timed out, handshake rejected) or the
	 * connection ended in error (socket error, bytes the reply framing rejects, more replies than
	 * requests).
	 * @param error what went wrong
	 * @param client the client, not connected
	 * @throws Exception logged and ignored
	 */
	default void handleError(Throwable error, ClientConnection client) throws Exception {
	}

	/**
	 * Runs when the client dropped the connection because a request it had sent got no reply
	 * within its timeout.
	 * @param error the timeout of that request
	 * @param client the client, not connected
	 * @throws Exception logged and ignored
	 */
	default void handleTimeout(RequestTimeoutException error, ClientConnection client) throws Exception {
	}

}
