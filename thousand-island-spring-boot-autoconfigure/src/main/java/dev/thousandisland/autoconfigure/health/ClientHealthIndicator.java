package dev.thousandisland.autoconfigure.health;

import java.util.List;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import dev.thousandisland.autoconfigure.ThousandIslandClient;
import dev.thousandisland.client.ClientConnection;

/**
 * The health of one client: UP while it has a connection to its server (for a pool, at least one
 * member), DOWN otherwise: before the first connect, while it reconnects or backs off, after it
 * gave up, and once stopped. DOWN while reconnecting, not UNKNOWN, because requests made then can
 * only queue and time out: whoever routes work to this application should know. The details
 * (state, address, outstanding and queued requests) tell a reconnect from an outage. It reads
 * counters only, so it is cheap to poll.
 */
final class ClientHealthIndicator implements HealthIndicator {

	private final ThousandIslandClient client;

	ClientHealthIndicator(ThousandIslandClient client) {
		this.client = client;
	}

	@Override
	public Health health() {
		List<ClientConnection> connections = this.client.connections();
		long connected = connections.stream().filter(ClientConnection::isConnected).count();
		Health.Builder health = (connected > 0) ? Health.up() : Health.down();
		health.withDetail("address", this.client.definition().address());
		if (connections.isEmpty()) {
			return health.withDetail("state", "not started").build();
		}
		if (!this.client.definition().isPool()) {
			health.withDetail("state", connections.get(0).state().name().toLowerCase());
		}
		else {
			health.withDetail("connected", connected).withDetail("poolSize", connections.size());
		}
		return health
			.withDetail("outstanding", connections.stream().mapToInt(ClientConnection::outstanding).sum())
			.withDetail("queued", connections.stream().mapToInt(ClientConnection::queued).sum())
			.build();
	}

}
