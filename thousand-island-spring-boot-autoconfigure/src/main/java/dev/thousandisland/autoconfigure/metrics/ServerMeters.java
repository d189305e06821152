package dev.thousandisland.autoconfigure.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import org.jspecify.annotations.Nullable;

import dev.thousandisland.Server;
import dev.thousandisland.autoconfigure.ServerDefinition;

/**
 * The meters of one server, created once when the registry is bound so that telemetry events
 * only increment them. Every meter carries the tags {@code server} and {@code transport}, and
 * nothing about peers. Connection counts carry no base unit, so that Prometheus exports
 * {@code thousandisland_connections_active} rather than {@code ..._active_connections}.
 */
final class ServerMeters {

	private static final List<String> ACCEPTOR_ERROR_REASONS = List.of("emfile", "econnaborted", "einval",
			"accept_error", "spawn_error");

	/** The {@code exception} tag of the handler errors series registered at zero. */
	static final String NO_EXCEPTION = "none";

	private final MeterRegistry registry;

	private final Tags tags;

	final Counter accepted;

	final Counter rejectedByLimit;

	final Counter rejectedByHandshake;

	final Timer duration;

	final Counter bytesReceived;

	final Counter bytesSent;

	final Timer handshakeSuccess;

	final Timer handshakeFailure;

	final Counter readTimeouts;

	private final Map<String, Counter> acceptorErrors = new ConcurrentHashMap<>();

	private final Map<String, Counter> handlerErrors = new ConcurrentHashMap<>();

	ServerMeters(MeterRegistry registry, ServerDefinition definition, Supplier<@Nullable Server> server) {
		String name = definition.name();
		this.registry = registry;
		this.tags = Tags.of("server", name, "transport", definition.transport());
		Gauge.builder("thousandisland.connections.active", server, (running) -> {
			Server current = running.get();
			return (current != null) ? current.activeConnections() : 0;
		})
			.tags(this.tags)
			.description("Connections alive now")
			.strongReference(true)
			.register(registry);
		Gauge.builder("thousandisland.connections.max", definition, ServerDefinition::maxConnections)
			.tags(this.tags)
			.description("Connections the server admits at once (max-connections, or acceptors × max-connections-per-acceptor when lower)")
			.register(registry);
		this.accepted = Counter.builder("thousandisland.connections.accepted")
			.tags(this.tags)
			.description("Connections accepted")
			.register(registry);
		this.rejectedByLimit = rejected("limit");
		this.rejectedByHandshake = rejected("handshake");
		this.duration = Timer.builder("thousandisland.connection.duration")
			.tags(this.tags)
			.description("Lifetime of connections, from accept to close")
			.register(registry);
		this.bytesReceived = Counter.builder("thousandisland.data.received")
			.tags(this.tags)
			.baseUnit(BaseUnits.BYTES)
			.description("Bytes received from clients")
			.register(registry);
		this.bytesSent = Counter.builder("thousandisland.data.sent")
			.tags(this.tags)
			.baseUnit(BaseUnits.BYTES)
			.description("Bytes sent to clients")
			.register(registry);
		this.handshakeSuccess = handshake("success");
		this.handshakeFailure = handshake("failure");
		this.readTimeouts = Counter.builder("thousandisland.read.timeouts")
			.tags(this.tags)
			.description("Connections closed because no data arrived within the read timeout")
			.register(registry);
		// Registered at zero so that rates and alerts see the series before the first failure.
		ACCEPTOR_ERROR_REASONS.forEach((reason) -> this.acceptorErrors.put(reason, acceptorErrorCounter(reason)));
		// The exception classes are open-ended, so the series at zero is Boot's "none" (as in
		// http.server.requests): it never counts, but rate() and absent() work from the start.
		this.handlerErrors.put(NO_EXCEPTION, handlerErrorCounter(NO_EXCEPTION));
	}

	void acceptorError(String reason) {
		this.acceptorErrors.computeIfAbsent(reason, this::acceptorErrorCounter).increment();
	}

	private Counter acceptorErrorCounter(String reason) {
		return Counter.builder("thousandisland.acceptor.errors")
			.tags(this.tags)
			.tag("reason", reason)
			.description("Accept failures and connections whose thread could not be started")
			.register(this.registry);
	}

	void handlerError(Throwable error) {
		this.handlerErrors.computeIfAbsent(error.getClass().getSimpleName(), this::handlerErrorCounter).increment();
	}

	private Counter handlerErrorCounter(String exception) {
		return Counter.builder("thousandisland.handler.errors")
			.tags(this.tags)
			.tag("exception", exception)
			.description("Connections ended by a handler exception or error result")
			.register(this.registry);
	}

	private Counter rejected(String reason) {
		return Counter.builder("thousandisland.connections.rejected")
			.tags(this.tags)
			.tag("reason", reason)
			.description("Connections closed before the handler saw them")
			.register(this.registry);
	}

	private Timer handshake(String outcome) {
		return Timer.builder("thousandisland.tls.handshake")
			.tags(this.tags)
			.tag("outcome", outcome)
			.description("TLS handshakes")
			.register(this.registry);
	}

	static void record(Timer timer, long nanos) {
		timer.record(Duration.ofNanos(nanos));
	}

}
