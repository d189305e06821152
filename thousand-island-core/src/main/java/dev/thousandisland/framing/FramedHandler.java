package dev.thousandisland.framing;

import java.nio.ByteBuffer;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;


/**
 * A protocol that handles whole frames: a {@link Handler} whose {@code handleData} is replaced by
 * {@link #handleFrame}, one call per frame. {@link Framing#handler(FramedHandler)} makes the
 * server-side {@link Handler} of it. Everything else is {@link Handler}'s: the same callbacks at
 * the same moments, on the connection's own thread and never concurrently, the same
 * {@link Result}s, read timeouts, mailbox and endings; each callback receives a
 * {@link FramedSocket}, a {@link dev.thousandisland.Socket} that also reads and writes frames.
 *
 * <p><b>Delivery.</b> When a read brings several frames, {@link #handleFrame} runs once for each,
 * in order, before the connection waits for data again. A result other than
 * {@link Result#continueWith continue} stops the delivery at that frame: after
 * {@link Result#close} for frame 3, frames 4 and later are not delivered. Bytes after the last
 * whole frame stay buffered for the next one; a partial frame survives any number of reads.
 * When the frames of one read return different read timeouts, the connection's next wait uses
 * the last one a result set. A frame {@link FramedSocket#recvFrame} takes inside any callback is
 * not delivered again; frames already buffered when a callback returns are delivered right after it.
 *
 * <p><b>Ownership.</b> The frame given to {@link #handleFrame} is a new heap buffer holding the
 * payload only, the handler's to keep, whatever the server's
 * {@link dev.thousandisland.ServerConfig#dataBuffers() dataBuffers} mode.
 *
 * <p><b>Limits.</b> A connection buffers at most {@link Framing#maxBufferedBytes()} for a frame
 * it has not received whole. A frame over {@link Framing#maxFrameSize()} ends the connection:
 * {@link #handleFrameTooLarge} runs (it may send a reply), a {@code connection.frame_too_large}
 * telemetry event is emitted, then {@link #handleError} runs with the
 * {@link FrameTooLargeException} (stop reason {@code error}). A length header that cannot be
 * right ends it through {@link #handleError} with a {@link FramingException}.
 *
 * <p><b>Endings.</b> When the client closes in the middle of a frame, {@link #handleClose} runs
 * as usual and the partial frame is dropped ({@link FramedSocket#bufferedBytes()} still tells its
 * size there).
 *
 * <p><b>STARTTLS.</b> A handler may answer a frame with {@link Result#switchTransport}. The client
 * must wait for the answer before it starts the TLS handshake (as RFC 3207 requires): bytes
 * already buffered after that frame were received in plaintext and are not handed to the
 * handshake, so the connection ends through {@link #handleError} with a {@link FramingException}
 * (stop reason {@code error}) instead of upgrading.
 *
 * @param <S> the type of the per-connection state
 */
@FunctionalInterface
public interface FramedHandler<S> {

	/**
	 * Creates the state of a new connection, as {@link Handler#initialState()}.
	 * @return the connection's initial state, possibly {@code null}
	 */
	default S initialState() {
		return null;
	}

	/**
	 * Runs once, after the transport handshake, as {@link Handler#handleConnection}.
	 * @param socket the connection's socket, open
	 * @param state the connection's state
	 * @return what to do next
	 * @throws Exception to end the connection through {@link #handleError}
	 */
	default Result<S> handleConnection(FramedSocket socket, S state) throws Exception {
		return Result.continueWith(state);
	}

	/**
	 * Runs once for each whole frame the client sent.
	 * @param frame the frame's payload, from position 0 to its limit: a new heap buffer, the
	 * handler's to keep
	 * @param socket the connection's socket, open
	 * @param state the connection's state
	 * @return what to do next; anything but continue stops the delivery of later frames
	 * @throws Exception to end the connection through {@link #handleError}
	 */
	Result<S> handleFrame(ByteBuffer frame, FramedSocket socket, S state) throws Exception;

	/**
	 * Runs for each message told to the connection, as {@link Handler#handleMessage}.
	 * @param message the message
	 * @param socket the connection's socket, open
	 * @param state the connection's state
	 * @return what to do next
	 * @throws Exception to end the connection through {@link #handleError}
	 */
	default Result<S> handleMessage(Object message, FramedSocket socket, S state) throws Exception {
		return Result.continueWith(state);
	}

	/**
	 * Runs when the client sent or announced a frame over the maximum, with the socket open,
	 * before the connection ends through {@link #handleError}: the place to send an error reply.
	 * Nothing of the oversized frame is buffered any more. Whatever this method throws is added
	 * to the {@link FrameTooLargeException} as suppressed.
	 * @param error the frame's size and the maximum
	 * @param socket the connection's socket, open
	 * @param state the connection's state
	 * @throws Exception recorded as suppressed by {@code error}
	 */
	default void handleFrameTooLarge(FrameTooLargeException error, FramedSocket socket, S state) throws Exception {
	}

	/**
	 * Runs when the connection closed, as {@link Handler#handleClose}; a partial frame is
	 * dropped.
	 * @param socket the connection's socket
	 * @param state the connection's state
	 * @throws Exception logged and otherwise ignored
	 */
	default void handleClose(FramedSocket socket, S state) throws Exception {
	}

	/**
	 * Runs when the connection ends in error, as {@link Handler#handleError}; also with a
	 * {@link FrameTooLargeException} or a {@link FramingException} for input that cannot be framed.
	 * @param error what went wrong
	 * @param socket the connection's socket
	 * @param state the connection's state
	 * @throws Exception logged and otherwise ignored
	 */
	default void handleError(Throwable error, FramedSocket socket, S state) throws Exception {
	}

	/**
	 * Runs when the server is stopping, as {@link Handler#handleShutdown}.
	 * @param socket the connection's socket, open
	 * @param state the connection's state
	 * @throws Exception logged and otherwise ignored
	 */
	default void handleShutdown(FramedSocket socket, S state) throws Exception {
	}

	/**
	 * Runs when the read deadline passed, as {@link Handler#handleTimeout}: also when the client
	 * sent part of a frame and then nothing for the read timeout.
	 * @param socket the connection's socket, open
	 * @param state the connection's state
	 * @throws Exception logged and otherwise ignored
	 */
	default void handleTimeout(FramedSocket socket, S state) throws Exception {
	}

}
