package dev.thousandisland.autoconfigure.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;

import dev.thousandisland.autoconfigure.ServerDefinition;
import dev.thousandisland.autoconfigure.ThousandIslandServers;
import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.telemetry.TelemetryListener;

/**
 * Turns every server's telemetry into Micrometer meters. It is both the telemetry listener the
 * servers report to and the {@link MeterBinder} Spring Boot binds to its registries; events that
 * arrive before binding (there are none in a normal start, which binds first) are not counted.
 *
 * <table>
 * <caption>Meters (tags: server, transport)</caption>
 * <tr><td>thousandisland.connections.active</td><td>gauge</td></tr>
 * <tr><td>thousandisland.connections.max</td><td>gauge</td></tr>
 * <tr><td>thousandisland.connections.accepted</td><td>counter</td></tr>
 * <tr><td>thousandisland.connections.rejected</td><td>counter, tag reason: limit, handshake</td></tr>
 * <tr><td>thousandisland.connection.duration</td><td>timer</td></tr>
 * <tr><td>thousandisland.data.received, thousandisland.data.sent</td><td>counters, base unit bytes (named
 * thousandisland.bytes.received and .sent in the 0.1 snapshots)</td></tr>
 * <tr><td>thousandisland.tls.handshake</td><td>timer, tag outcome: success, failure</td></tr>
 * <tr><td>thousandisland.acceptor.errors</td><td>counter, tag reason: emfile, econnaborted, einval,
 * accept_error, spawn_error (a connection thread that could not start; a refusal at the connection
 * limit counts only as connections.rejected{reason=limit})</td></tr>
 * <tr><td>thousandisland.handler.errors</td><td>counter, tag exception (simple class name; a series
 * {@code none} at zero from the start)</td></tr>
 * <tr><td>thousandisland.read.timeouts</td><td>counter</td></tr>
 * </table>
 */
public class ThousandIslandMetrics implements TelemetryListener, MeterBinder {

	private final ObjectProvider<ThousandIslandServers> servers;

	private final Map<String, ServerMeters> meters = new ConcurrentHashMap<>();

	/**
	 * Creates the binder.
	 * @param servers the servers, looked up when the registry is bound
	 */
	public ThousandIslandMetrics(ObjectProvider<ThousandIslandServers> servers) {
		this.servers = servers;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		ThousandIslandServers servers = this.servers.getObject();
		for (ServerDefinition definition : servers.definitions()) {
			String name = definition.name();
			this.meters.putIfAbsent(name,
					new ServerMeters(registry, definition, () -> servers.get(name).orElse(null)));
		}
	}

	@Override
	public void onEvent(TelemetryEvent event) {
		ServerMeters meters = this.meters.get(String.valueOf(event.span().metadata().get("server")));
		if (meters == null) {
			return;
		}
		switch (event.name()) {
			case TelemetryEvent.CONNECTION_START -> meters.accepted.increment();
			case TelemetryEvent.CONNECTION_READY -> {
				if ("tls".equals(event.span().metadata().get("transport"))) {
					ServerMeters.record(meters.handshakeSuccess, event.measurement("handshake_duration"));
				}
			}
			case TelemetryEvent.CONNECTION_ASYNC_RECV, TelemetryEvent.CONNECTION_RECV ->
				meters.bytesReceived.increment(event.measurement("bytes"));
			case TelemetryEvent.CONNECTION_SEND, TelemetryEvent.CONNECTION_SEND_ERROR ->
				meters.bytesSent.increment(event.measurement("bytes"));
			case TelemetryEvent.CONNECTION_SENDFILE -> meters.bytesSent.increment(event.measurement("bytes_written"));
			case TelemetryEvent.CONNECTION_STOP, TelemetryEvent.CONNECTION_EXCEPTION -> connectionEnded(meters, event);
			case TelemetryEvent.ACCEPTOR_SPAWN_ERROR -> {
				// Core reports a refusal at the limit as a spawn error; it is a rejection, not a fault.
				if ("too_many_connections".equals(event.metadata().get("error"))) {
					meters.rejectedByLimit.increment();
				}
				else {
					meters.acceptorError("spawn_error");
				}
			}
			case TelemetryEvent.ACCEPTOR_EMFILE -> meters.acceptorError("emfile");
			case TelemetryEvent.ACCEPTOR_ECONNABORTED -> meters.acceptorError("econnaborted");
			case TelemetryEvent.ACCEPTOR_EINVAL -> meters.acceptorError("einval");
			case TelemetryEvent.ACCEPTOR_ACCEPT_ERROR -> meters.acceptorError("accept_error");
			default -> {
			}
		}
	}

	private void connectionEnded(ServerMeters meters, TelemetryEvent event) {
		long duration = event.measurement("duration");
		ServerMeters.record(meters.duration, duration);
		switch (String.valueOf(event.metadata().get("reason"))) {
			case "read_timeout" -> meters.readTimeouts.increment();
			case "handshake_failed" -> {
				meters.rejectedByHandshake.increment();
				ServerMeters.record(meters.handshakeFailure, duration);
			}
			case "error", "exception" -> {
				if (event.metadata().get("exception") instanceof Throwable error) {
					meters.handlerError(error);
				}
			}
			default -> {
			}
		}
	}

}
