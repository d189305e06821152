package dev.thousandisland.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;

/**
 * Stands in for the addresses the servers publish ({@code local.thousandisland.servers.<name>.port},
 * {@code .unix-path}, and {@code local.thousandisland.port}) before the servers have started: a
 * client's properties may refer to them, and are bound before then. Each stands for what the server
 * is configured with (port 0 for a random port), and the binder remembers whether any was used, in
 * which case the client follows that server and is bound again once it has started.
 */
final class ConfiguredServerPorts {

	static final String SOURCE_NAME = "thousandisland.configured-ports";

	private final Map<String, Object> addresses = new LinkedHashMap<>();

	private volatile boolean consulted;

	ConfiguredServerPorts(List<ServerDefinition> servers) {
		for (ServerDefinition server : servers) {
			String prefix = ThousandIslandLifecycle.localPrefix(server.name());
			if (server.config().isUnix()) {
				this.addresses.put(prefix + ".unix-path", server.config().unixPath().toString());
			}
			else {
				this.addresses.putIfAbsent(ThousandIslandLifecycle.FIRST_PORT_PROPERTY, server.config().port());
				this.addresses.put(prefix + ".port", server.config().port());
			}
		}
	}

	/**
	 * A binder over the environment that resolves the servers' addresses, last, from their
	 * configuration.
	 */
	Binder binder(ConfigurableEnvironment environment) {
		MutablePropertySources sources = new MutablePropertySources(environment.getPropertySources());
		sources.addLast(new MapPropertySource(SOURCE_NAME, this.addresses) {

			@Override
			public @Nullable Object getProperty(String name) {
				Object value = super.getProperty(name);
				if (value != null) {
					ConfiguredServerPorts.this.consulted = true;
				}
				return value;
			}

		});
		return new Binder(ConfigurationPropertySources.get(environment),
				new PropertySourcesPlaceholdersResolver(sources));
	}

	/** Whether a placeholder was resolved from a server's configuration rather than its published address. */
	boolean consulted() {
		return this.consulted;
	}

}
