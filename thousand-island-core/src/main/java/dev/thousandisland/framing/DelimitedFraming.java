package dev.thousandisland.framing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Frames ended by a delimiter: lines ({@link Framing#line()}, {@link Framing#crlf()}) or any
 * byte sequence ({@link Framing#delimiter(byte...)}). The handler receives the bytes before the
 * delimiter; for {@link Framing#line()} also without a CR just before the LF. Immutable.
 *
 * <p>A frame whose delimiter has not come within {@link #maxBufferedBytes()} bytes (the maximum
 * frame size plus the delimiter) is too large; so is a line that arrives whole but whose payload
 * is over the maximum. The search for the delimiter resumes where the previous one stopped, so
 * a frame sent one byte at a time costs linear time.
 */
public final class DelimitedFraming implements Framing {

	static final DelimitedFraming LINE = new DelimitedFraming(new byte[] { '\n' }, true, DEFAULT_MAX_FRAME_SIZE);

	static final DelimitedFraming CRLF = new DelimitedFraming(new byte[] { '\r', '\n' }, false,
			DEFAULT_MAX_FRAME_SIZE);

	private final byte[] delimiter;

	private final boolean stripCarriageReturn;

	private final int maxFrameSize;

	DelimitedFraming(byte[] delimiter, boolean stripCarriageReturn, int maxFrameSize) {
		if (delimiter == null || delimiter.length == 0) {
			throw new IllegalArgumentException("A delimiter needs at least one byte");
		}
		this.delimiter = delimiter.clone();
		this.stripCarriageReturn = stripCarriageReturn;
		this.maxFrameSize = requirePositive(maxFrameSize);
		if ((long) maxFrameSize + delimiter.length + 1 > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("maxFrameSize " + maxFrameSize + " leaves no room for the delimiter");
		}
	}

	/**
	 * Returns this framing with another maximum frame size.
	 * @param maxFrameSize the largest payload, in bytes, at least 1
	 * @return a new framing
	 */
	public DelimitedFraming withMaxFrameSize(int maxFrameSize) {
		return new DelimitedFraming(this.delimiter, this.stripCarriageReturn, maxFrameSize);
	}

	/**
	 * Returns the delimiter.
	 * @return a copy of its bytes
	 */
	public byte[] delimiter() {
		return this.delimiter.clone();
	}

	@Override
	public int maxFrameSize() {
		return this.maxFrameSize;
	}

	/**
	 * {@inheritDoc} Here: the maximum frame size plus the delimiter (plus one for the CR that
	 * {@link Framing#line()} drops).
	 */
	@Override
	public int maxBufferedBytes() {
		return this.maxFrameSize + this.delimiter.length + (this.stripCarriageReturn ? 1 : 0);
	}

	@Override
	public int nextFrame(ByteBuffer buffered, int searched) throws FrameTooLargeException {
		int start = buffered.position();
		int available = buffered.remaining();
		int window = Math.min(available, maxBufferedBytes());
		int last = this.delimiter.length - 1;
		// A delimiter may straddle the bytes already searched and the new ones.
		int from = Math.max(0, Math.min(searched, available) - last);
		byte first = this.delimiter[0];
		for (int i = from; i + last < window; i++) {
			if (buffered.get(start + i) == first && matchesRest(buffered, start + i)) {
				int length = i + this.delimiter.length;
				int payload = payloadLength(buffered, start, length);
				if (payload > this.maxFrameSize) {
					throw new FrameTooLargeException(payload, this.maxFrameSize, "a delimited frame of");
				}
				return length;
			}
		}
		if (available >= maxBufferedBytes()) {
			// What was looked at, not what one read happened to bring: the frame is at least this long.
			throw new FrameTooLargeException(maxBufferedBytes(), this.maxFrameSize, "no delimiter within");
		}
		return NEED_MORE;
	}

	private boolean matchesRest(ByteBuffer buffered, int at) {
		for (int j = 1; j < this.delimiter.length; j++) {
			if (buffered.get(at + j) != this.delimiter[j]) {
				return false;
			}
		}
		return true;
	}

	private int payloadLength(ByteBuffer frame, int start, int length) {
		int payload = length - this.delimiter.length;
		if (this.stripCarriageReturn && payload > 0 && frame.get(start + payload - 1) == '\r') {
			payload--;
		}
		return payload;
	}

	@Override
	public ByteBuffer payload(ByteBuffer frame) {
		return frame.slice(frame.position(), payloadLength(frame, frame.position(), frame.remaining()));
	}

	/**
	 * {@inheritDoc} Here: the payload, then the delimiter (LF for {@link Framing#line()}). The
	 * payload is not searched for the delimiter: a payload that contains it arrives as two frames.
	 */
	@Override
	public ByteBuffer[] encode(ByteBuffer payload) {
		if (payload.remaining() > this.maxFrameSize) {
			throw new IllegalArgumentException("A payload of " + payload.remaining()
					+ " bytes is over the maximum frame size of " + this.maxFrameSize);
		}
		return new ByteBuffer[] { payload, ByteBuffer.wrap(this.delimiter).asReadOnlyBuffer() };
	}

	static int requirePositive(int maxFrameSize) {
		if (maxFrameSize < 1) {
			throw new IllegalArgumentException("maxFrameSize must be at least 1, not " + maxFrameSize);
		}
		return maxFrameSize;
	}

	@Override
	public String toString() {
		String name = this.stripCarriageReturn ? "line" : "delimiter " + printable();
		return "DelimitedFraming[" + name + ", maxFrameSize=" + this.maxFrameSize + "]";
	}

	private String printable() {
		return new String(this.delimiter, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n");
	}

}
