package dev.thousandisland.autoconfigure.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;

import dev.thousandisland.autoconfigure.ClientTelemetryListener;
import dev.thousandisland.autoconfigure.ThousandIslandClient;
import dev.thousandisland.autoconfigure.ThousandIslandClients;
import dev.thousandisland.telemetry.TelemetryEvent;

/**
 * Turns every configured client's state and telemetry into Micrometer meters: the listener the
 * clients report to and the {@link MeterBinder} Spring Boot binds to its registries.
 *
 * <table>
 * <caption>Meters (tag: client)</caption>
 * <tr><td>thousandisland.client.connections</td><td>gauge, tag state: new, connecting, connected,
 * backing_off, failed, stopping, stopped (a pool's members open now counted in each)</td></tr>
 * <tr><td>thousandisland.client.connections.max</td><td>gauge: the most connections the client may
 * open (pool.max-size, else pool-size)</td></tr>
 * <tr><td>thousandisland.client.connect.failures</td><td>counter</td></tr>
 * <tr><td>thousandisland.client.reconnects</td><td>counter</td></tr>
 * <tr><td>thousandisland.client.requests.queued</td><td>gauge</td></tr>
 * <tr><td>thousandisland.client.requests.outstanding</td><td>gauge</td></tr>
 * <tr><td>thousandisland.client.request.duration</td><td>timer, tag outcome: success, timeout,
 * not_connected, queue_full, connection_lost</td></tr>
 * </table>
 */
public class ThousandIslandClientMetrics implements ClientTelemetryListener, MeterBinder {

	private final ObjectProvider<ThousandIslandClients> clients;

	/** Meters by the name a connection reports in telemetry (a pool member's is name-index). */
	private final Map<String, ClientMeters> meters = new ConcurrentHashMap<>();

	/**
	 * Creates the binder.
	 * @param clients the clients, looked up when the registry is bound
	 */
	public ThousandIslandClientMetrics(ObjectProvider<ThousandIslandClients> clients) {
		this.clients = clients;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		ThousandIslandClients clients = this.clients.getIfAvailable();
		if (clients == null) {
			return;
		}
		for (ThousandIslandClient client : clients.all()) {
			ClientMeters meters = new ClientMeters(registry, client);
			client.definition().connectionNames().forEach((name) -> this.meters.putIfAbsent(name, meters));
		}
	}

	@Override
	public void onEvent(TelemetryEvent event) {
		ClientMeters meters = this.meters.get(String.valueOf(event.span().metadata().get("name")));
		if (meters == null) {
			return;
		}
		switch (event.name()) {
			case TelemetryEvent.CLIENT_CONNECT_FAILED -> meters.connectFailures.increment();
			case TelemetryEvent.CLIENT_CONNECT -> {
				if ("reconnect".equals(event.metadata().get("kind"))) {
					meters.reconnects.increment();
				}
			}
			case TelemetryEvent.CLIENT_REQUEST_STOP -> meters.request("success", event.measurement("duration"));
			case TelemetryEvent.CLIENT_REQUEST_EXCEPTION -> meters
				.request(ClientMeters.outcome(event.metadata().get("exception")), event.measurement("duration"));
			default -> {
			}
		}
	}

}
