package dev.thousandisland.autoconfigure;

import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundles;

import dev.thousandisland.Handler;
import dev.thousandisland.InvalidOptionException;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.Framing;

/**
 * Decides which servers exist, from the Handler beans and the {@code thousandisland.*}
 * properties, and builds each one's configuration. Every mistake is reported against the property
 * that caused it.
 *
 * <p>A server is named by its key under {@code thousandisland.servers}; it runs the Handler bean
 * named by its {@code handler} property, or else the bean of its own name. Every Handler bean that
 * no configured server runs gets a server of its own, named after the bean, with the top-level
 * defaults. A FramedHandler bean is a server like a Handler bean, run with its framing
 * ({@link ServerFramings}).
 */
final class ServerDefinitions {

	static final String PREFIX = ServerPropertyNames.PREFIX;

	private final Binder binder;

	private final Map<String, Handler<?>> handlers;

	private final ObjectProvider<SslBundles> sslBundles;

	private final List<ThousandIslandServerCustomizer> customizers;

	private final Duration phaseTimeout;

	private final ServerPropertyNames names;

	private final ServerFramings framings;

	/**
	 * Creates the resolver.
	 * @param binder the environment's binder
	 * @param handlers the Handler beans by name
	 * @param sslBundles the SSL bundles, if any
	 * @param customizers applied to every server's configuration, in order
	 * @param phaseTimeout the context's timeout per shutdown phase: the longest a graceful drain
	 * can last, since Spring moves on to the next phase when it passes
	 */
	ServerDefinitions(Binder binder, Map<String, Handler<?>> handlers, ObjectProvider<SslBundles> sslBundles,
			List<ThousandIslandServerCustomizer> customizers, Duration phaseTimeout) {
		this(binder, handlers, Map.of(), Set.of(), null, sslBundles, customizers, phaseTimeout);
	}

	/**
	 * Creates the resolver for Handler and FramedHandler beans.
	 * @param binder the environment's binder
	 * @param handlers the Handler beans by name
	 * @param framedHandlers the FramedHandler beans (that are not also Handlers) by name
	 * @param framingBeans the names of the Framing beans
	 * @param framingBean the only or primary Framing bean, or {@code null}
	 * @param sslBundles the SSL bundles, if any
	 * @param customizers applied to every server's configuration, in order
	 * @param phaseTimeout the context's timeout per shutdown phase
	 */
	ServerDefinitions(Binder binder, Map<String, Handler<?>> handlers, Map<String, FramedHandler<?>> framedHandlers,
			Set<String> framingBeans, @Nullable Framing framingBean, ObjectProvider<SslBundles> sslBundles,
			List<ThousandIslandServerCustomizer> customizers, Duration phaseTimeout) {
		this.binder = binder;
		this.handlers = handlers;
		this.sslBundles = sslBundles;
		this.customizers = customizers;
		this.phaseTimeout = phaseTimeout;
		this.names = new ServerPropertyNames(binder);
		this.framings = new ServerFramings(this.names, framedHandlers, framingBeans, framingBean);
	}

	List<ServerDefinition> resolve(ThousandIslandProperties properties) {
		Map<String, String> beans = handlerBeansByUniformName();
		Map<String, ServerDefinition> definitions = new LinkedHashMap<>();
		Set<String> claimedHandlers = new LinkedHashSet<>();
		Map<String, RelaxedNames.Group> configured = RelaxedNames.group(properties.getServers().keySet());
		configured.forEach((uniform, group) -> {
			// A server of a bean goes by the bean's name, whatever form its properties use.
			String ownBean = beans.get(uniform);
			String name = (ownBean != null) ? RelaxedNames.canonical(ownBean) : group.name();
			ThousandIslandServerProperties server = bind(name, group.keys());
			String handlerName = (server.getHandler() != null) ? handlerBean(server.getHandler(), beans)
					: (ownBean != null) ? ownBean : name;
			claimedHandlers.add(handlerName);
			if (!server.isEnabled()) {
				return;
			}
			Handler<?> handler = handler(name, handlerName, server);
			if (handler == null) {
				throw noHandlerBean(name, handlerName, server.getHandler() != null);
			}
			definitions.put(uniform, define(name, handlerName, handler, server));
		});
		beans.forEach((uniform, bean) -> {
			if (!claimedHandlers.contains(bean) && !configured.containsKey(uniform)) {
				String name = RelaxedNames.canonical(bean);
				ThousandIslandServerProperties server = bind(name, List.of());
				if (server.isEnabled()) {
					definitions.put(uniform, define(name, bean, handler(name, bean, server), server));
				}
			}
		});
		List<ServerDefinition> result = List.copyOf(definitions.values());
		checkEndpointsAreDistinct(result);
		return result;
	}

