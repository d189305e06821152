package dev.thousandisland.autoconfigure;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The clients configured under {@code thousandisland.clients.<name>.*}. Inject it and look a client
 * up by name: {@code clients.get("redis").request(payload)}.
 *
 * <p>It starts the clients with the application context, in a phase before the servers' so that
 * a server's handlers find them started; starting returns at once (each client connects in the
 * background, so a peer that is down does not hold up start-up). It stops them after the servers,
 * each draining its outstanding requests within {@code spring.lifecycle.timeout-per-shutdown-phase}.
 */
public class ThousandIslandClients implements SmartLifecycle {

	/** Before the servers on the way up, after them on the way down. */
	static final int PHASE = ThousandIslandLifecycle.PHASE - 1;

	private static final Log logger = LogFactory.getLog(ThousandIslandClients.class);

	private final Map<String, ThousandIslandClient> clients = new LinkedHashMap<>();

	private final Duration phaseTimeout;

	private volatile boolean running;

	/**
	 * Creates the clients; they connect when the context starts.
	 * @param definitions the clients' definitions
	 * @param phaseTimeout the longest a stop may take
	 */
	public ThousandIslandClients(List<ClientDefinition> definitions, Duration phaseTimeout) {
		definitions.forEach((definition) -> this.clients.put(definition.name(), new ThousandIslandClient(definition)));
		this.phaseTimeout = phaseTimeout;
	}

	/**
	 * Returns the client of that name.
	 * @param name its key under {@code thousandisland.clients}
	 * @return the client
	 * @throws IllegalArgumentException if no client has that name
	 */
	public ThousandIslandClient get(String name) {
		ThousandIslandClient client = this.clients.get(name);
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
		return Optional.ofNullable(this.clients.get(name));
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
		this.clients.values().forEach(ThousandIslandClient::start);
		this.running = true;
	}

	@Override
	public void stop() {
		long deadline = System.nanoTime() + this.phaseTimeout.toNanos();
		for (ThousandIslandClient client : this.clients.values()) {
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
		this.running = false;
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
