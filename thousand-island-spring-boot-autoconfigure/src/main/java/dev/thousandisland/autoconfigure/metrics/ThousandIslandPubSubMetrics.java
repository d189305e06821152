package dev.thousandisland.autoconfigure.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;

import dev.thousandisland.autoconfigure.pubsub.PubSubTelemetryListener;
import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.telemetry.TelemetryEvent;

/**
 * Turns the PubSub's telemetry into Micrometer meters: the telemetry listener the auto-configured
 * PubSub reports to, and the {@link MeterBinder} Spring Boot binds to its registries. The PubSub
 * is built before the registries are bound, and its adapter may report an unreachable Redis at
 * once: the first {@value #EARLY_EVENTS} events before binding are kept and counted at binding.
 * Events of a PubSub whose name was not known at binding (one the application built itself with
 * this listener) get their meters on their first event.
 *
 * <table>
 * <caption>Meters (tag: pubsub, the PubSub's name)</caption>
 * <tr><td>thousandisland.pubsub.published</td><td>counter, tag scope: cluster, local</td></tr>
 * <tr><td>thousandisland.pubsub.delivered</td><td>counter, tag origin: local, remote</td></tr>
 * <tr><td>thousandisland.pubsub.dropped</td><td>counter, tag reason: mailbox_full,
 * closed_slow_subscriber, decode_failed</td></tr>
 * <tr><td>thousandisland.pubsub.adapter.lost</td><td>counter, tag reason: queue_full, disconnected,
 * publish_failed, stopped, missed</td></tr>
 * <tr><td>thousandisland.pubsub.adapter.errors</td><td>counter</td></tr>
 * <tr><td>thousandisland.pubsub.adapter.connected</td><td>gauge, 1 or 0</td></tr>
 * </table>
 */
public class ThousandIslandPubSubMetrics implements PubSubTelemetryListener, MeterBinder {

	private final ObjectProvider<PubSub> pubsub;

	private final String name;

	private final Map<String, PubSubMeters> meters = new ConcurrentHashMap<>();

	private static final int EARLY_EVENTS = 1000;

	private volatile @Nullable MeterRegistry registry;

	/** Events before binding, replayed at binding; {@code null} once bound. */
	private @Nullable List<TelemetryEvent> early = new ArrayList<>();

	/**
	 * Creates the binder.
	 * @param pubsub the auto-configured PubSub, looked up when its gauge is read
	 * @param name its name ({@code thousandisland.pubsub.name}), whose meters are registered at
	 * binding
	 */
	public ThousandIslandPubSubMetrics(ObjectProvider<PubSub> pubsub, String name) {
		this.pubsub = pubsub;
		this.name = name;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.meters.computeIfAbsent(this.name, (key) -> new PubSubMeters(registry, key, this.pubsub::getIfUnique));
		List<TelemetryEvent> early;
		synchronized (this) {
			this.registry = registry;
			early = this.early;
			this.early = null;
		}
		if (early != null) {
			early.forEach(this::count);
		}
	}

	@Override
	public void onEvent(TelemetryEvent event) {
		if (this.registry == null) {
			synchronized (this) {
				if (this.registry == null) {
					if (this.early != null && this.early.size() < EARLY_EVENTS) {
						this.early.add(event);
					}
					return;
				}
			}
		}
		count(event);
	}

	private void count(TelemetryEvent event) {
		PubSubMeters meters = meters(String.valueOf(event.span().metadata().get("name")));
		if (meters == null) {
			return;
		}
		switch (event.name()) {
			case TelemetryEvent.PUBSUB_BROADCAST -> {
				boolean cluster = "cluster".equals(event.metadata().get("scope"));
				(cluster ? meters.publishedCluster : meters.publishedLocal).increment();
				meters.deliveredLocal.increment(event.measurement("delivered"));
			}
			case TelemetryEvent.PUBSUB_DELIVER -> meters.deliveredRemote.increment(event.measurement("delivered"));
			case TelemetryEvent.PUBSUB_DROP ->
				meters.dropped(String.valueOf(event.metadata().get("reason")), event.measurement("count"));
			case TelemetryEvent.PUBSUB_ADAPTER_DOWN -> meters.adapterErrors.increment();
			default -> {
			}
		}
	}

	private @Nullable PubSubMeters meters(String pubsubName) {
		PubSubMeters meters = this.meters.get(pubsubName);
		MeterRegistry registry = this.registry;
		if (meters == null && registry != null) {
			meters = this.meters.computeIfAbsent(pubsubName, (key) -> new PubSubMeters(registry, key, () -> null));
		}
		return meters;
	}

}