	/**
	 * The Handler and FramedHandler beans by the uniform form of their names, which is the server
	 * they run unless a property says otherwise.
	 * @throws HandlerNameClashException if two names have the same uniform form
	 */
	private Map<String, String> handlerBeansByUniformName() {
		Set<String> names = new LinkedHashSet<>(this.handlers.keySet());
		names.addAll(this.framings.beanNames());
		Map<String, List<String>> byUniform = new LinkedHashMap<>();
		names.forEach((name) -> byUniform.computeIfAbsent(RelaxedNames.uniform(name), (key) -> new ArrayList<>())
			.add(name));
		Map<String, String> beans = new LinkedHashMap<>();
		byUniform.forEach((uniform, beanNames) -> {
			if (beanNames.size() > 1) {
				String name = RelaxedNames.canonical(beanNames.get(0));
				throw new HandlerNameClashException(name, beanNames, serverPrefix(name));
			}
			beans.put(uniform, beanNames.get(0));
		});
		return beans;
	}

	/** The bean a handler property names: that very name, or the only bean of its relaxed form. */
	private static String handlerBean(String property, Map<String, String> beans) {
		String found = RelaxedNames.find(property, beans.values());
		return (found != null) ? found : property;
	}

	private InvalidConfigurationPropertyValueException noHandlerBean(String name, String handlerName,
			boolean named) {
		String property = named ? serverPrefix(name) + ".handler" : serverPrefix(name);
		Set<String> beans = new LinkedHashSet<>(this.handlers.keySet());
		beans.addAll(this.framings.beanNames());
		String action = named ? "Set it to the name of one of these beans: " + beans
				: "To run one of these beans under this name, set " + serverPrefix(name) + ".handler=<bean name>. "
						+ "Handler and FramedHandler beans: " + beans;
		return new InvalidConfigurationPropertyValueException(property, handlerName, "No Handler bean named '"
				+ handlerName + "' (nor FramedHandler bean) exists to run server '" + name + "'. " + action);
	}

	/** The Handler bean as it is, or the FramedHandler bean with its framing; null if neither exists. */
	private @Nullable Handler<?> handler(String name, String beanName, ThousandIslandServerProperties server) {
		Handler<?> handler = this.handlers.get(beanName);
		if (handler != null) {
			this.framings.checkUnframed(name, beanName, server.getFraming());
			return handler;
		}
		return this.framings.handler(name, beanName, server.getFraming());
	}

	/** Binds the top-level defaults, then the server's own properties over them. */
	private ThousandIslandServerProperties bind(String name, List<String> keys) {
		ThousandIslandServerProperties server = new ThousandIslandServerProperties();
		this.binder.bind(PREFIX, Bindable.ofInstance(server));
		RelaxedNames.bind(this.binder, PREFIX + ".servers", name, keys, Bindable.ofInstance(server));
		return server;
	}

