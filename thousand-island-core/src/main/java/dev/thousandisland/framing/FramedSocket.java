package dev.thousandisland.framing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.thousandisland.Socket;


/**
 * The socket a {@link FramedHandler} receives: a {@link Socket} that also reads and writes whole
 * frames with the connection's {@link Framing}. Reading ({@link #recvFrame}, {@link #recv}) shares
 * the connection's frame buffer with the callbacks: bytes the framework read after a frame are
 * served first, never skipped. Like {@link Socket#recv}, reading is for the connection's own
 * thread only; sending works from any thread.
 */
public interface FramedSocket extends Socket {

	/**
	 * Returns the connection's framing.
	 * @return the framing
	 */
	Framing framing();

	/**
	 * Receives the next whole frame, waiting at most {@code timeout} in all (Bandit's blocking
	 * style): from the bytes already buffered first, then from the socket.
	 * @param timeout how long to wait
	 * @return the frame's payload, a new heap buffer owned by the caller
	 * @throws java.net.SocketTimeoutException if no whole frame came in time (the bytes of a
	 * partial one stay buffered); escaping the callback, it ends the connection through
	 * {@link FramedHandler#handleTimeout}
	 * @throws java.io.EOFException if the client closed first
	 * @throws FrameTooLargeException if the next frame is over the maximum; escaping the
	 * callback, it ends the connection as a frame too large that arrived between callbacks
	 * @throws IOException if the read fails
	 */
	ByteBuffer recvFrame(Duration timeout) throws IOException;

	/**
	 * Receives the next whole frame, waiting at most the connection's read timeout.
	 * @return the frame's payload, a new heap buffer owned by the caller
	 * @throws IOException as {@link #recvFrame(Duration)}
	 */
	default ByteBuffer recvFrame() throws IOException {
		return recvFrame(readTimeout());
	}

	/**
	 * Receives raw bytes, as {@link Socket#recv(int, Duration)}, but the bytes the connection has
	 * buffered come first. With {@code length} 0 and bytes buffered, returns those at once.
	 * @param length the exact number of bytes, or 0 for whatever is available
	 * @param timeout how long to wait for the socket
	 * @return a new buffer, owned by the caller
	 * @throws IOException as {@link Socket#recv(int, Duration)}
	 */
	@Override
	ByteBuffer recv(int length, Duration timeout) throws IOException;

	/**
	 * Sends one frame of the connection's framing (header and payload, or payload and
	 * delimiter) in one gathering write; the payload is not copied.
	 * @param payload the payload; its position advances as it is written
	 * @throws IllegalArgumentException if the framing cannot frame it (over the maximum)
	 * @throws UnsupportedOperationException if the framing does not write frames
	 * @throws IOException as {@link Socket#send(ByteBuffer...)}
	 */
	default void sendFrame(ByteBuffer payload) throws IOException {
		send(framing().encode(payload));
	}

	/**
	 * Sends a line: the text in UTF-8, then the framing's delimiter (LF for
	 * {@link Framing#line()}, CRLF for {@link Framing#crlf()}), in one write.
	 * @param line the text, without the line ending
	 * @throws IOException as {@link #sendFrame(ByteBuffer)}
	 */
	default void sendLine(CharSequence line) throws IOException {
		sendFrame(ByteBuffer.wrap(line.toString().getBytes(StandardCharsets.UTF_8)));
	}

	/**
	 * Returns how many bytes the connection holds that are not yet part of a delivered frame:
	 * the start of the next frame. In {@link FramedHandler#handleClose} after the client closed
	 * mid-frame, the size of the partial frame that is dropped.
	 * @return the bytes buffered
	 */
	int bufferedBytes();

}
