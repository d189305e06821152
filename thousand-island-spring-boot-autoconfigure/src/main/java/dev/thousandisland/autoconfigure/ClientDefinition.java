package dev.thousandisland.autoconfigure;

import java.util.List;
import java.util.stream.IntStream;

import dev.thousandisland.ServerInfo;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.PoolSize;

/**
 * One configured client: its name, its configuration and how many connections it keeps.
 *
 * @param name the client's name, its key under {@code thousandisland.clients}
 * @param config the configuration of its connection (of each member, for a pool)
 * @param pool how many connections: {@code PoolSize.fixed(1)} for a single connection, more or a
 * growing size for a pool
 */
public record ClientDefinition(String name, ClientConfig config, PoolSize pool) {

	/**
	 * Defines a client with a fixed number of connections.
	 * @param name the client's name
	 * @param config the configuration of its connection
	 * @param poolSize 1 for a single connection, more for a pool
	 */
	public ClientDefinition(String name, ClientConfig config, int poolSize) {
		this(name, config, PoolSize.fixed(poolSize));
	}

	/**
	 * Returns how many connections it starts with: {@code pool-size}, the fixed size or a growing
	 * pool's minimum.
	 * @return the number
	 */
	public int poolSize() {
		return this.pool.minSize();
	}

	/**
	 * Returns whether it is a {@link dev.thousandisland.client.ClientPool}: more than one
	 * connection, or a pool that may grow to more.
	 * @return whether it is a pool
	 */
	public boolean isPool() {
		return this.pool.maxSize() > 1;
	}

	/**
	 * Returns the names its connections report in telemetry: the client's own name for a single
	 * connection, {@code <name>-<index>} for the members of a pool, for every index a growing pool
	 * may use (below its maximum).
	 * @return the names
	 */
	public List<String> connectionNames() {
		if (!isPool()) {
			return List.of(this.name);
		}
		return IntStream.range(0, this.pool.maxSize()).mapToObj((i) -> this.name + "-" + i).toList();
	}

	/**
	 * Returns where it connects, as text and with no name lookup: the host as configured and the
	 * port ({@code 127.0.0.1:5040}, {@code db.internal:5040}, {@code [::1]:5040}), or
	 * {@code unix:<path>}.
	 * @return the address
	 */
	public String address() {
		return ServerInfo.format(this.config.address());
	}

}
