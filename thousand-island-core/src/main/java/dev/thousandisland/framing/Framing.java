package dev.thousandisland.framing;

import java.nio.ByteBuffer;

import dev.thousandisland.Handler;


/**
 * How a connection's byte stream is cut into frames (messages): lines, delimited records,
 * length-prefixed or fixed-length frames. A framing is a small immutable value, shared by every
 * connection of a server; what one connection has buffered lives in that connection, never here.
 *
 * <p>The built-in framings come from the static factories ({@link #line()}, {@link #crlf()},
 * {@link #delimiter(byte...)}, {@link #lengthPrefixed(int)}, {@link LengthPrefixedFraming#builder()},
 * {@link #fixedLength(int)}). For a protocol of your own, implement {@link #nextFrame} and
 * {@link #maxFrameSize()}, and {@link #payload}, {@link #maxBufferedBytes()} and {@link #encode}
 * when the defaults do not fit.
 *
 * <p>{@link #handler(FramedHandler)} turns a {@link FramedHandler}, which receives one whole
 * frame per callback, into a {@link Handler} a server runs like any other.
 */
public interface Framing {

	/** What {@link #nextFrame} returns when the buffered bytes do not yet hold a whole frame. */
	int NEED_MORE = -1;

	/** The maximum frame size of the built-in framings unless set otherwise: 64 KiB. */
	int DEFAULT_MAX_FRAME_SIZE = 64 * 1024;

	/**
	 * Finds the end of the next frame. Called on the connection's thread with the bytes received
	 * and not yet part of a frame, from {@code buffered.position()} (where the frame starts) to
	 * its limit. Must read with absolute gets and leave position and limit as they are.
	 * @param buffered the bytes buffered, the next frame's first byte at the position
	 * @param searched how many of these bytes an earlier call already looked at for this same
	 * frame and found incomplete: a delimiter search may resume there instead of rescanning,
	 * which keeps a frame arriving one byte at a time linear rather than quadratic
	 * @return the frame's length on the wire (header, payload and delimiter), at most
	 * {@code buffered.remaining()}, or {@link #NEED_MORE}
	 * @throws FrameTooLargeException as soon as the frame is known to be over
	 * {@link #maxFrameSize()}: from a length header, before its body is buffered; without a
	 * delimiter, once {@link #maxBufferedBytes()} bytes are buffered
	 * @throws FramingException if the bytes cannot start a frame (a negative length)
	 */
	int nextFrame(ByteBuffer buffered, int searched) throws FramingException;

	/**
	 * Returns the part of a frame the handler receives: by default all of it. The built-in
	 * framings leave out the delimiter, and the length header when it is stripped.
	 * @param frame exactly one frame's bytes on the wire, from its position to its limit
	 * @return a view of the payload (the caller copies it)
	 */
	default ByteBuffer payload(ByteBuffer frame) {
		return frame;
	}

	/**
	 * Returns the largest payload a frame may have.
	 * @return the maximum frame size in bytes
	 */
	int maxFrameSize();

	/**
	 * Returns the most bytes a connection buffers while waiting for the rest of one frame: the
	 * maximum payload plus the largest header and delimiter. By default {@link #maxFrameSize()}.
	 * A connection that has this many bytes buffered without a whole frame ends with a
	 * {@link FrameTooLargeException}, even if {@link #nextFrame} did not throw.
	 * @return the cap of a connection's frame buffer, in bytes
	 */
	default int maxBufferedBytes() {
		return maxFrameSize();
	}

	/**
	 * Returns the buffers to write, in order, to send {@code payload} as one frame: a header
	 * and the payload itself, or the payload and a delimiter. The payload buffer is returned as
	 * it is, not copied, so that {@link FramedSocket#sendFrame} is one gathering write.
	 * @param payload the payload, from its position to its limit
	 * @return the buffers to write
	 * @throws IllegalArgumentException if the payload cannot be framed (over the maximum, or the
	 * wrong length for a fixed-length framing)
	 * @throws UnsupportedOperationException if this framing does not write frames (the default)
	 */
	default ByteBuffer[] encode(ByteBuffer payload) {
		throw new UnsupportedOperationException(this + " does not write frames: implement Framing.encode");
	}

	/**
	 * Returns a handler that cuts each connection's bytes into frames with this framing and
	 * gives them to {@code handler} one per callback. Hand it to a server like any handler (or
	 * declare it as a Spring bean).
	 * @param handler the framed handler
	 * @param <S> the type of the framed handler's per-connection state
	 * @return the handler
	 */
	default <S> Handler<?> handler(FramedHandler<S> handler) {
		return new FramingHandler<>(this, handler);
	}

	/**
	 * Lines ended by LF, a CR before the LF dropped when present: accepts both CRLF and bare LF
	 * (as Netty's {@code LineBasedFrameDecoder}). {@link FramedSocket#sendLine} ends lines with LF.
	 * @return the framing, with a maximum line length of {@link #DEFAULT_MAX_FRAME_SIZE}
	 */
	static DelimitedFraming line() {
		return DelimitedFraming.LINE;
	}

	/**
	 * Lines ended by CRLF only; a bare LF is part of the line. {@link FramedSocket#sendLine}
	 * ends lines with CRLF.
	 * @return the framing, with a maximum line length of {@link #DEFAULT_MAX_FRAME_SIZE}
	 */
	static DelimitedFraming crlf() {
		return DelimitedFraming.CRLF;
	}

	/**
	 * Frames ended by a delimiter of one or more bytes, which the handler does not receive.
	 * @param delimiter the delimiter, not empty
	 * @return the framing, with a maximum frame size of {@link #DEFAULT_MAX_FRAME_SIZE}
	 */
	static DelimitedFraming delimiter(byte... delimiter) {
		return new DelimitedFraming(delimiter, false, DEFAULT_MAX_FRAME_SIZE);
	}

	/**
	 * Frames preceded by a big-endian unsigned length of their payload, the header stripped;
	 * {@link LengthPrefixedFraming#builder()} for offsets, adjustments and byte order.
	 * @param lengthFieldBytes the header's size: 1, 2, 4 or 8
	 * @return the framing, with a maximum frame size of {@link #DEFAULT_MAX_FRAME_SIZE}
	 */
	static LengthPrefixedFraming lengthPrefixed(int lengthFieldBytes) {
		return LengthPrefixedFraming.builder().lengthFieldBytes(lengthFieldBytes).build();
	}

	/**
	 * Frames of exactly {@code length} bytes.
	 * @param length the frame size, at least 1
	 * @return the framing; its maximum frame size is {@code length}
	 */
	static FixedLengthFraming fixedLength(int length) {
		return new FixedLengthFraming(length);
	}

}
