package dev.thousandisland.autoconfigure;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

import dev.thousandisland.autoconfigure.ThousandIslandFramingProperties.FramingType;
import dev.thousandisland.autoconfigure.ThousandIslandFramingProperties.LengthFieldByteOrder;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.framing.LengthPrefixedFraming;

/**
 * Builds the built-in {@link Framing} a {@link ThousandIslandFramingProperties} group describes,
 * for a server or a client; a mistake names the property behind it, as the caller spells it.
 */
final class PropertyFramings {

	private final UnaryOperator<String> propertyName;

	/**
	 * Creates the builder.
	 * @param propertyName the full name of the property behind a suffix such as
	 * {@code framing.delimiter}
	 */
	PropertyFramings(UnaryOperator<String> propertyName) {
		this.propertyName = propertyName;
	}

	Framing framing(FramingType type, ThousandIslandFramingProperties properties) {
		return switch (type) {
			case LINE -> Framing.line().withMaxFrameSize(maxFrameSize(properties));
			case CRLF -> Framing.crlf().withMaxFrameSize(maxFrameSize(properties));
			case DELIMITER -> Framing.delimiter(delimiter(properties))
				.withMaxFrameSize(maxFrameSize(properties));
			case LENGTH_PREFIXED -> lengthPrefixed(properties);
			case FIXED_LENGTH -> Framing.fixedLength(fixedLength(properties));
		};
	}

	private int maxFrameSize(ThousandIslandFramingProperties properties) {
		return positiveInt("framing.max-frame-size", properties.getMaxFrameSize());
	}

	private byte[] delimiter(ThousandIslandFramingProperties properties) {
		String delimiter = properties.getDelimiter();
		if (delimiter == null) {
			throw new MissingPropertyException(this.propertyName.apply("framing.delimiter"),
					"The delimiter framing needs a delimiter of at least one character");
		}
		if (delimiter.isEmpty()) {
			throw invalid("framing.delimiter", delimiter,
					"The delimiter framing needs a delimiter of at least one character");
		}
		return delimiter.getBytes(StandardCharsets.UTF_8);
	}

	private int fixedLength(ThousandIslandFramingProperties properties) {
		DataSize length = properties.getFixedLength();
		if (length == null) {
			throw new MissingPropertyException(this.propertyName.apply("framing.fixed-length"),
					"The fixed-length framing needs a frame size");
		}
		return positiveInt("framing.fixed-length", length);
	}

	private LengthPrefixedFraming lengthPrefixed(ThousandIslandFramingProperties properties) {
		LengthPrefixedFraming.Builder builder = LengthPrefixedFraming.builder()
			.byteOrder((properties.getByteOrder() == LengthFieldByteOrder.LITTLE_ENDIAN) ? ByteOrder.LITTLE_ENDIAN
					: ByteOrder.BIG_ENDIAN)
			.lengthAdjustment(properties.getLengthAdjustment())
			.stripHeader(properties.isStripHeader())
			.maxFrameSize(maxFrameSize(properties));
		try {
			builder.lengthFieldBytes(properties.getLengthFieldBytes());
		}
		catch (IllegalArgumentException ex) {
			throw invalid("framing.length-field-bytes", properties.getLengthFieldBytes(), ex.getMessage());
		}
		try {
			builder.lengthFieldOffset(properties.getLengthFieldOffset());
		}
		catch (IllegalArgumentException ex) {
			throw invalid("framing.length-field-offset", properties.getLengthFieldOffset(), ex.getMessage());
		}
		try {
			return builder.build();
		}
		catch (IllegalArgumentException ex) {
			// The only check left: the maximum leaves no room for the header in an int.
			throw invalid("framing.max-frame-size", properties.getMaxFrameSize(), ex.getMessage());
		}
	}

	private int positiveInt(String suffix, DataSize size) {
		long bytes = size.toBytes();
		if (bytes < 1 || bytes > Integer.MAX_VALUE - 2048) {
			throw invalid(suffix, size, "Must be at least 1 byte and under 2 GB");
		}
		return (int) bytes;
	}

	private InvalidConfigurationPropertyValueException invalid(String suffix, @Nullable Object value,
			@Nullable String reason) {
		return new InvalidConfigurationPropertyValueException(this.propertyName.apply(suffix), value, reason);
	}

}
