package dev.thousandisland.autoconfigure.metrics;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToIntFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import dev.thousandisland.autoconfigure.ThousandIslandClient;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientState;
import dev.thousandisland.client.ConnectionLostException;
import dev.thousandisland.client.NotConnectedException;
import dev.thousandisland.client.QueueFullException;
import dev.thousandisland.client.RequestTimeoutException;

/**
 * The meters of one client, created when the registry is bound. Gauges read the client's
 * connections when scraped; counters and the request timer are fed by its telemetry events. Every
 * meter carries the tag {@code client}; a pool's members are summed under the pool's name: the
 * gauges count the members open when scraped, so one that a growing pool closed for idleness
 * drops out, and a member's events reach the pool's meters whichever index it has.
 */
final class ClientMeters {

	final Counter connectFailures;

	final Counter reconnects;

	private final Map<String, Timer> requests;

	ClientMeters(MeterRegistry registry, ThousandIslandClient client) {
		Tags tags = Tags.of("client", client.name());
		for (ClientState state : ClientState.values()) {
			Gauge.builder("thousandisland.client.connections", client,
					(measured) -> count(measured, (connection) -> (connection.state() == state) ? 1 : 0))
				.tags(tags)
				.tag("state", state.name().toLowerCase())
				.description("Connections of the client in each state")
				.register(registry);
		}
		Gauge.builder("thousandisland.client.connections.max", client,
				(measured) -> measured.definition().pool().maxSize())
			.tags(tags)
			.description("Most connections the client may open: pool.max-size, or pool-size")
			.register(registry);
		Gauge.builder("thousandisland.client.requests.queued", client,
				(measured) -> count(measured, ClientConnection::queued))
			.tags(tags)
			.description("Requests waiting to be written")
			.register(registry);
		Gauge.builder("thousandisland.client.requests.outstanding", client,
				(measured) -> count(measured, ClientConnection::outstanding))
			.tags(tags)
			.description("Requests held: queued, or written and waiting for their reply")
			.register(registry);
		this.connectFailures = Counter.builder("thousandisland.client.connect.failures")
			.tags(tags)
			.description("Connect attempts that failed (refused, timed out, handshake failed)")
			.register(registry);
		this.reconnects = Counter.builder("thousandisland.client.reconnects")
			.tags(tags)
			.description("Successful connects after the first")
			.register(registry);
		Map<String, Timer> requests = new LinkedHashMap<>();
		for (String outcome : new String[] { "success", "timeout", "not_connected", "queue_full", "connection_lost" }) {
			requests.put(outcome, Timer.builder("thousandisland.client.request.duration")
				.tags(tags)
				.tag("outcome", outcome)
				.description("Requests, from the call to the reply or the failure")
				.register(registry));
		}
		this.requests = Map.copyOf(requests);
	}

	void request(String outcome, long nanos) {
		this.requests.get(outcome).record(Duration.ofNanos(nanos));
	}

	static String outcome(Object exception) {
		return switch (exception) {
			case RequestTimeoutException ex -> "timeout";
			case NotConnectedException ex -> "not_connected";
			case QueueFullException ex -> "queue_full";
			case ConnectionLostException ex -> "connection_lost";
			default -> "connection_lost";
		};
	}

	private static double count(ThousandIslandClient client, ToIntFunction<ClientConnection> measure) {
		return client.connections().stream().mapToInt(measure).sum();
	}

}
