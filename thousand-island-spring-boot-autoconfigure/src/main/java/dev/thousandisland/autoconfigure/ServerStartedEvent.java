package dev.thousandisland.autoconfigure;

import java.net.SocketAddress;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEvent;

import dev.thousandisland.Server;

/**
 * Published when a Thousand Island server has bound its address and accepts connections. Its
 * address is the bound one: with port 0, the port the system picked.
 */
public class ServerStartedEvent extends ApplicationEvent {

	private static final long serialVersionUID = 1L;

	private final transient ServerDefinition definition;

	private final transient @Nullable SocketAddress address;

	/**
	 * Creates the event.
	 * @param server the running server (the event's source)
	 * @param definition what it was configured as
	 * @param address the address it listens on
	 */
	public ServerStartedEvent(Server server, ServerDefinition definition, @Nullable SocketAddress address) {
		super(server);
		this.definition = definition;
		this.address = address;
	}

	/**
	 * Returns the running server.
	 * @return the server
	 */
	public Server getServer() {
		return (Server) getSource();
	}

	/**
	 * Returns the server's name.
	 * @return the name
	 */
	public String getServerName() {
		return this.definition.name();
	}

	/**
	 * Returns the address the server listens on.
	 * @return an {@link java.net.InetSocketAddress} or a {@link java.net.UnixDomainSocketAddress}
	 */
	public @Nullable SocketAddress getAddress() {
		return this.address;
	}

	/**
	 * Returns the transport's name, as {@link ServerDefinition#transport()} gives it.
	 * @return {@code tcp}, {@code tls} or {@code unix}
	 */
	public String getTransport() {
		return this.definition.transport();
	}

}
