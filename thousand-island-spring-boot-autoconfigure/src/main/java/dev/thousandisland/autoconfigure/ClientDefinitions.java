package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.ConfigurableEnvironment;

import dev.thousandisland.InvalidOptionException;
import dev.thousandisland.autoconfigure.ThousandIslandFramingProperties.FramingType;
import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.client.PoolSize;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.telemetry.TelemetryListener;
import dev.thousandisland.transport.TlsTransport;

/**
 * Builds each client's configuration from {@code thousandisland.clients.<name>.*} and the beans it
 * names. Every mistake is reported against the property that caused it, so a bad value fails
 * start-up with a message that points at it.
 *
 * <p>A client may connect to a server of the application itself, by its address or through the
 * port the server publishes ({@code ${local.thousandisland.servers.<name>.port}}), which exists only
 * once the servers have started. Such a client <em>follows a server</em>: it is defined at first
 * with the server's configured port and defined again, from the published one, when the servers
 * have started, and it starts only then.
 */
final class ClientDefinitions {

	static final String PREFIX = ServerPropertyNames.PREFIX + ".clients";

	private final Map<String, ClientHandler> handlers;

	private final Map<String, Framing> framings;

	private final @Nullable Framing framingBean;

	private final ObjectProvider<SslBundles> sslBundles;

	private final List<TelemetryListener> listeners;

	private final List<ThousandIslandClientCustomizer> customizers;

	private final ConfigurableEnvironment environment;

	private final List<ServerDefinition> servers;

	private final Map<String, List<String>> keys = new LinkedHashMap<>();

	private final Set<String> followers = new LinkedHashSet<>();

	/**
	 * Creates the resolver, which binds the clients' properties itself, in every relaxed form of
	 * their names, and knows the application's servers.
	 * @param handlers the ClientHandler beans by name
	 * @param framings the Framing beans by name
	 * @param framingBean the only or primary Framing bean, or {@code null}
	 * @param sslBundles the SSL bundles, if any
	 * @param listeners the listeners every client reports to
	 * @param customizers applied to every client's configuration after its properties, in order
	 * @param environment where the properties are bound from
	 * @param servers the application's servers
	 */
	ClientDefinitions(Map<String, ClientHandler> handlers, Map<String, Framing> framings, @Nullable Framing framingBean,
			ObjectProvider<SslBundles> sslBundles, List<? extends TelemetryListener> listeners,
			List<ThousandIslandClientCustomizer> customizers, ConfigurableEnvironment environment,
			List<ServerDefinition> servers) {
		this.handlers = handlers;
		this.framings = framings;
		this.framingBean = framingBean;
		this.sslBundles = sslBundles;
		this.listeners = List.copyOf(listeners);
		this.customizers = List.copyOf(customizers);
		this.environment = environment;
		this.servers = servers;
	}

	/**
	 * Defines every client, from the keys of the bound map and those of the property sources.
	 * @param clients the clients' properties as {@link ThousandIslandProperties} bound them
	 * @return the definitions, in the order of the keys
	 */
	List<ClientDefinition> resolve(Map<String, ThousandIslandClientProperties> clients) {
		List<ClientDefinition> definitions = new ArrayList<>();
		RelaxedNames.group(clientKeys(clients.keySet())).forEach((uniform, group) -> {
			this.keys.put(group.name(), group.keys());
			ConfiguredServerPorts configured = new ConfiguredServerPorts(this.servers);
			ThousandIslandClientProperties client = bind(group.name(), configured.binder(this.environment));
			if (configured.consulted() || targetsAServer(client)) {
				this.followers.add(group.name());
			}
			definitions.add(define(group.name(), client, this.followers.contains(group.name())));
		});
		return List.copyOf(definitions);
	}

	/** Whether the client connects to a server of the application, and so starts after the servers. */
	boolean followsServer(String name) {
		return this.followers.contains(name);
	}

	/** Defines a client again, now that the servers have started and published their addresses. */
	ClientDefinition redefine(String name) {
		return define(name, bind(name, Binder.get(this.environment)), false);
	}

	private ThousandIslandClientProperties bind(String name, Binder binder) {
		ThousandIslandClientProperties client = new ThousandIslandClientProperties();
		RelaxedNames.bind(binder, PREFIX, name, this.keys.getOrDefault(name, List.of()), Bindable.ofInstance(client));
		return client;
	}

