package dev.thousandisland.framing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Frames that announce their length in a header: {@code offset} bytes the framing does not
 * interpret, then an unsigned length field of 1, 2, 4 or 8 bytes, then the body. The body's
 * length is the field's value plus {@code lengthAdjustment}: 0 when the field counts the body
 * only, minus the header size when it counts the header too. The handler receives the body, or
 * header and body when {@code stripHeader} is off. Immutable; made with {@link #builder()} or
 * {@link Framing#lengthPrefixed(int)}.
 *
 * <p>The header is checked before any of the body is buffered: a body over
 * {@link #maxFrameSize()} (a 4-byte header of 2^31 or {@code 0xFFFFFFFF}, an 8-byte one of 2^63
 * or more, or a field that a positive adjustment takes past the maximum, however close to 2^64
 * the sum) is a {@link FrameTooLargeException}, whose {@link FrameTooLargeException#frameSize()}
 * is the announced body as an unsigned number (2^64 - 1 when even larger); a negative body (a
 * negative adjustment larger than the field) is a {@link FramingException}. The field and the
 * adjustment are compared before they are added, so no length can overflow.
 */
public final class LengthPrefixedFraming implements Framing {

	private final int lengthFieldOffset;

	private final int lengthFieldBytes;

	private final ByteOrder byteOrder;

	private final int lengthAdjustment;

	private final boolean stripHeader;

	private final int maxFrameSize;

	private LengthPrefixedFraming(Builder builder) {
		this.lengthFieldOffset = builder.lengthFieldOffset;
		this.lengthFieldBytes = builder.lengthFieldBytes;
		this.byteOrder = builder.byteOrder;
		this.lengthAdjustment = builder.lengthAdjustment;
		this.stripHeader = builder.stripHeader;
		this.maxFrameSize = DelimitedFraming.requirePositive(builder.maxFrameSize);
		if ((long) headerBytes() + this.maxFrameSize > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("maxFrameSize " + this.maxFrameSize + " leaves no room for the header");
		}
	}

	/**
	 * Starts a framing with a 4-byte big-endian length of the body, no offset, no adjustment,
	 * the header stripped and a maximum of {@link Framing#DEFAULT_MAX_FRAME_SIZE}.
	 * @return a builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Returns this framing with another maximum body size.
	 * @param maxFrameSize the largest body, in bytes, at least 1
	 * @return a new framing
	 */
	public LengthPrefixedFraming withMaxFrameSize(int maxFrameSize) {
		return toBuilder().maxFrameSize(maxFrameSize).build();
	}

	/**
	 * Returns a builder holding this framing's settings.
	 * @return a builder
	 */
	public Builder toBuilder() {
		return new Builder().lengthFieldOffset(this.lengthFieldOffset)
			.lengthFieldBytes(this.lengthFieldBytes)
			.byteOrder(this.byteOrder)
			.lengthAdjustment(this.lengthAdjustment)
			.stripHeader(this.stripHeader)
			.maxFrameSize(this.maxFrameSize);
	}

	/**
	 * Returns the largest body a frame may have; the header is not counted.
	 * @return the maximum frame size in bytes
	 */
	@Override
	public int maxFrameSize() {
		return this.maxFrameSize;
	}

	/**
	 * {@inheritDoc} Here: the header plus the maximum body.
	 */
	@Override
	public int maxBufferedBytes() {
		return headerBytes() + this.maxFrameSize;
	}

	private int headerBytes() {
		return this.lengthFieldOffset + this.lengthFieldBytes;
	}

	@Override
	public int nextFrame(ByteBuffer buffered, int searched) throws FramingException {
		int header = headerBytes();
		if (buffered.remaining() < header) {
			return NEED_MORE;
		}
		long field = readField(buffered, buffered.position() + this.lengthFieldOffset);
		long body = bodyLength(field);
		int length = header + (int) body;
		return (buffered.remaining() >= length) ? length : NEED_MORE;
	}

	/**
	 * The body's length from the field's value (unsigned: an 8-byte field of 2^63 or more reads
	 * negative) and the adjustment, compared before anything is added so that nothing can
	 * overflow: any body over the maximum is a {@link FrameTooLargeException}, whatever the two
	 * add up to.
	 */
	private long bodyLength(long field) throws FramingException {
		long adjustment = this.lengthAdjustment;
		if (adjustment < 0 && Long.compareUnsigned(field, -adjustment) < 0) {
			throw new FramingException("Bad length header: the length field says " + Long.toUnsignedString(field)
					+ ", and with the adjustment of " + adjustment + " the body would be " + (field + adjustment)
					+ " bytes long");
		}
		// Both sides fit a long: maxFrameSize and the adjustment are ints.
		long largestField = this.maxFrameSize - adjustment;
		if (largestField < 0 || Long.compareUnsigned(field, largestField) > 0) {
			throw new FrameTooLargeException(announcedBody(field, adjustment), this.maxFrameSize,
					"a length header announcing");
		}
		return field + adjustment;
	}

	/** The announced body as an unsigned 64-bit size, 2^64 - 1 when it is even larger. */
	private static long announcedBody(long field, long adjustment) {
		boolean overflows = adjustment > 0 && Long.compareUnsigned(field, -1L - adjustment) > 0;
		return overflows ? -1L : field + adjustment;
	}

	private long readField(ByteBuffer buffer, int at) {
		long value = 0;
		for (int i = 0; i < this.lengthFieldBytes; i++) {
			int index = (this.byteOrder == ByteOrder.BIG_ENDIAN) ? i : this.lengthFieldBytes - 1 - i;
			value = (value << 8) | (buffer.get(at + index) & 0xFF);
		}
		return value;
	}

	@Override
	public ByteBuffer payload(ByteBuffer frame) {
		return this.stripHeader ? frame.slice(frame.position() + headerBytes(), frame.remaining() - headerBytes())
				: frame;
	}

	/**
	 * {@inheritDoc} Here: a header of its own, then the payload. Only for a framing without an
	 * offset, whose bytes the framing could not know.
	 */
	@Override
	public ByteBuffer[] encode(ByteBuffer payload) {
		if (this.lengthFieldOffset != 0) {
			throw new UnsupportedOperationException("A length-prefixed framing with an offset of "
					+ this.lengthFieldOffset + " bytes cannot write frames: send the header and payload yourself");
		}
		int body = payload.remaining();
		if (body > this.maxFrameSize) {
			throw new IllegalArgumentException("A payload of " + body + " bytes is over the maximum frame size of "
					+ this.maxFrameSize);
		}
		long field = (long) body - this.lengthAdjustment;
		if (field < 0 || (this.lengthFieldBytes < 8 && field >= 1L << (8 * this.lengthFieldBytes))) {
			throw new IllegalArgumentException("A payload of " + body + " bytes does not fit a " + this.lengthFieldBytes
					+ "-byte length field");
		}
		ByteBuffer header = ByteBuffer.allocate(this.lengthFieldBytes);
		for (int i = 0; i < this.lengthFieldBytes; i++) {
			int shift = (this.byteOrder == ByteOrder.BIG_ENDIAN) ? 8 * (this.lengthFieldBytes - 1 - i) : 8 * i;
			header.put((byte) (field >>> shift));
		}
		return new ByteBuffer[] { header.flip(), payload };
	}

	@Override
	public String toString() {
		return "LengthPrefixedFraming[offset=" + this.lengthFieldOffset + ", lengthFieldBytes=" + this.lengthFieldBytes
				+ ", byteOrder=" + this.byteOrder + ", lengthAdjustment=" + this.lengthAdjustment + ", stripHeader="
				+ this.stripHeader + ", maxFrameSize=" + this.maxFrameSize + "]";
	}

	/**
	 * Builds a {@link LengthPrefixedFraming}.
	 */
	public static final class Builder {

		private int lengthFieldOffset;

		private int lengthFieldBytes = 4;

		private ByteOrder byteOrder = ByteOrder.BIG_ENDIAN;

		private int lengthAdjustment;

		private boolean stripHeader = true;

		private int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;

		private Builder() {
		}

		/**
		 * Sets how many bytes come before the length field; they are part of the header.
		 * Default 0.
		 * @param offset the bytes, not negative
		 * @return this builder
		 */
		public Builder lengthFieldOffset(int offset) {
			if (offset < 0 || offset > 1024) {
				throw new IllegalArgumentException("lengthFieldOffset must be 0 to 1024, not " + offset);
			}
			this.lengthFieldOffset = offset;
			return this;
		}

		/**
		 * Sets the size of the length field, an unsigned integer. Default 4.
		 * @param bytes 1, 2, 4 or 8
		 * @return this builder
		 */
		public Builder lengthFieldBytes(int bytes) {
			if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) {
				throw new IllegalArgumentException("lengthFieldBytes must be 1, 2, 4 or 8, not " + bytes);
			}
			this.lengthFieldBytes = bytes;
			return this;
		}

		/**
		 * Sets the length field's byte order. Default big-endian (network order).
		 * @param byteOrder the order
		 * @return this builder
		 */
		public Builder byteOrder(ByteOrder byteOrder) {
			this.byteOrder = Objects.requireNonNull(byteOrder, "byteOrder");
			return this;
		}

		/**
		 * Sets what to add to the length field's value to get the body's length: 0 (the default)
		 * when it counts the body only, minus the header size when it counts the header as well.
		 * @param adjustment the adjustment
		 * @return this builder
		 */
		public Builder lengthAdjustment(int adjustment) {
			this.lengthAdjustment = adjustment;
			return this;
		}

		/**
		 * Sets whether the handler receives the body only (the default) or header and body.
		 * @param strip whether to strip the header
		 * @return this builder
		 */
		public Builder stripHeader(boolean strip) {
			this.stripHeader = strip;
			return this;
		}

		/**
		 * Sets the largest body a frame may have. Default {@link Framing#DEFAULT_MAX_FRAME_SIZE}.
		 * @param maxFrameSize the maximum, in bytes, at least 1
		 * @return this builder
		 */
		public Builder maxFrameSize(int maxFrameSize) {
			this.maxFrameSize = maxFrameSize;
			return this;
		}

		/**
		 * Builds the framing.
		 * @return the framing
		 */
		public LengthPrefixedFraming build() {
			return new LengthPrefixedFraming(this);
		}

	}

}
