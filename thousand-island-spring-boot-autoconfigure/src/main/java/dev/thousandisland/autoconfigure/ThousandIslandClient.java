package dev.thousandisland.autoconfigure;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientPool;
import dev.thousandisland.client.NotConnectedException;
import dev.thousandisland.client.RequestFailedException;

/**
 * One client configured under {@code thousandisland.clients.<name>}: a single
 * {@link ClientConnection} ({@code pool-size} 1) or a {@link ClientPool}, started and stopped
 * with the application context by {@link ThousandIslandClients}. It can be injected (through
 * {@link ThousandIslandClients#get(String)}) before the context starts; requests made before the
 * start fail with {@link NotConnectedException}, requests made while it connects wait in its
 * queue.
 */
public final class ThousandIslandClient {

	private volatile ClientDefinition definition;

	private volatile @Nullable ClientConnection connection;

	private volatile @Nullable ClientPool pool;

	ThousandIslandClient(ClientDefinition definition) {
		this.definition = definition;
	}

	/**
	 * Returns the client's name.
	 * @return the name, its key under {@code thousandisland.clients}
	 */
	public String name() {
		return this.definition.name();
	}

	/**
	 * Returns what was configured.
	 * @return the definition
	 */
	public ClientDefinition definition() {
		return this.definition;
	}

	/**
	 * Sends a request and waits for its reply, at most {@code request-timeout}.
	 * @param payload the request's bytes
	 * @return the reply's payload
	 * @throws RequestFailedException if there is no reply, and why
	 * @throws InterruptedException if interrupted while waiting
	 */
	public ByteBuffer request(ByteBuffer payload) throws RequestFailedException, InterruptedException {
		return request(payload, this.definition.config().requestTimeout());
	}

	/**
	 * Sends a request and waits for its reply, through the pool's least busy member for a pool.
	 * @param payload the request's bytes
	 * @param timeout the longest wait, queueing included
	 * @return the reply's payload
	 * @throws RequestFailedException if there is no reply, and why
	 * @throws InterruptedException if interrupted while waiting
	 */
	public ByteBuffer request(ByteBuffer payload, Duration timeout) throws RequestFailedException, InterruptedException {
		ClientPool pool = this.pool;
		if (pool != null) {
			return pool.request(payload, timeout);
		}
		return started().request(payload, timeout);
	}

	/**
	 * Sends a request without waiting.
	 * @param payload the request's bytes
	 * @param timeout the longest wait, queueing included
	 * @return the reply's future, failing with a {@link RequestFailedException}
	 */
	public CompletableFuture<ByteBuffer> requestAsync(ByteBuffer payload, Duration timeout) {
		ClientPool pool = this.pool;
		if (pool != null) {
			return pool.requestAsync(payload, timeout);
		}
		try {
			return started().requestAsync(payload, timeout);
		}
		catch (NotConnectedException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * Returns the single connection of a client with {@code pool-size} 1, once started.
	 * @return the connection
	 * @throws IllegalStateException if the client is a pool or is not started
	 */
	public ClientConnection connection() {
		ClientConnection connection = this.connection;
		if (connection == null) {
			throw new IllegalStateException("Client '" + name() + "' "
					+ (this.definition.isPool() ? "is a pool: use pool()" : "is not started"));
		}
		return connection;
	}

	/**
	 * Returns the pool of a client with {@code pool-size} or {@code pool.max-size} over 1, once
	 * started.
	 * @return the pool, or empty for a single connection or before the start
	 */
	public Optional<ClientPool> pool() {
		return Optional.ofNullable(this.pool);
	}

	/**
	 * Returns its connections: the single one, or the pool's members open now; none before the
	 * start.
	 * @return the connections
	 */
	public List<ClientConnection> connections() {
		ClientPool pool = this.pool;
		if (pool != null) {
			return pool.members();
		}
		ClientConnection connection = this.connection;
		return (connection != null) ? List.of(connection) : List.of();
	}

	/**
	 * Replaces the definition of a client that follows a server of the application, once the
	 * server has published the address it listens on; before the client starts.
	 */
	synchronized void redefine(ClientDefinition definition) {
		if (this.connection == null && this.pool == null) {
			this.definition = definition;
		}
	}

	/** Starts connecting in the background. */
	synchronized void start() {
		if (this.connection != null || this.pool != null) {
			return;
		}
		if (this.definition.isPool()) {
			this.pool = ClientPool.start(this.definition.config(), this.definition.pool());
		}
		else {
			this.connection = ClientConnection.start(this.definition.config());
		}
	}

	/** Stops it, draining outstanding requests until the deadline; returns whether all finished. */
	synchronized boolean stop(Duration timeout) throws InterruptedException {
		ClientPool pool = this.pool;
		ClientConnection connection = this.connection;
		if (pool != null) {
			return pool.stop(timeout);
		}
		return (connection == null) || connection.stop(timeout);
	}

	private ClientConnection started() throws NotConnectedException {
		ClientConnection connection = this.connection;
		if (connection == null) {
			throw new NotConnectedException("Client '" + name() + "' is not started: the application context has "
					+ "not started it yet", null);
		}
		return connection;
	}

	@Override
	public String toString() {
		return "ThousandIslandClient[" + name() + " -> " + this.definition.address() + "]";
	}

}
