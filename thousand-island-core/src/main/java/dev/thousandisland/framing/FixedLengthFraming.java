package dev.thousandisland.framing;

import java.nio.ByteBuffer;

/**
 * Frames of one fixed size, with no header or delimiter: {@link Framing#fixedLength(int)}.
 * The size is also the maximum. Immutable.
 */
public final class FixedLengthFraming implements Framing {

	private final int length;

	FixedLengthFraming(int length) {
		if (length < 1) {
			throw new IllegalArgumentException("A fixed frame length must be at least 1, not " + length);
		}
		this.length = length;
	}

	/**
	 * Returns the size of every frame; there is no other maximum.
	 * @return the frame size in bytes
	 */
	@Override
	public int maxFrameSize() {
		return this.length;
	}

	@Override
	public int nextFrame(ByteBuffer buffered, int searched) {
		return (buffered.remaining() >= this.length) ? this.length : NEED_MORE;
	}

	/**
	 * {@inheritDoc} Here: the payload alone, which must be exactly the frame size.
	 */
	@Override
	public ByteBuffer[] encode(ByteBuffer payload) {
		if (payload.remaining() != this.length) {
			throw new IllegalArgumentException("A payload of " + payload.remaining() + " bytes is not a frame of "
					+ this.length + " bytes");
		}
		return new ByteBuffer[] { payload };
	}

	@Override
	public String toString() {
		return "FixedLengthFraming[length=" + this.length + "]";
	}

}
