package dev.thousandisland.autoconfigure.observation;

import java.net.SocketAddress;

import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * What a connection observation knows about its connection.
 */
public class ConnectionObservationContext extends Observation.Context {

	private final String server;

	private final String transport;

	private final @Nullable SocketAddress remoteAddress;

	private volatile String reason = "unknown";

	/**
	 * Creates the context.
	 * @param server the server's name
	 * @param transport the transport's name
	 * @param remoteAddress the client's address
	 */
	public ConnectionObservationContext(String server, String transport, @Nullable SocketAddress remoteAddress) {
		this.server = server;
		this.transport = transport;
		this.remoteAddress = remoteAddress;
	}

	/**
	 * Returns the server's name.
	 * @return the name
	 */
	public String getServer() {
		return this.server;
	}

	/**
	 * Returns the transport's name.
	 * @return {@code tcp}, {@code tls} or {@code unix}
	 */
	public String getTransport() {
		return this.transport;
	}

	/**
	 * Returns the client's address.
	 * @return the address, possibly {@code null}
	 */
	public @Nullable SocketAddress getRemoteAddress() {
		return this.remoteAddress;
	}

	/**
	 * Returns how the connection ended (the stop event's {@code reason}).
	 * @return the reason, {@code unknown} while the connection is open
	 */
	public String getReason() {
		return this.reason;
	}

	void setReason(String reason) {
		this.reason = reason;
	}

}
