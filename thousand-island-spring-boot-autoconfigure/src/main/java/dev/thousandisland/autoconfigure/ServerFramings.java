package dev.thousandisland.autoconfigure;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

import dev.thousandisland.Handler;
import dev.thousandisland.autoconfigure.ThousandIslandFramingProperties.FramingType;
import dev.thousandisland.autoconfigure.ThousandIslandFramingProperties.LengthFieldByteOrder;
import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.framing.LengthPrefixedFraming;

/**
 * Turns each {@link FramedHandler} bean into the {@link Handler} its server runs, with the
 * framing its {@code framing.*} properties describe or, when no {@code framing.type} is set, the
 * application's {@link Framing} bean. Every mistake names the property behind it.
 *
 * <p>A plain {@link Handler} bean runs as it is: a {@code framing.type} set on its own server is a
 * mistake (its {@code handleData} would not receive frames), while a top-level one is a default
 * for the framed servers only and does not apply to it.
 */
final class ServerFramings {

	private final ServerPropertyNames names;

	private final Map<String, FramedHandler<?>> framedHandlers;

	private final Set<String> framingBeans;

	private final @Nullable Framing framingBean;

	/**
	 * Creates the adapter.
	 * @param names names the properties in messages
	 * @param framedHandlers the FramedHandler beans by name
	 * @param framingBeans the names of the Framing beans
	 * @param framingBean the Framing bean framed servers use without a framing.type: the only one,
	 * or the primary one among several; {@code null} if there is none
	 */
	ServerFramings(ServerPropertyNames names, Map<String, FramedHandler<?>> framedHandlers, Set<String> framingBeans,
			@Nullable Framing framingBean) {
		this.names = names;
		this.framedHandlers = framedHandlers;
		this.framingBeans = framingBeans;
		this.framingBean = framingBean;
	}

	Set<String> beanNames() {
		return this.framedHandlers.keySet();
	}

	/**
	 * Returns the handler a server runs for a FramedHandler bean.
	 * @return the adapted handler, or {@code null} if there is no FramedHandler bean of that name
	 */
	@Nullable Handler<?> handler(String server, String beanName, ThousandIslandFramingProperties properties) {
		FramedHandler<?> handler = this.framedHandlers.get(beanName);
		return (handler != null) ? framing(server, properties).handler(handler) : null;
	}

	/** Rejects a framing.type on a plain Handler's own server. */
	void checkUnframed(String server, String beanName, ThousandIslandFramingProperties properties) {
		String type = this.names.ownProperty(server, "framing.type");
		if (this.names.isSet(type)) {
			throw new InvalidConfigurationPropertyValueException(type, properties.getType(), "Bean '" + beanName
					+ "' is a Handler, which receives raw bytes: only a FramedHandler bean runs with a framing. "
					+ "Implement FramedHandler, or remove the property");
		}
	}

	private Framing framing(String server, ThousandIslandFramingProperties properties) {
		FramingType type = properties.getType();
		if (type == null) {
			if (this.framingBean != null) {
				return this.framingBean;
			}
			String reason = this.framingBeans.isEmpty() ? "no Framing bean is declared"
					: "several Framing beans are declared and none is primary: " + this.framingBeans;
			throw new InvalidConfigurationPropertyValueException(this.names.ownProperty(server, "framing.type"), null,
					"Server '" + server + "' runs a FramedHandler, and " + reason + ". Set it to line, crlf, delimiter, "
							+ "length-prefixed or fixed-length, declare one Framing bean, or declare the server's "
							+ "Handler bean as framing.handler(framedHandler)");
		}
		return switch (type) {
			case LINE -> Framing.line().withMaxFrameSize(maxFrameSize(server, properties));
			case CRLF -> Framing.crlf().withMaxFrameSize(maxFrameSize(server, properties));
			case DELIMITER -> Framing.delimiter(delimiter(server, properties))
				.withMaxFrameSize(maxFrameSize(server, properties));
			case LENGTH_PREFIXED -> lengthPrefixed(server, properties);
			case FIXED_LENGTH -> Framing.fixedLength(fixedLength(server, properties));
		};
	}

	private int maxFrameSize(String server, ThousandIslandFramingProperties properties) {
		return positiveInt(server, "framing.max-frame-size", properties.getMaxFrameSize());
	}

	private byte[] delimiter(String server, ThousandIslandFramingProperties properties) {
		String delimiter = properties.getDelimiter();
		if (delimiter == null || delimiter.isEmpty()) {
			throw invalid(server, "framing.delimiter", delimiter,
					"The delimiter framing needs a delimiter of at least one character");
		}
		return delimiter.getBytes(StandardCharsets.UTF_8);
	}

	private int fixedLength(String server, ThousandIslandFramingProperties properties) {
		DataSize length = properties.getFixedLength();
		if (length == null) {
			throw invalid(server, "framing.fixed-length", null, "The fixed-length framing needs a frame size");
		}
		return positiveInt(server, "framing.fixed-length", length);
	}

	private LengthPrefixedFraming lengthPrefixed(String server, ThousandIslandFramingProperties properties) {
		LengthPrefixedFraming.Builder builder = LengthPrefixedFraming.builder()
			.byteOrder((properties.getByteOrder() == LengthFieldByteOrder.LITTLE_ENDIAN) ? ByteOrder.LITTLE_ENDIAN
					: ByteOrder.BIG_ENDIAN)
			.lengthAdjustment(properties.getLengthAdjustment())
			.stripHeader(properties.isStripHeader())
			.maxFrameSize(maxFrameSize(server, properties));
		try {
			builder.lengthFieldBytes(properties.getLengthFieldBytes());
		}
		catch (IllegalArgumentException ex) {
			throw invalid(server, "framing.length-field-bytes", properties.getLengthFieldBytes(), ex.getMessage());
		}
		try {
			builder.lengthFieldOffset(properties.getLengthFieldOffset());
		}
		catch (IllegalArgumentException ex) {
			throw invalid(server, "framing.length-field-offset", properties.getLengthFieldOffset(), ex.getMessage());
		}
		try {
			return builder.build();
		}
		catch (IllegalArgumentException ex) {
			// The only check left: the maximum leaves no room for the header in an int.
			throw invalid(server, "framing.max-frame-size", properties.getMaxFrameSize(), ex.getMessage());
		}
	}

	private int positiveInt(String server, String suffix, DataSize size) {
		long bytes = size.toBytes();
		if (bytes < 1 || bytes > Integer.MAX_VALUE - 2048) {
			throw invalid(server, suffix, size, "Must be at least 1 byte and under 2 GB");
		}
		return (int) bytes;
	}

	private InvalidConfigurationPropertyValueException invalid(String server, String suffix, @Nullable Object value,
			@Nullable String reason) {
		return new InvalidConfigurationPropertyValueException(this.names.propertyFor(server, suffix), value, reason);
	}

}
