package dev.thousandisland.autoconfigure.health;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.ServerInfo;
import dev.thousandisland.autoconfigure.ServerDefinition;
import dev.thousandisland.autoconfigure.ThousandIslandServers;

/**
 * The health of one server: UP while it listens, OUT_OF_SERVICE while suspended or draining, DOWN
 * when it is not running. Cheap enough to be polled: it reads a status and two counters.
 */
final class ServerHealthIndicator implements HealthIndicator {

	private final ThousandIslandServers servers;

	private final ServerDefinition definition;

	/**
	 * Creates the indicator.
	 * @param servers where to find the running server
	 * @param definition the server
	 */
	ServerHealthIndicator(ThousandIslandServers servers, ServerDefinition definition) {
		this.servers = servers;
		this.definition = definition;
	}

	@Override
	public Health health() {
		ServerConfig config = this.definition.config();
		Server server = this.servers.get(this.definition.name()).orElse(null);
		if (server == null) {
			return Health.down().withDetail("status", "not running").build();
		}
		ServerInfo info = server.info();
		Status status = switch (info.status()) {
			case RUNNING -> Status.UP;
			case SUSPENDED, STOPPING -> Status.OUT_OF_SERVICE;
			case STOPPED -> Status.DOWN;
		};
		Health.Builder health = Health.status(status)
			.withDetail("status", info.status().name().toLowerCase())
			.withDetail("transport", this.definition.transport())
			.withDetail("activeConnections", info.activeConnections())
			.withDetail("maxConnections", this.definition.maxConnections())
			.withDetail("acceptors", config.numAcceptors());
		// While suspended: where it listened, and will again on resume.
		return health.withDetail("address", ServerInfo.format(server.boundAddress())).build();
	}

}
