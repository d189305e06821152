package dev.thousandisland.autoconfigure;

import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import dev.thousandisland.Handler;
import dev.thousandisland.autoconfigure.ThousandIslandFramingProperties.FramingType;
import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.Framing;

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
			throw new MissingPropertyException(this.names.ownProperty(server, "framing.type"),
					"Server '" + server + "' runs a FramedHandler, and " + reason + ". Set it to line, crlf, delimiter, "
							+ "length-prefixed or fixed-length, declare one Framing bean, or declare the server's "
							+ "Handler bean as framing.handler(framedHandler)");
		}
		return new PropertyFramings((suffix) -> this.names.propertyFor(server, suffix)).framing(type, properties);
	}

}
