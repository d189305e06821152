package dev.thousandisland.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Configuration properties for Thousand Island servers. Every Handler bean becomes a server named
 * after the bean; the top-level values are the defaults of every server, and
 * {@code thousandisland.servers.<name>.*} overrides them for one.
 *
 * <p>A key under {@code thousandisland} that does not exist fails start-up instead of being ignored,
 * so that a typo or a renamed key cannot leave a setting at its default unnoticed; Boot checks this
 * for every property source except system properties and environment variables.
 */
@ConfigurationProperties(prefix = "thousandisland", ignoreUnknownFields = false)
public class ThousandIslandProperties extends ThousandIslandServerProperties {

	/**
	 * Servers by name. A server's name is, by default, also the name of its Handler bean.
	 */
	private final Map<String, ThousandIslandServerProperties> servers = new LinkedHashMap<>();

	/**
	 * Clients by name: connections to other servers, each a bean in ThousandIslandClients.
	 */
	private final Map<String, ThousandIslandClientProperties> clients = new LinkedHashMap<>();

	/**
	 * How servers stop when the application context closes.
	 */
	private Shutdown shutdown = Shutdown.GRACEFUL;

	/**
	 * Micrometer observations.
	 */
	private final Observations observations = new Observations();

	/**
	 * The PubSub bean: topics, broadcasts and the adapter that carries them to other instances.
	 */
	@NestedConfigurationProperty
	private final ThousandIslandPubSubProperties pubsub = new ThousandIslandPubSubProperties();

	/**
	 * The Registry bean: connections found by key.
	 */
	@NestedConfigurationProperty
	private final ThousandIslandRegistryProperties registry = new ThousandIslandRegistryProperties();

	public Map<String, ThousandIslandServerProperties> getServers() {
		return this.servers;
	}

	public Map<String, ThousandIslandClientProperties> getClients() {
		return this.clients;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	public void setShutdown(Shutdown shutdown) {
		this.shutdown = shutdown;
	}

	public Observations getObservations() {
		return this.observations;
	}

	public ThousandIslandPubSubProperties getPubsub() {
		return this.pubsub;
	}

	public ThousandIslandRegistryProperties getRegistry() {
		return this.registry;
	}

	/**
	 * Micrometer observations.
	 */
	public static class Observations {

		/**
		 * Connection observations.
		 */
		private final Connections connections = new Connections();

		public Connections getConnections() {
			return this.connections;
		}

		/**
		 * Connection observations.
		 */
		public static class Connections {

			/**
			 * Whether to observe every connection (thousandisland.connection), giving one trace
			 * span per connection with Micrometer Tracing.
			 */
			private boolean enabled;

			public boolean isEnabled() {
				return this.enabled;
			}

			public void setEnabled(boolean enabled) {
				this.enabled = enabled;
			}

		}

	}

	/**
	 * How servers stop.
	 */
	public enum Shutdown {

		/**
		 * Stop listening, let every connection finish (handleShutdown), within
		 * spring.lifecycle.timeout-per-shutdown-phase.
		 */
		GRACEFUL,

		/**
		 * Close every connection at once.
		 */
		IMMEDIATE

	}

}
