package dev.thousandisland.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;

/**
 * Framing of a server that runs a {@link dev.thousandisland.framing.FramedHandler} bean, under
 * {@code thousandisland.framing.*} (every framed server's default) and
 * {@code thousandisland.servers.<name>.framing.*}. Only the settings of the chosen type apply.
 *
 * @see ThousandIslandServerProperties
 */
public class ThousandIslandFramingProperties {

	/**
	 * Built-in framing that cuts the stream into frames. When not set, a Framing bean is used.
	 */
	private @Nullable FramingType type;

	/**
	 * Largest frame payload a client may send; a larger one ends the connection. Not used by
	 * fixed-length, whose frames are fixed-length bytes long.
	 */
	private DataSize maxFrameSize = DataSize.ofKilobytes(64);

	/**
	 * Delimiter of the delimiter framing, as text sent in UTF-8; the escapes of properties
	 * files and YAML (such as \r, \n and Unicode escapes) give control characters.
	 */
	private @Nullable String delimiter;

	/**
	 * Size in bytes of the length-prefixed framing's length field: 1, 2, 4 or 8.
	 */
	private int lengthFieldBytes = 4;

	/**
	 * Byte order of the length field.
	 */
	private LengthFieldByteOrder byteOrder = LengthFieldByteOrder.BIG_ENDIAN;

	/**
	 * Bytes before the length field, part of the header.
	 */
	private int lengthFieldOffset;

	/**
	 * Added to the length field's value to get the body's length: 0 when the field counts the
	 * body only, minus the header size when it counts the header too.
	 */
	private int lengthAdjustment;

	/**
	 * Whether the handler receives the body only, without the length-prefixed header.
	 */
	private boolean stripHeader = true;

	/**
	 * Size of every frame of the fixed-length framing.
	 */
	private @Nullable DataSize fixedLength;

	public @Nullable FramingType getType() {
		return this.type;
	}

	public void setType(@Nullable FramingType type) {
		this.type = type;
	}

	public DataSize getMaxFrameSize() {
		return this.maxFrameSize;
	}

	public void setMaxFrameSize(DataSize maxFrameSize) {
		this.maxFrameSize = maxFrameSize;
	}

	public @Nullable String getDelimiter() {
		return this.delimiter;
	}

	public void setDelimiter(@Nullable String delimiter) {
		this.delimiter = delimiter;
	}

	public int getLengthFieldBytes() {
		return this.lengthFieldBytes;
	}

	public void setLengthFieldBytes(int lengthFieldBytes) {
		this.lengthFieldBytes = lengthFieldBytes;
	}

	public LengthFieldByteOrder getByteOrder() {
		return this.byteOrder;
	}

	public void setByteOrder(LengthFieldByteOrder byteOrder) {
		this.byteOrder = byteOrder;
	}

	public int getLengthFieldOffset() {
		return this.lengthFieldOffset;
	}

	public void setLengthFieldOffset(int lengthFieldOffset) {
		this.lengthFieldOffset = lengthFieldOffset;
	}

	public int getLengthAdjustment() {
		return this.lengthAdjustment;
	}

	public void setLengthAdjustment(int lengthAdjustment) {
		this.lengthAdjustment = lengthAdjustment;
	}

	public boolean isStripHeader() {
		return this.stripHeader;
	}

	public void setStripHeader(boolean stripHeader) {
		this.stripHeader = stripHeader;
	}

	public @Nullable DataSize getFixedLength() {
		return this.fixedLength;
	}

	public void setFixedLength(@Nullable DataSize fixedLength) {
		this.fixedLength = fixedLength;
	}

	/**
	 * The built-in framings of {@link dev.thousandisland.framing.Framing}.
	 */
	public enum FramingType {

		/**
		 * Lines ended by LF; a CR before the LF is dropped (Framing.line()).
		 */
		LINE,

		/**
		 * Lines ended by CRLF only (Framing.crlf()).
		 */
		CRLF,

		/**
		 * Frames ended by the delimiter property (Framing.delimiter).
		 */
		DELIMITER,

		/**
		 * Frames preceded by a length field (LengthPrefixedFraming).
		 */
		LENGTH_PREFIXED,

		/**
		 * Frames of fixed-length bytes (Framing.fixedLength).
		 */
		FIXED_LENGTH

	}

	/**
	 * Byte order of a length field.
	 */
	public enum LengthFieldByteOrder {

		/**
		 * Most significant byte first (network order).
		 */
		BIG_ENDIAN,

		/**
		 * Least significant byte first.
		 */
		LITTLE_ENDIAN

	}

}