	/**
	 * The client names under {@code thousandisland.clients}, read from the property sources: the
	 * bound map may lack a client whose port waits for a server ({@link ClientPropertiesBindHandlerAdvisor}).
	 */
	private Set<String> clientKeys(Set<String> bound) {
		Set<String> names = new LinkedHashSet<>(bound);
		ConfigurationPropertyName root = ConfigurationPropertyName.of(PREFIX);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.stream()
					.filter((name) -> root.isAncestorOf(name) && name.getNumberOfElements() > 3)
					.map((name) -> name.getElement(2, ConfigurationPropertyName.Form.ORIGINAL))
					.forEach(names::add);
			}
		}
		return names;
	}

	/** Whether the client's configured address is that of one of the application's servers. */
	private boolean targetsAServer(ThousandIslandClientProperties client) {
		for (ServerDefinition server : this.servers) {
			if (server.config().isUnix()) {
				if (server.config().unixPath().equals(client.getUnixPath())) {
					return true;
				}
			}
			else if (client.getUnixPath() == null && client.getPort() != null && server.config().port() != 0
					&& server.config().port() == client.getPort() && isLocal(client.getHost(), server)) {
				return true;
			}
		}
		return false;
	}

	private static boolean isLocal(String host, ServerDefinition server) {
		try {
			InetAddress address = InetAddress.getByName(host);
			InetAddress bound = server.config().bindAddress();
			return address.isLoopbackAddress() || address.isAnyLocalAddress() || address.equals(bound)
					|| NetworkInterface.getByInetAddress(address) != null;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Defines a client from its properties.
	 * @param provisional whether a port of 0 is allowed, standing for a server's random port that
	 * the client learns when the server has started
	 */
	private ClientDefinition define(String name, ThousandIslandClientProperties client, boolean provisional) {
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
			boolean random = provisional && port == 0;
			if (!random && (port < 1 || port > 65535)) {
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
		PoolSize pool = poolSize(name, client);
		try {
			ThousandIslandClientProperties.Backoff backoff = client.getBackoff();
			builder.backoff(new Backoff(backoff.getInitial(), backoff.getMax(), backoff.getMultiplier(),
					backoff.getJitter(), backoff.getMaxAttempts()));
			if (client.getSslBundle() != null) {
				builder.transport(tls(name, client));
			}
			liveness(name, client, builder);
			builder.connectTimeout(client.getConnectTimeout())
				.queueSize(client.getQueueSize())
				.requestTimeout(client.getRequestTimeout())
				.onRequestTimeout(client.getOnRequestTimeout())
				.maxLateReplies(client.getMaxLateReplies())
				.lateReplyTimeout(client.getLateReplyTimeout())
				.telemetryListeners(this.listeners);
			this.customizers.forEach((customizer) -> customizer.customize(name, builder));
			return new ClientDefinition(name, builder.build(), pool);
		}
		catch (InvalidOptionException ex) {
			throw new InvalidConfigurationPropertyValueException(property(name, kebab(ex.option())), ex.value(),
					ex.problem());
		}
	}

	/** A fixed pool of pool-size, or one growing from pool-size to pool.max-size. */
	private static PoolSize poolSize(String name, ThousandIslandClientProperties client) {
		int size = client.getPoolSize();
		if (size < 1) {
			throw new InvalidConfigurationPropertyValueException(property(name, "pool-size"), size, "Must be at least 1");
		}
		Duration idleTimeout = client.getPool().getIdleTimeout();
		if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
			throw new InvalidConfigurationPropertyValueException(property(name, "pool.idle-timeout"), idleTimeout,
					"Must be positive");
		}
		Integer max = client.getPool().getMaxSize();
		if (max == null) {
			return PoolSize.fixed(size);
		}
		if (max < size) {
			throw new InvalidConfigurationPropertyValueException(property(name, "pool.max-size"), max,
					"Must be at least pool-size (" + size + ")");
		}
		return PoolSize.growing(size, max, idleTimeout);
	}

	/** Keep-alive and the idle check; the three keep-alive timings go together, as the kernel uses them together. */
	private static void liveness(String name, ThousandIslandClientProperties client, ClientConfig.Builder builder) {
		Duration idle = client.getKeepAliveIdle();
		Duration interval = client.getKeepAliveInterval();
		Integer count = client.getKeepAliveCount();
		if (idle != null || interval != null || count != null) {
			if (Boolean.FALSE.equals(client.getKeepAlive())) {
				throw new InvalidConfigurationPropertyValueException(property(name, "keep-alive"), false,
						"Must be true (or not set) when a keep-alive timing is set");
			}
			String missing = (idle == null) ? "keep-alive-idle" : (interval == null) ? "keep-alive-interval"
					: (count == null) ? "keep-alive-count" : null;
			if (missing != null) {
				throw new InvalidConfigurationPropertyValueException(property(name, missing), null,
						"keep-alive-idle, keep-alive-interval and keep-alive-count are set together");
			}
			builder.keepAlive(idle, interval, count);
		}
		else if (client.getKeepAlive() != null) {
			builder.keepAlive(client.getKeepAlive());
		}
		if (client.getIdleCheckInterval() != null) {
			builder.idleCheck(client.getIdleCheckInterval(), client.getIdleCheckTimeout());
		}
	}

	private Framing framing(String name, ThousandIslandClientProperties client) {
		FramingType type = client.getFraming().getType();
		if (type != null) {
			return new PropertyFramings((suffix) -> property(name, suffix)).framing(type, client.getFraming());
		}
		String ownBean = RelaxedNames.find(name + "Framing", this.framings.keySet());
		if (ownBean != null) {
			return this.framings.get(ownBean);
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
		String found = RelaxedNames.find(beanName, this.handlers.keySet());
		ClientHandler handler = (found != null) ? this.handlers.get(found) : null;
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
		return RelaxedNames.prefix(PREFIX, client) + "." + suffix;
	}

	private static String kebab(String option) {
		if (option.equals("serverHostName")) {
			return "ssl-server-name";
		}
		return option.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
	}

}
