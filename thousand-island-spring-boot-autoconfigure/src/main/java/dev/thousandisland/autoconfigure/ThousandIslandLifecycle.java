package dev.thousandisland.autoconfigure;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;

import dev.thousandisland.Server;
import dev.thousandisland.autoconfigure.ThousandIslandProperties.Shutdown;

/**
 * Starts the servers with the application context and, when it closes, ends whatever the
 * graceful phase left open. Runs in the phase Spring Boot uses for its own web servers' start
 * and stop, after {@link ThousandIslandGracefulShutdown}'s phase on the way down.
 *
 * <p>It also keeps the JVM alive while the servers run, as Boot's embedded web servers do:
 * connection and acceptor threads are virtual, hence daemon, threads, and an application that runs
 * nothing but Thousand Island servers would otherwise exit as soon as it started. It leaves that to
 * Spring Boot when {@code spring.main.keep-alive} is set: true starts Boot's own keep-alive thread,
 * and false says the application wants none.
 */
final class ThousandIslandLifecycle implements SmartLifecycle {

	/** The phase of Boot's {@code WebServerStartStopLifecycle}. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

	static final String PORTS_PROPERTY_SOURCE = "thousandisland.local-ports";

	/** The port of the first server that started, convenient when there is only one. */
	static final String FIRST_PORT_PROPERTY = "local.thousandisland.port";

	private static final Log logger = ThousandIslandServers.logger();

	private final ThousandIslandServers servers;

	private final ApplicationEventPublisher publisher;

	private final ConfigurableEnvironment environment;

	private final Duration phaseTimeout;

	private final Shutdown shutdown;

	private final boolean keepJvmAlive;

	private volatile boolean running;

	private volatile @Nullable CountDownLatch keepAlive;

	/**
	 * Creates the lifecycle.
	 * @param servers the servers to run
	 * @param publisher where {@link ServerStartedEvent}s go
	 * @param environment where the bound ports are published
	 * @param phaseTimeout the context's {@code spring.lifecycle.timeout-per-shutdown-phase}, for logs
	 * @param shutdown graceful or immediate: whether connections still open here outlived a drain
	 * @param keepJvmAlive whether to hold a non-daemon thread while the servers run
	 */
	ThousandIslandLifecycle(ThousandIslandServers servers, ApplicationEventPublisher publisher,
			ConfigurableEnvironment environment, Duration phaseTimeout, Shutdown shutdown, boolean keepJvmAlive) {
		this.servers = servers;
		this.publisher = publisher;
		this.environment = environment;
		this.phaseTimeout = phaseTimeout;
		this.shutdown = shutdown;
		this.keepJvmAlive = keepJvmAlive;
	}

	@Override
	public void start() {
		this.servers.start(this::started);
		this.running = true;
		if (this.keepJvmAlive && this.servers.isRunning()) {
			startKeepAliveThread();
		}
	}

	@Override
	public void stop() {
		this.running = false;
		int open = this.servers.activeConnections();
		if (open > 0 && this.shutdown == Shutdown.IMMEDIATE) {
			logger.info("Stopping Thousand Island servers " + this.servers.running().keySet()
					+ " immediately (thousandisland.shutdown=immediate), closing " + open + " connection(s)");
		}
		else if (open > 0) {
			logger.warn("Thousand Island graceful shutdown did not finish within spring.lifecycle.timeout-per-shutdown-phase ("
					+ this.phaseTimeout + "); closing " + open + " connection(s) still open on servers "
					+ openServers());
		}
		this.servers.stopNow();
		CountDownLatch keepAlive = this.keepAlive;
		if (keepAlive != null) {
			keepAlive.countDown();
		}
	}

	private Map<String, Integer> openServers() {
		Map<String, Integer> open = new TreeMap<>();
		this.servers.running().forEach((name, server) -> {
			if (server.activeConnections() > 0) {
				open.put(name, server.activeConnections());
			}
		});
		return open;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	@Override
	public boolean isPauseable() {
		return false;
	}

	private void started(ServerDefinition definition, Server server) {
		SocketAddress address = server.listenerInfo().orElse(null);
		logger.info("Thousand Island server '" + definition.name() + "' started on " + server.info().address() + " ("
				+ definition.transport() + ", handler '" + definition.handlerBeanName() + "')");
		publishAddress(definition.name(), address);
		this.publisher.publishEvent(new ServerStartedEvent(server, definition, address));
	}

	/** Publishes the bound port as {@code local.thousandisland.port}, as Boot does for web servers. */
	private void publishAddress(String name, @Nullable SocketAddress address) {
		MutablePropertySources sources = this.environment.getPropertySources();
		Map<String, Object> ports;
		if (sources.get(PORTS_PROPERTY_SOURCE) instanceof MapPropertySource existing) {
			ports = existing.getSource();
		}
		else {
			ports = new LinkedHashMap<>();
			sources.addFirst(new MapPropertySource(PORTS_PROPERTY_SOURCE, ports));
		}
		if (address instanceof InetSocketAddress inet) {
			ports.putIfAbsent(FIRST_PORT_PROPERTY, inet.getPort());
			ports.put(localPrefix(name) + ".port", inet.getPort());
		}
		else if (address instanceof UnixDomainSocketAddress unix) {
			ports.put(localPrefix(name) + ".unix-path", unix.getPath().toString());
		}
	}

	/** Where a server's bound address is published: {@code local.thousandisland.servers.<name>}. */
	static String localPrefix(String name) {
		return RelaxedNames.prefix("local.thousandisland.servers", name);
	}

	private void startKeepAliveThread() {
		CountDownLatch latch = new CountDownLatch(1);
		this.keepAlive = latch;
		Thread thread = new Thread(() -> {
			try {
				latch.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}, "thousand-island-keep-alive");
		thread.setDaemon(false);
		thread.start();
	}

}
