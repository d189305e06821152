package dev.thousandisland.autoconfigure.observation;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import dev.thousandisland.Socket;
import dev.thousandisland.telemetry.Span;
import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.telemetry.TelemetryListener;

/**
 * Observes every connection as a Micrometer {@link Observation} named
 * {@code thousandisland.connection}, from accept to close, so that Micrometer Tracing makes one
 * span per connection. A handler nests its own work under it with
 * {@link #of(Socket)}: {@code Observation.createNotStarted("my.request", registry).parentObservation(ConnectionObservations.of(socket))}.
 */
public class ConnectionObservations implements TelemetryListener {

	private final ObservationRegistry registry;

	private final @Nullable ConnectionObservationConvention convention;

	/**
	 * Creates the listener.
	 * @param registry where observations go
	 * @param convention names and key values, or {@code null} for the registry's
	 * {@link io.micrometer.observation.GlobalObservationConvention global convention} if it has
	 * one for connections, else {@link DefaultConnectionObservationConvention}
	 */
	public ConnectionObservations(ObservationRegistry registry, @Nullable ConnectionObservationConvention convention) {
		this.registry = registry;
		this.convention = convention;
	}

	/**
	 * Returns the observation of a connection.
	 * @param socket the connection's socket
	 * @return its observation, or {@code null} when connections are not observed
	 */
	public static @Nullable Observation of(Socket socket) {
		return (Observation) socket.telemetrySpan().attribute(Observation.class);
	}

	@Override
	public void onEvent(TelemetryEvent event) {
		Span span = event.span();
		switch (event.name()) {
			case TelemetryEvent.CONNECTION_START -> {
				ConnectionObservationContext context = new ConnectionObservationContext(
						String.valueOf(span.metadata().get("server")), String.valueOf(span.metadata().get("transport")),
						remoteAddress(span));
				Observation observation = ConnectionObservationDocumentation.CONNECTION
					.observation(this.convention, DefaultConnectionObservationConvention.INSTANCE, () -> context,
							this.registry)
					.start();
				span.attribute(Observation.class, observation);
			}
			case TelemetryEvent.CONNECTION_STOP, TelemetryEvent.CONNECTION_EXCEPTION -> {
				if (span.attribute(Observation.class) instanceof Observation observation) {
					((ConnectionObservationContext) observation.getContext())
						.setReason(String.valueOf(event.metadata().get("reason")));
					if (event.metadata().get("exception") instanceof Throwable error) {
						observation.error(error);
					}
					observation.stop();
					span.attribute(Observation.class, null);
				}
			}
			default -> {
			}
		}
	}

	private static @Nullable SocketAddress remoteAddress(Span span) {
		Object address = span.metadata().get("remote_address");
		if (address instanceof InetAddress inet && span.metadata().get("remote_port") instanceof Integer port) {
			return new InetSocketAddress(inet, port);
		}
		return (address instanceof String path) ? UnixDomainSocketAddress.of(path) : null;
	}

}
