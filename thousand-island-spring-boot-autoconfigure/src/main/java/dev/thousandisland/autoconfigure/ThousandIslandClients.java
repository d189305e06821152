package dev.thousandisland.autoconfigure;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * The clients configured under {@code thousandisland.clients.<name>.*}. Inject it and look a client
 * up by name: {@code clients.get("redis").request(payload)}.
 *
 * <p>It starts the clients with the application context, in a phase before the servers' so that
 * a server's handlers find them started; starting returns at once (each client connects in the
 * background, so a peer that is down does not hold up start-up). It stops them after the servers,
 * each draining its outstanding requests within {@code spring.lifecycle.timeout-per-shutdown-phase}.
 * A client of one of the application's own servers (one that connects to its address, or to the
 * port it publishes, {@code ${local.thousandisland.servers.<name>.port}}) starts instead once the
 * servers have started, with the address they bound, and stops before they drain.
 */
public class ThousandIslandClients implements SmartLifecycle {

	/** Before the servers on the way up, after them on the way down. */
	static final int PHASE = ThousandIslandLifecycle.PHASE - 1;

	private static final Log logger = LogFactory.getLog(ThousandIslandClients.class);

	private final Map<String, ThousandIslandClient> clients = new LinkedHashMap<>();

	private final Duration phaseTimeout;

	private final @Nullable ClientDefinitions resolver;

	private volatile boolean running;

	/**
	 * Creates the clients; they connect when the context starts.
	 * @param definitions the clients' definitions
	 * @param phaseTimeout the longest a stop may take
	 */
	public ThousandIslandClients(List<ClientDefinition> definitions, Duration phaseTimeout) {
		this(definitions, null, phaseTimeout);
	}

	ThousandIslandClients(List<ClientDefinition> definitions, @Nullable ClientDefinitions resolver,
			Duration phaseTimeout) {
		definitions.forEach((definition) -> this.clients.put(definition.name(), new ThousandIslandClient(definition)));
		this.resolver = resolver;
		this.phaseTimeout = phaseTimeout;
	}

	/**
	 * Returns the client of that name.
	 * @param name its key under {@code thousandisland.clients}, in its canonical kebab-case form
	 * ({@code my-redis}) or any relaxed form of it ({@code myRedis})
	 * @return the client
	 * @throws IllegalArgumentException if no client has that name
	 */
	public ThousandIslandClient get(String name) {
		ThousandIslandClient client = find(name).orElse(null);
		if (client == null) {
			throw new IllegalArgumentException(
					"No client named '" + name + "' under thousandisland.clients; clients: " + this.clients.keySet());
		}
		return client;
	}

	/**
	 * Returns the client of that name, if there is one.
	 * @param name its key under {@code thousandisland.clients}
	 * @return the client
	 */
	public Optional<ThousandIslandClient> find(String name) {
		String found = RelaxedNames.find(name, this.clients.keySet());
		return Optional.ofNullable((found != null) ? this.clients.get(found) : null);
	}

	/**
	 * Returns every client, in the order of the properties.
	 * @return the clients
	 */
	public Collection<ThousandIslandClient> all() {
		return this.clients.values();
	}

	@Override
	public void start() {
		this.clients.values().stream().filter((client) -> !followsServer(client)).forEach(ThousandIslandClient::start);
		this.running = true;
	}

	/** Starts the clients of the application's own servers, with the addresses the servers bound. */
	void startServerClients() {
		ClientDefinitions resolver = this.resolver;
		for (ThousandIslandClient client : this.clients.values()) {
			if (resolver != null && followsServer(client)) {
				client.redefine(resolver.redefine(client.name()));
				client.start();
			}
		}
	}

	/** Stops the clients of the application's own servers, before the servers drain. */
	void stopServerClients() {
		stop(this.clients.values().stream().filter(this::followsServer).toList());
	}

	private boolean followsServer(ThousandIslandClient client) {
		return this.resolver != null && this.resolver.followsServer(client.name());
	}

	@Override
	public void stop() {
		stop(this.clients.values().stream().filter((client) -> !followsServer(client)).toList());
		this.running = false;
	}

	private void stop(List<ThousandIslandClient> clients) {
		long deadline = System.nanoTime() + this.phaseTimeout.toNanos();
		for (ThousandIslandClient client : clients) {
			Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
			try {
				if (!client.stop(left)) {
					logger.warn("Client '" + client.name() + "' stopped with requests unanswered after " + left);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
