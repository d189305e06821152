package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.thousandisland.Server;
import dev.thousandisland.ThousandIsland;

/**
 * The Thousand Island servers of an application context: what was configured, and the running
 * servers once the context has started. Inject it to look a server up by name (its port, its
 * connections, suspend and resume).
 */
public class ThousandIslandServers {

	private static final Log logger = LogFactory.getLog(ThousandIslandServers.class);

	private final List<ServerDefinition> definitions;

	private final Map<String, Server> running = Collections.synchronizedMap(new LinkedHashMap<>());

	/**
	 * Creates the registry.
	 * @param definitions the servers to run
	 */
	public ThousandIslandServers(List<ServerDefinition> definitions) {
		this.definitions = List.copyOf(definitions);
	}

	/**
	 * Returns the configured servers.
	 * @return the definitions, in start order
	 */
	public List<ServerDefinition> definitions() {
		return this.definitions;
	}

	/**
	 * Returns a running server.
	 * @param name the server's name, in its canonical kebab-case form ({@code echo-server}) or any
	 * relaxed form of it, such as its bean's name ({@code echoServer})
	 * @return the server, or empty if there is none by that name or it is not running
	 */
	public Optional<Server> get(String name) {
		synchronized (this.running) {
			String found = RelaxedNames.find(name, this.running.keySet());
			return Optional.ofNullable((found != null) ? this.running.get(found) : null);
		}
	}

	/**
	 * Returns the running servers.
	 * @return the servers by name
	 */
	public Map<String, Server> running() {
		synchronized (this.running) {
			return Map.copyOf(this.running);
		}
	}

	/**
	 * Starts every server not yet running; if one fails, the ones started are stopped again.
	 * @param started called for each server that started
	 * @throws ServerStartException naming the server and the property to change
	 */
	void start(java.util.function.BiConsumer<ServerDefinition, Server> started) {
		for (ServerDefinition definition : this.definitions) {
			if (this.running.containsKey(definition.name())) {
				continue;
			}
			Server server;
			try {
				server = ThousandIsland.start(definition.config());
			}
			catch (IOException | RuntimeException ex) {
				stopNow();
				throw new ServerStartException(definition, ex);
			}
			this.running.put(definition.name(), server);
			started.accept(definition, server);
		}
	}

	/**
	 * Starts stopping every running server.
	 * @param graceful whether connections may finish (within each server's shutdownTimeout)
	 * @return a future completed when every server has stopped
	 */
	CompletableFuture<Void> stopAsync(boolean graceful) {
		List<CompletableFuture<Void>> stopped = new ArrayList<>();
		for (Server server : running().values()) {
			stopped.add(server.stopAsync(graceful ? server.config().shutdownTimeout() : java.time.Duration.ZERO));
		}
		return CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new));
	}

	/** Closes every connection of every server now and forgets them. */
	int stopNow() {
		int open = activeConnections();
		stopAsync(false).join();
		this.running.clear();
		return open;
	}

	int activeConnections() {
		return running().values().stream().mapToInt(Server::activeConnections).sum();
	}

	boolean isRunning() {
		return !this.running.isEmpty();
	}

	static Log logger() {
		return logger;
	}

}
