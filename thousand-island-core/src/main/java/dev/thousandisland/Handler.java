package dev.thousandisland;

import java.nio.ByteBuffer;

/**
 * The protocol a server speaks: the Java counterpart of Thousand Island's
 * {@code ThousandIsland.Handler}. Every callback is optional.
 *
 * <p>Each connection runs on a virtual thread of its own, and every callback of a connection runs
 * on it, one at a time, never concurrently with another callback of the same connection. By
 * default ({@link ServerConfig#hibernateAfter()} 0) a connection that waits for data or a message
 * lets its thread end and resumes on a new one, with the same name: callbacks still never overlap
 * and the state carries over, but thread identity and {@link ThreadLocal}s (an MDC) do not survive
 * the wait. With {@link ServerConfig#callbacksOnPoller()}, a handler that promises never to block
 * has its callbacks run on a poller's thread instead, many connections one after another, which
 * changes nothing else of this contract. A handler is therefore usually one shared object (a Spring bean, say) and keeps whatever belongs
 * to one connection in its per-connection <em>state</em>: {@link #initialState()} creates it for
 * each connection, each callback receives it, and the {@link Result} a callback returns carries
 * it on to the next.
 *
 * <p>A connection's life, and what the socket looks like at each step:
 * <ol>
 * <li>The transport handshake (TLS) completes, then {@link #handleConnection} runs with the
 * socket open.
 * <li>Whenever the client sends bytes while no callback is running, {@link #handleData} runs with
 * them. The framework reads only between callbacks, so a callback may itself call
 * {@link Socket#recv} and {@link Socket#send} as often as it likes (Bandit's blocking style).
 * <li>Whenever another thread {@linkplain Connection#tell tells} the connection something while
 * no callback is running, {@link #handleMessage} runs with it.
 * <li>The connection ends with exactly one of {@link #handleClose}, {@link #handleError},
 * {@link #handleShutdown} or {@link #handleTimeout}, then the socket is closed and exactly one
 * {@code connection.stop} (or {@code connection.exception}) event is emitted, whose
 * {@code reason} says why. The closing callback runs on the connection's own thread whichever
 * thread started the end (a {@link Socket#close()} or {@link Connection#close()} from another
 * thread, a send timeout hit by a broadcasting thread): the connection is woken to report it.
 * The first cause wins; what the handler does after it (a send that fails on the closed socket,
 * a result) is a consequence, not a second ending.
 * </ol>
 *
 * <p>One ending has no callback: a stopping server's forced close, at its shutdown deadline or
 * at once with {@code stop(Duration.ZERO)} (stop reasons {@code shutdown_timeout},
 * {@code shutdown_immediate}), as Thousand Island's brutal kill; it cannot wait for a thread that
 * may be stuck in a callback. docs/connection-lifecycle.md tabulates every ending.
 *
 * <p>An exception thrown by a callback ends that connection only: {@link #handleError} runs with
 * it, the socket is closed and a {@code connection.exception} event is emitted. Only the timeout
 * of {@link Socket#recv} escaping a callback counts as a read timeout and goes to
 * {@link #handleTimeout} instead; a {@link java.net.SocketTimeoutException} from the handler's own
 * I/O (a database or HTTP client timing out inside a callback) is the handler's error and goes to
 * {@link #handleError} with that exception.
 *
 * <p><b>What a handler may keep.</b> Under the default {@link ServerConfig#dataBuffers()},
 * {@link DataBuffers#OWNED}, the buffer {@link #handleData} receives is the handler's own: a heap
 * buffer holding exactly the bytes of one read, which nothing in the framework touches again. Keep
 * it, a slice, duplicate or read-only view of it, in the state, in a message to
 * {@link Connection#tell}, or on another thread, for as long as you like: no other connection can
 * ever observe its bytes or change them. Under the expert opt-in {@link DataBuffers#LENT} the
 * buffer is lent for the length of the callback only and reused for other connections' reads
 * afterwards: copy what you keep, and test the handler with {@link DataBuffers#LENT_CHECKED}, which
 * makes a kept buffer throw and a kept view read {@link DataBuffers#POISON}. Buffers returned by
 * {@link Socket#recv} are always the caller's own.
 *
 * <p><b>Read timeout.</b> After {@code handleConnection} or {@code handleData} returns
 * {@link Result.Continue}, the connection waits for data at most the read timeout (the server's
 * {@code readTimeout}, or the one the result sets). Time spent inside those callbacks does not
 * count; messages and outgoing sends do not extend the deadline. When it passes,
 * {@link #handleTimeout} runs.
 *
 * @param <S> the type of the per-connection state
 */
