package dev.thousandisland.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.convert.ConversionFailedException;

/**
 * Lets {@link ThousandIslandProperties} bind while a client's property still refers to an address
 * a server publishes only once it has started, such as
 * {@code thousandisland.clients.shouter.port=${local.thousandisland.servers.shout.port}}: that value
 * is left unbound there. {@link ClientDefinitions} binds every client's properties itself, the
 * servers' configured ports standing in until they have started, and reports any other mistake.
 */
final class ClientPropertiesBindHandlerAdvisor implements ConfigurationPropertiesBindHandlerAdvisor {

	private static final ConfigurationPropertyName CLIENTS = ConfigurationPropertyName.of(ClientDefinitions.PREFIX);

	@Override
	public BindHandler apply(BindHandler bindHandler) {
		return new AbstractBindHandler(bindHandler) {

			@Override
			public @Nullable Object onFailure(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
					Exception error) throws Exception {
				String placeholder = serverAddressPlaceholder(error);
				if (CLIENTS.isAncestorOf(name) && placeholder != null) {
					// Counted as bound, so that the unknown-key check (ignoreUnknownFields = false) does not
					// report a key that exists and is only waiting for its server.
					super.onSuccess(name, target, context, placeholder);
					return null;
				}
				return super.onFailure(name, target, context, error);
			}

		};
	}

	private static @Nullable String serverAddressPlaceholder(Throwable error) {
		for (Throwable cause = error; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConversionFailedException conversion && conversion.getValue() instanceof String value
					&& value.contains("${local.thousandisland.")) {
				return value;
			}
		}
		return null;
	}

}
