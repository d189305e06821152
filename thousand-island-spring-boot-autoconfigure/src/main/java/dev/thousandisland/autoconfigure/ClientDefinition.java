package dev.thousandisland.autoconfigure;

import java.util.List;
import java.util.stream.IntStream;

import dev.thousandisland.ServerInfo;
import dev.thousandisland.client.ClientConfig;

/**
 * One configured client: its name, its configuration and how many connections it keeps.
 *
 * @param name the client's name, its key under {@code thousandisland.clients}
 * @param config the configuration of its connection (of each member, for a pool)
 * @param poolSize 1 for a single connection, more for a pool
 */
public record ClientDefinition(String name, ClientConfig config, int poolSize) {

	/**
	 * Returns the names its connections report in telemetry: the client's own name for a single
	 * connection, {@code <name>-<index>} for the members of a pool.
	 * @return the names
	 */
	public List<String> connectionNames() {
		if (this.poolSize == 1) {
			return List.of(this.name);
		}
		return IntStream.range(0, this.poolSize).mapToObj((i) -> this.name + "-" + i).toList();
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