public interface Handler<S> {

	/**
	 * Creates the state of a new connection. Runs on the connection's thread before anything
	 * else; if it throws, the socket is closed and an {@code acceptor.spawn_error} is emitted.
	 * @return the connection's initial state, possibly {@code null}
	 */
	default S initialState() {
		return null;
	}

	/**
	 * Runs once, after the transport handshake, before any data is handed over.
	 * @param socket the connection's socket, open
	 * @param state the connection's state
	 * @return what to do next
	 * @throws Exception to end the connection through {@link #handleError}
	 */
	default Result<S> handleConnection(Socket socket, S state) throws Exception {
		return Result.continueWith(state);
	}

	/**
	 * Runs each time the framework has read bytes from the client.
	 * @param data the bytes read, from its position to its limit; by default the handler's own to
	 * keep (see "What a handler may keep" above), under {@link DataBuffers#LENT} valid only until
	 * this callback returns
	 * @param socket the connection's socket, open
	 * @param state the connection's state
	 * @return what to do next
	 * @throws Exception to end the connection through {@link #handleError}
	 */
	default Result<S> handleData(ByteBuffer data, Socket socket, S state) throws Exception {
		return Result.continueWith(state);
	}

	/**
	 * Runs for each message delivered with {@link Connection#tell}, on the connection's own
	 * thread (Thousand Island's {@code handle_info}). Unlike the network callbacks, returning
	 * {@link Result#continueWith(Object)} does not re-arm the read deadline: a connection that
	 * only receives messages still times out. A result with an explicit timeout does re-arm it.
	 * @param message the message
	 * @param socket the connection's socket, open
	 * @param state the connection's state
	 * @return what to do next
	 * @throws Exception to end the connection through {@link #handleError}
	 */
	default Result<S> handleMessage(Object message, Socket socket, S state) throws Exception {
		return Result.continueWith(state);
	}

	/**
	 * Runs when the client closed the connection (the socket is already closed), when a callback
	 * returned {@link Result#close} (the socket is still open and closed right after), or when
	 * {@link Socket#close()} or {@link Connection#close()} closed it, from any thread (the socket
	 * is already closed). A close during the transport handshake also ends here, before
	 * {@link #handleConnection} ever ran. Stop reasons {@code peer_closed}, {@code local_closed},
	 * {@code closed}.
	 * @param socket the connection's socket
	 * @param state the connection's state
	 * @throws Exception logged and otherwise ignored
	 */
	default void handleClose(Socket socket, S state) throws Exception {
	}

	/**
	 * Runs when the connection ends in error: a callback threw or returned {@link Result#error}
	 * (stop reasons {@code exception}, {@code error}), the transport handshake failed or timed out
	 * ({@code handshake_failed}: {@link #handleConnection} never ran), a
	 * {@link Result#switchTransport} upgrade was refused or failed ({@code upgrade_failed}), a send
	 * on any thread made no progress for {@code sendTimeout} ({@code send_timeout}, with the
	 * {@link java.nio.channels.InterruptedByTimeoutException} the send threw), or reading from the
	 * socket failed ({@code socket_error}). The socket may already be closed; it is closed right
	 * after.
	 * @param error what went wrong
	 * @param socket the connection's socket
	 * @param state the connection's state; after a failed handshake, the one
	 * {@link #initialState()} made
	 * @throws Exception logged and otherwise ignored
	 */
	default void handleError(Throwable error, Socket socket, S state) throws Exception {
	}

	/**
	 * Runs when the server is stopping, with the socket still open so the handler can say
	 * goodbye. It runs between callbacks: a connection busy in a callback sees it when the
	 * callback returns. Never for a connection whose {@link #handleConnection} has not run: one
	 * still in its handshake when the server stops runs {@code handleConnection} first. A
	 * connection still open at the server's shutdown deadline is closed without further
	 * callbacks. Stop reason {@code shutdown}.
	 * @param socket the connection's socket, open
	 * @param state the connection's state
	 * @throws Exception logged and otherwise ignored
	 */
	default void handleShutdown(Socket socket, S state) throws Exception {
	}

	/**
	 * Runs when the read deadline passed with no data from the client, or when the timeout of
	 * {@link Socket#recv} escaped a callback or was returned in {@link Result#error} (Thousand
	 * Island's {@code {:error, :timeout, state}}). No other timeout leads here. The socket is still
	 * open. Stop reason {@code read_timeout}, error {@code timeout}.
	 * @param socket the connection's socket, open
	 * @param state the connection's state
	 * @throws Exception logged and otherwise ignored
	 */
	default void handleTimeout(Socket socket, S state) throws Exception {
	}

}
