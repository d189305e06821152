package dev.thousandisland.autoconfigure.metrics;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.jspecify.annotations.Nullable;

import dev.thousandisland.pubsub.PubSub;

/**
 * The meters of one PubSub, tagged {@code pubsub} (its name), created once when the registry is
 * bound so that telemetry events only increment them. A message that was not delivered is counted
 * once: in {@code dropped} when a subscriber of this instance could not take it (or it could not
 * be decoded), in {@code adapter.lost} when it did not make its way between instances.
 */
final class PubSubMeters {

	/** The drop reasons of this instance's subscribers and codec; every other reason is the adapter's. */
	static final Set<String> SUBSCRIBER_REASONS = Set.of("mailbox_full", "closed_slow_subscriber", "decode_failed");

	/** The adapter loss reasons registered at zero (those of the Redis adapter). */
	private static final List<String> ADAPTER_REASONS = List.of("queue_full", "disconnected", "publish_failed",
			"stopped", "missed");

	private final MeterRegistry registry;

	private final Tags tags;

	final Counter publishedCluster;

	final Counter publishedLocal;

	final Counter deliveredLocal;

	final Counter deliveredRemote;

	final Counter adapterErrors;

	private final Map<String, Counter> dropped = new ConcurrentHashMap<>();

	private final Map<String, Counter> lost = new ConcurrentHashMap<>();

	PubSubMeters(MeterRegistry registry, String name, Supplier<@Nullable PubSub> pubsub) {
		this.registry = registry;
		this.tags = Tags.of("pubsub", name);
		this.publishedCluster = published("cluster");
		this.publishedLocal = published("local");
		this.deliveredLocal = delivered("local");
		this.deliveredRemote = delivered("remote");
		this.adapterErrors = Counter.builder("thousandisland.pubsub.adapter.errors")
			.tags(this.tags)
			.description("Times the adapter lost its transport (Redis unreachable or refusing); counted once per outage")
			.register(registry);
		Gauge.builder("thousandisland.pubsub.adapter.connected", pubsub, (current) -> {
			PubSub running = current.get();
			return (running != null && running.adapter().isConnected()) ? 1 : 0;
		})
			.tags(this.tags)
			.description("1 while the adapter can carry broadcasts to other instances, else 0")
			.strongReference(true)
			.register(registry);
		SUBSCRIBER_REASONS.forEach(this::dropped);
		ADAPTER_REASONS.forEach(this::lost);
	}

	void dropped(String reason, long count) {
		if (SUBSCRIBER_REASONS.contains(reason)) {
			dropped(reason).increment(count);
		}
		else {
			lost(reason).increment(count);
		}
	}

	private Counter dropped(String reason) {
		return this.dropped.computeIfAbsent(reason, (key) -> Counter.builder("thousandisland.pubsub.dropped")
			.tags(this.tags)
			.tag("reason", key)
			.description("Messages a subscriber of this instance did not get: its mailbox was full, or it could not be decoded")
			.register(this.registry));
	}

	private Counter lost(String reason) {
		return this.lost.computeIfAbsent(reason, (key) -> Counter.builder("thousandisland.pubsub.adapter.lost")
			.tags(this.tags)
			.tag("reason", key)
			.description("Messages lost between instances: not sent (queue_full, disconnected, publish_failed, stopped) "
					+ "or, on the receiving instance, missed")
			.register(this.registry));
	}

	private Counter published(String scope) {
		return Counter.builder("thousandisland.pubsub.published")
			.tags(this.tags)
			.tag("scope", scope)
			.description("Broadcasts made on this instance (scope cluster: to every instance; local: this one only)")
			.register(this.registry);
	}

	private Counter delivered(String origin) {
		return Counter.builder("thousandisland.pubsub.delivered")
			.tags(this.tags)
			.tag("origin", origin)
			.description("Messages put in the mailboxes of this instance's subscribers, by where they were broadcast")
			.register(this.registry);
	}

}
