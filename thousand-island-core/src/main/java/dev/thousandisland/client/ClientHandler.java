package dev.thousandisland.client;

import java.nio.ByteBuffer;

import dev.thousandisland.framing.FramingException;

/**
 * What a client connection tells its owner as it connects, drops and reconnects: the client-side
 * counterpart of the server's {@link dev.thousandisland.Handler}. Every callback is optional and
 * runs on the client's own virtual thread, one at a time, never concurrently with another; while
 * one runs, the client neither reads nor writes, so keep them short.
 *
 * <p>Replies are not handed to the handler: they complete the requests they answer, in order
 * (see {@link ClientConnection#requestAsync}). Each frame the server sends is first put to
 * {@link #classify}, which by default calls it the reply to the oldest request waiting, or a push
 * when none waits; a push (a greeting banner, a notification) goes to {@link #handleFrame}, which by
 * default ends the connection as a protocol error. A protocol that pushes while requests wait
 * (Redis pub/sub, RESP3 {@code >} frames, IMAP untagged responses) overrides both. A client's
 * life, callback by callback:
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
 * dropped because sent requests got no reply in time runs {@link #handleTimeout}. Then the client
 * waits its {@link Backoff} and connects again, unless it is stopping.
 * <li>{@link ClientConnection#stop} ends with {@link #handleClose} once the connection is closed.
 * </ol>
 * An exception a callback throws is logged; from {@code handleConnection} it also drops the new
 * connection, from {@code handleFrame} the connection (in both cases {@code handleError} gets it,
 * and the client backs off and retries); from the others it is otherwise ignored.
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
	 * Tells what a frame the server sent is, before it is matched to a request: the reply to the
	 * oldest request waiting ({@link FrameKind#REPLY}), a push for {@link #handleFrame}
	 * ({@link FrameKind#PUSH}), both ({@link FrameKind#REPLY_AND_PUSH}) or neither
	 * ({@link FrameKind#IGNORE}). It runs on the client's thread for every frame, in the order the
	 * frames arrived, so it may keep state of its own (what it subscribed to, how many
	 * confirmations a command still owes). A {@code REPLY} while no request waits is handed to
	 * {@code handleFrame} as a push.
	 *
	 * <p>The default tells nothing apart: a frame is the reply of the oldest request waiting, and a
	 * push only when none waits.
	 * @param frame the frame's payload, read-only to this method: its position and limit are put
	 * back after the call, whatever it did to them
	 * @param awaitingReplies how many written requests wait for a reply on this connection,
	 * counting those that timed out and whose late replies are still to come
	 * @return what the frame is
	 * @throws Exception to end the connection, as from {@link #handleFrame}
	 */
	default FrameKind classify(ByteBuffer frame, int awaitingReplies) throws Exception {
		return (awaitingReplies > 0) ? FrameKind.REPLY : FrameKind.PUSH;
	}

	/**
	 * Runs for each frame the server sent that {@link #classify} called a push; by default, each
	 * frame that arrived while no request was waiting for a reply: a greeting
	 * banner, a notification pushed between requests, an extra reply. Frames are cut by the reply
	 * framing and handed over one by one in the order they arrived; replies to requests made
	 * later are matched as usual, first in, first out. With the default {@code classify}, a frame
	 * that arrives while a request is waiting is that request's reply, so a protocol that pushes
	 * while requests are outstanding overrides {@code classify} to tell its pushes apart.
	 *
	 * <p>The default throws a {@link FramingException} ("more replies than requests"): a protocol
	 * error that drops the connection, as a client without this callback does. Override it to keep
	 * such frames; an override is detected simply by not throwing.
	 * @param frame the frame's payload (as the reply framing's {@code payload} cuts it), in a buffer
	 * of its own that the handler may keep
	 * @param client the client, connected
	 * @throws Exception to end the connection: a {@link FramingException} as a protocol error
	 * (telemetry reason {@code protocol_error}), anything else as a handler error
	 * ({@code handler_error}); either way {@code handleError} gets it, the requests in flight fail
	 * with {@link ConnectionLostException} and the client backs off and reconnects
	 */
	default void handleFrame(ByteBuffer frame, ClientConnection client) throws Exception {
		throw new FramingException("The server sent a reply (" + frame.remaining()
				+ " bytes) with no request waiting for one: more replies than requests");
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
	 * Supplies the ping of the idle check ({@link ClientConfig.Builder#idleCheck}): runs when
	 * nothing was received for the check's interval and no request waits for a reply. The
	 * payload goes out as a request like any other (framed by the request framing, after anything
	 * written before it), so the next reply is its reply; that reply only proves the peer alive
	 * and is discarded. No reply within the check's timeout drops the connection with an
	 * {@link IdleCheckFailedException} (to {@link #handleError}) and the client reconnects. The
	 * ping should be a request the server answers with exactly one reply and no side effect, such
	 * as RESP's {@code PING}.
	 *
	 * <p>The default returns {@code null}: no ping is sent and the interval starts again, so a
	 * client whose handler does not override this has no idle check in effect.
	 * @param client the client, connected
	 * @return the ping's payload, or {@code null} to skip this check
	 * @throws Exception logged; no ping is sent this time
	 */
	default ByteBuffer ping(ClientConnection client) throws Exception {
		return null;
	}

	/**
	 * Runs when the client dropped the connection because requests it had sent got no reply in
	 * time: with {@link RequestTimeoutAction#DISCARD_LATE_REPLY}, once the connection owes more
	 * than {@link ClientConfig#maxLateReplies()} late replies or one is later than
	 * {@link ClientConfig#lateReplyTimeout()}; with {@link RequestTimeoutAction#DROP_CONNECTION},
	 * at the first written request that timed out.
	 * @param error which bound was passed
	 * @param client the client, not connected
	 * @throws Exception logged and ignored
	 */
	default void handleTimeout(RequestTimeoutException error, ClientConnection client) throws Exception {
	}

}
