package dev.thousandisland.autoconfigure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

import dev.thousandisland.InvalidOptionException;
import dev.thousandisland.autoconfigure.ThousandIslandFramingProperties.FramingType;
import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.telemetry.TelemetryListener;
import dev.thousandisland.transport.TlsTransport;

/**
 * Builds each client's configuration from {@code thousandisland.clients.<name>.*} and the beans it
 * names. Every mistake is reported against the property that caused it, so a bad value fails
 * start-up with a message that points at it.
 */
final class ClientDefinitions {

	static final String PREFIX = ServerPropertyNames.PREFIX + ".clients";

	private final Map<String, ClientHandler> handlers;

	private final Map<String, Framing> framings;

	private final @Nullable Framing framingBean;

	private final ObjectProvider<SslBundles> sslBundles;

	private final List<TelemetryListener> listeners;

	/**
	 * Creates the resolver.
	 * @param handlers the ClientHandler beans by name
	 * @param framings the Framing beans by name
	 * @param framingBean the only or primary Framing bean, or {@code null}
	 * @param sslBundles the SSL bundles, if any
	 * @param listeners the listeners every client reports to
	 */
	ClientDefinitions(Map<String, ClientHandler> handlers, Map<String, Framing> framings, @Nullable Framing framingBean,
			ObjectProvider<SslBundles> sslBundles, List<? extends TelemetryListener> listeners) {
		this.handlers = handlers;
		this.framings = framings;
		this.framingBean = framingBean;
		this.sslBundles = sslBundles;
		this.listeners = List.copyOf(listeners);
	}

	List<ClientDefinition> resolve(Map<String, ThousandIslandClientProperties> clients) {
		List<ClientDefinition> definitions = new ArrayList<>();
		clients.forEach((name, client) -> definitions.add(define(name, client)));
		return List.copyOf(definitions);
	}

	private ClientDefinition define(String name, ThousandIslandClientProperties client) {
		Framing framing = framing(name, client);
		ClientConfig.Builder builder = ClientConfig.builder(framing).name(name);
		if (client.getUnixPath() != null) {
			builder.unix(client.getUnixPath());
		}
		else {
			Integer port = client.getPort();
			if (port == null) {
				throw new MissingPropertyException(property(name, "port"), "Client '" + name
						+ "' connects over TCP unless unix-path is set, and needs a port from 1 to 65535");
			}
			if (port < 1 || port > 65535) {
				throw new InvalidConfigurationPropertyValueException(property(name, "port"), port,
						"Client '" + name + "' needs a port from 1 to 65535, or a unix-path");
			}
			builder.tcp(client.getHost(), port);
		}
		if (client.getFraming().getType() != null && client.isFrameRequests()) {
			builder.requestFraming(framing);
		}
		if (client.getHandler() != null) {
			builder.handler(handler(name, client.getHandler()));
		}
		if (client.getPoolSize() < 1) {
			throw new InvalidConfigurationPropertyValueException(property(name, "pool-size"), client.getPoolSize(),
					"Must be at least 1");
		}
		try {
			ThousandIslandClientProperties.Backoff backoff = client.getBackoff();
			builder.backoff(new Backoff(backoff.getInitial(), backoff.getMax(), backoff.getMultiplier(),
					backoff.getJitter(), backoff.getMaxAttempts()));
			if (client.getSslBundle() != null) {
				builder.transport(tls(name, client));
			}
			ClientConfig config = builder.connectTimeout(client.getConnectTimeout())
				.queueSize(client.getQueueSize())
				.requestTimeout(client.getRequestTimeout())
				.telemetryListeners(this.listeners)
				.build();
			return new ClientDefinition(name, config, client.getPoolSize());
		}
		catch (InvalidOptionException ex) {
			throw new InvalidConfigurationPropertyValueException(property(name, kebab(ex.option())), ex.value(),
					ex.problem());
		}
	}

	private Framing framing(String name, ThousandIslandClientProperties client) {
		FramingType type = client.getFraming().getType();
		if (type != null) {
			return new PropertyFramings((suffix) -> property(name, suffix)).framing(type, client.getFraming());
		}
		Framing own = this.framings.get(name + "Framing");
		if (own != null) {
			return own;
		}
		if (this.framingBean != null) {
			return this.framingBean;
		}
		throw new MissingPropertyException(property(name, "framing.type"), "Client '" + name
				+ "' needs to know how its replies are framed, and there is no Framing bean named '" + name
				+ "Framing' nor a single (or primary) Framing bean: set it to line, crlf, delimiter, length-prefixed "
				+ "or fixed-length, or declare a Framing bean named '" + name + "Framing'. Framing beans: "
				+ this.framings.keySet());
	}

	private ClientHandler handler(String name, String beanName) {
		ClientHandler handler = this.handlers.get(beanName);
		if (handler == null) {
			throw new InvalidConfigurationPropertyValueException(property(name, "handler"), beanName,
					"No ClientHandler bean named '" + beanName + "'. ClientHandler beans: " + this.handlers.keySet());
		}
		return handler;
	}

	private TlsTransport tls(String name, ThousandIslandClientProperties client) {
		String bundleName = client.getSslBundle();
		SslBundles bundles = this.sslBundles.getIfAvailable();
		SslBundle bundle;
		try {
			if (bundles == null) {
				throw new NoSuchSslBundleException(bundleName, "No SSL bundles are configured");
			}
			bundle = bundles.getBundle(bundleName);
		}
		catch (NoSuchSslBundleException ex) {
			throw new InvalidConfigurationPropertyValueException(property(name, "ssl-bundle"), bundleName,
					"No SSL bundle named '" + bundleName + "' is configured under spring.ssl.bundle.*");
		}
		String serverName = (client.getSslServerName() != null) ? client.getSslServerName() : client.getHost();
		TlsTransport.Builder builder = TlsTransport.builder(bundle.createSslContext()).clientMode(serverName);
		String[] protocols = bundle.getOptions().getEnabledProtocols();
		if (protocols != null) {
			builder.protocols(Arrays.asList(protocols));
		}
		String[] ciphers = bundle.getOptions().getCiphers();
		if (ciphers != null) {
			builder.cipherSuites(Arrays.asList(ciphers));
		}
		TlsTransport transport = builder.build();
		// Renewed trust reaches the next connect; a live connection keeps the context it started with.
		bundles.addBundleUpdateHandler(bundleName, (updated) -> transport.sslContext(updated.createSslContext()));
		return transport;
	}

	static String property(String client, String suffix) {
		return PREFIX + "." + client + "." + suffix;
	}

	private static String kebab(String option) {
		if (option.equals("serverHostName")) {
			return "ssl-server-name";
		}
		return option.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
	}

}