	private ServerDefinition define(String name, String handlerName, Handler<?> handler, ThousandIslandServerProperties server) {
		// A Unix socket server ignores an address it only inherited from the top level.
		boolean inheritedAddress = server.getUnixPath() != null && !isSet(serverPrefix(name) + ".address");
		ServerConfig.Builder builder = ServerConfig.builder(handler)
			.name(name)
			.port(server.getPort())
			.bindAddress(inheritedAddress ? null : server.getAddress())
			.unixPath(server.getUnixPath())
			.numAcceptors(server.getAcceptors())
			.numListenSockets(server.getListenSockets())
			.numConnections(server.getMaxConnectionsPerAcceptor())
			.maxConnections((server.getMaxConnections() != null) ? server.getMaxConnections() : Integer.MAX_VALUE)
			.maxConnectionsRetryCount(server.getMaxConnectionsRetryCount())
			.maxConnectionsRetryWait(server.getMaxConnectionsRetryWait())
			.readTimeout(server.getReadTimeout())
			.handshakeTimeout(server.getSsl().getHandshakeTimeout())
			.shutdownTimeout(drainDeadline(server.getShutdownTimeout()))
			.sendTimeout(server.getSendTimeout())
			.hibernateAfter(server.getHibernateAfter())
			.backlog(server.getBacklog())
			.tcpNoDelay(server.isTcpNoDelay())
			.reuseAddress(server.isReuseAddress())
			.reusePort(server.isReusePort())
			.dataBuffers(server.getDataBuffers())
			.readBufferPoolSize(server.getReadBufferPoolSize())
			.maxAcceptBackoff(server.getMaxAcceptBackoff())
			.silentTerminateOnError(!server.isLogErrorResults())
			.mailboxCapacity(server.getMailboxCapacity())
			.callbacksOnPoller(server.isCallbacksOnPoller())
			.pollerCallbackLimit(server.getPollerCallbackLimit())
			.proxyProtocol(server.getProxyProtocol().getMode())
			.proxyTrustedSources(server.getProxyProtocol().getTrustedSources())
			.proxyHeaderTimeout(server.getProxyProtocol().getHeaderTimeout())
			// Core's messages about client errors then name the Boot property, not the Java setter.
			.optionNames((option) -> propertyFor(name, option));
		if (server.getPollers() != null) {
			builder.numPollers(server.getPollers());
		}
		if (server.getTcpKeepAlive() != null) {
			builder.socketOption(StandardSocketOptions.SO_KEEPALIVE, server.getTcpKeepAlive());
		}
		if (server.getSendBufferSize() != null) {
			builder.socketOption(StandardSocketOptions.SO_SNDBUF, (int) server.getSendBufferSize().toBytes());
		}
		if (server.getReceiveBufferSize() != null) {
			builder.socketOption(StandardSocketOptions.SO_RCVBUF, (int) server.getReceiveBufferSize().toBytes());
		}
		String bundle = server.getSsl().getBundle();
		try {
			if (bundle != null) {
				builder.transport(new SslBundleTransports(this.sslBundles, (suffix) -> this.names.propertyFor(name, suffix))
					.create(bundle, server.getSsl()));
			}
			this.customizers.forEach((customizer) -> customizer.customize(name, builder));
			return new ServerDefinition(name, handlerName, serverPrefix(name), builder.build(), bundle);
		}
		catch (InvalidOptionException ex) {
			String property = propertyFor(name, ex.option());
			throw new InvalidConfigurationPropertyValueException(property, ex.value(), ex.problem());
		}
	}

	/**
	 * The phase timeout ends a drain in any case (the hard stop runs when it passes), so a longer
	 * shutdown-timeout would only mislead the logs and the server's own configuration.
	 */
	private Duration drainDeadline(@Nullable Duration shutdownTimeout) {
		if (shutdownTimeout == null || shutdownTimeout.compareTo(this.phaseTimeout) > 0) {
			return this.phaseTimeout;
		}
		return shutdownTimeout;
	}

	private void checkEndpointsAreDistinct(List<ServerDefinition> definitions) {
		for (int i = 0; i < definitions.size(); i++) {
			for (int j = i + 1; j < definitions.size(); j++) {
				ServerDefinition first = definitions.get(i);
				ServerDefinition second = definitions.get(j);
				if (clash(first.config(), second.config())) {
					throw new InvalidConfigurationPropertyValueException(second.endpointProperty(),
							second.endpoint(), "Servers '" + first.name() + "' and '" + second.name()
									+ "' would both listen on " + second.endpoint() + ". Give them different ports ("
									+ first.endpointProperty() + ", " + second.endpointProperty() + ")");
				}
			}
		}
	}

	private static boolean clash(ServerConfig first, ServerConfig second) {
		if (first.isUnix() || second.isUnix()) {
			return first.isUnix() && second.isUnix() && first.unixPath().equals(second.unixPath());
		}
		if (first.port() == 0 || first.port() != second.port()) {
			return false;
		}
		return first.bindAddress() == null || second.bindAddress() == null
				|| first.bindAddress().equals(second.bindAddress());
	}

	/** Names the property that set an option: the server's own if it is set, else the default's. */
	private String propertyFor(String serverName, String option) {
		String suffix = switch (option) {
			case "bindAddress" -> "address";
			case "numAcceptors" -> "acceptors";
			case "numListenSockets" -> "listen-sockets";
			case "numConnections" -> "max-connections-per-acceptor";
			case "numPollers" -> "pollers";
			case "silentTerminateOnError" -> "log-error-results";
			case "handshakeTimeout" -> "ssl.handshake-timeout";
			case "cipherSuites" -> "ssl.ciphers";
			case "protocols" -> "ssl.enabled-protocols";
			case "applicationProtocols" -> "ssl.application-protocols";
			case "proxyProtocol" -> "proxy-protocol.mode";
			case "proxyTrustedSources" -> "proxy-protocol.trusted-sources";
			case "proxyHeaderTimeout" -> "proxy-protocol.header-timeout";
			case "maxFrameSize" -> "framing.max-frame-size";
			default -> option.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
		};
		return this.names.propertyFor(serverName, suffix);
	}

	private boolean isSet(String property) {
		return this.names.isSet(property);
	}

	private static String serverPrefix(String name) {
		return ServerPropertyNames.serverPrefix(name);
	}

}
