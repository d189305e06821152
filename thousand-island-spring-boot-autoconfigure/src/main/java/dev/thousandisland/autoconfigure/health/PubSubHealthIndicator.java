package dev.thousandisland.autoconfigure.health;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import dev.thousandisland.autoconfigure.pubsub.PubSubAdapterDetails;
import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.pubsub.PubSubAdapter;

/**
 * The health of the PubSub's adapter: UP while it can carry broadcasts to other instances (always
 * for the local adapter), DOWN while it cannot. Local delivery works either way, which is why it is
 * not meant for liveness: restarting an instance does not bring Redis back. Cheap enough to be
 * polled: it reads a flag the adapter keeps up to date.
 */
final class PubSubHealthIndicator implements HealthIndicator {

	private final PubSub pubsub;

	PubSubHealthIndicator(PubSub pubsub) {
		this.pubsub = pubsub;
	}

	@Override
	public Health health() {
		PubSubAdapter adapter = this.pubsub.adapter();
		boolean connected = adapter.isConnected();
		Health.Builder health = (connected ? Health.up() : Health.down()).withDetail("adapter", adapter.kind())
			.withDetail("node", this.pubsub.nodeName())
			.withDetail("connected", connected)
			.withDetail("topics", this.pubsub.topics().size());
		if (adapter instanceof PubSubAdapterDetails details) {
			health.withDetails(details.healthDetails());
		}
		return health.build();
	}

}
