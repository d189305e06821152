package dev.thousandisland.autoconfigure.endpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import dev.thousandisland.Connection;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.ServerInfo;
import dev.thousandisland.SocketStats;
import dev.thousandisland.autoconfigure.ServerDefinition;
import dev.thousandisland.autoconfigure.ThousandIslandClients;
import dev.thousandisland.autoconfigure.ThousandIslandServers;

/**
 * The {@code thousandisland} actuator endpoint. Reading lists the servers and, per server, its
 * live connections; writing suspends or resumes a server and deleting closes one connection. Its
 * default access is read-only: grant more with
 * {@code management.endpoint.thousandisland.access=unrestricted}.
 *
 * <ul>
 * <li>{@code GET /actuator/thousandisland}: every server and every client</li>
 * <li>{@code GET /actuator/thousandisland/{server}}: one server and its connections</li>
 * <li>{@code POST /actuator/thousandisland/{server}} with {@code {"action":"suspend"}} or
 * {@code "resume"}</li>
 * <li>{@code DELETE /actuator/thousandisland/{server}/{connectionId}}: close a connection</li>
 * </ul>
 */
@Endpoint(id = "thousandisland", defaultAccess = Access.READ_ONLY)
public class ThousandIslandEndpoint {

	private final ThousandIslandServers servers;

	private final @Nullable ThousandIslandClients clients;

	/**
	 * Creates the endpoint for servers only.
	 * @param servers the servers it reports on
	 */
	public ThousandIslandEndpoint(ThousandIslandServers servers) {
		this(servers, null);
	}

	/**
	 * Creates the endpoint.
	 * @param servers the servers it reports on
	 * @param clients the clients it lists, or {@code null}
	 */
	public ThousandIslandEndpoint(ThousandIslandServers servers, @Nullable ThousandIslandClients clients) {
		this.servers = servers;
		this.clients = clients;
	}

	/**
	 * Describes every server and every client.
	 * @return the servers and the clients by name
	 */
	@ReadOperation
	public ServersDescriptor servers() {
		Map<String, ServerDescriptor> servers = new LinkedHashMap<>();
		for (ServerDefinition definition : this.servers.definitions()) {
			servers.put(definition.name(), describe(definition, null));
		}
		Map<String, ClientDescriptor> clients = new LinkedHashMap<>();
		if (this.clients != null) {
			this.clients.all().forEach((client) -> clients.put(client.name(), ClientDescriptor.of(client)));
		}
		return new ServersDescriptor(servers, clients);
	}

	/**
	 * Describes one server and its live connections.
	 * @param server the server's name
	 * @return the server, or {@code null} (404) if there is none by that name
	 */
	@ReadOperation
	public @Nullable ServerDescriptor server(@Selector String server) {
		ServerDefinition definition = definition(server);
		if (definition == null) {
			return null;
		}
		Server running = this.servers.get(server).orElse(null);
		List<ConnectionDescriptor> connections = (running != null) ? running.connections()
			.stream()
			.sorted(Comparator.comparingLong(Connection::id))
			.map(ThousandIslandEndpoint::describe)
			.toList() : List.of();
		return describe(definition, connections);
	}

	/**
	 * Suspends or resumes a server.
	 * @param server the server's name
	 * @param action {@code suspend} or {@code resume}
	 * @return the server afterwards; 404 if there is none running by that name, 400 for an
	 * unknown action
	 */
	@WriteOperation
	public WebEndpointResponse<ServerDescriptor> changeServer(@Selector String server, String action) {
		Server running = this.servers.get(server).orElse(null);
		if (running == null) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		switch (action) {
			case "suspend" -> running.suspend();
			case "resume" -> {
				try {
					running.resume();
				}
				catch (IOException ex) {
					throw new UncheckedIOException("Server '" + server + "' could not listen again", ex);
				}
			}
			default -> {
				return new WebEndpointResponse<>(WebEndpointResponse.STATUS_BAD_REQUEST);
			}
		}
		return new WebEndpointResponse<>(describe(definition(server), null));
	}

	/**
	 * Closes one connection; its handler's handleClose runs.
	 * @param server the server's name
	 * @param connectionId the connection's id
	 * @return what was closed, or 404 if there is no such connection
	 */
	@DeleteOperation
	public WebEndpointResponse<ConnectionDescriptor> closeConnection(@Selector String server,
			@Selector long connectionId) {
		Server running = this.servers.get(server).orElse(null);
		if (running != null) {
			for (Connection connection : running.connections()) {
				if (connection.id() == connectionId) {
					connection.close();
					return new WebEndpointResponse<>(describe(connection));
				}
			}
		}
		return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
	}

	private @Nullable ServerDefinition definition(String name) {
		return this.servers.definitions().stream().filter((d) -> d.name().equals(name)).findFirst().orElse(null);
	}

	private ServerDescriptor describe(ServerDefinition definition, @Nullable List<ConnectionDescriptor> connections) {
		ServerConfig config = definition.config();
		Server running = this.servers.get(definition.name()).orElse(null);
		ServerInfo info = (running != null) ? running.info() : null;
		return new ServerDescriptor((info != null) ? info.status().name().toLowerCase() : "not_running",
				(running != null) ? ServerInfo.format(running.boundAddress()) : null, definition.transport(),
				definition.handlerBeanName(), (info != null) ? info.activeConnections() : 0, config.numAcceptors(),
				config.numConnections(), definition.maxConnections(),
				(running != null) ? Duration.between(running.startedAt(), Instant.now()).toSeconds() : null,
				connections);
	}

	private static ConnectionDescriptor describe(Connection connection) {
		SocketStats stats = connection.stats();
		return new ConnectionDescriptor(connection.id(), text(connection.remoteAddress()),
				Duration.between(connection.acceptedAt(), Instant.now()).toMillis(), stats.recvOct(), stats.sendOct(),
				connection.state().name().toLowerCase());
	}

	private static @Nullable String text(@Nullable SocketAddress address) {
		return (address != null) ? ServerInfo.format(address) : null;
	}

	/**
	 * Every server and every client.
	 * @param servers the servers by name
	 * @param clients the clients of {@code thousandisland.clients} by name
	 */
	public record ServersDescriptor(Map<String, ServerDescriptor> servers, Map<String, ClientDescriptor> clients) {
	}

	/**
	 * One server. Its {@code connections} are listed only when that one server is asked for, and
	 * left out of the listing of every server, which stays small however many clients are
	 * connected; {@code activeConnections} counts them in both.
	 * @param status running, suspended, stopping, stopped or not_running
	 * @param address where it listens; while suspended, where it listened and will listen again
	 * on resume ({@code null} only when not running)
	 * @param transport tcp, tls or unix
	 * @param handler the Handler bean it runs
	 * @param activeConnections connections alive now
	 * @param acceptors number of acceptors
	 * @param connectionsPerAcceptor the per-acceptor limit
	 * @param maxConnections how many connections the server admits at once: the server-wide
	 * limit, or {@code acceptors × connectionsPerAcceptor} when that is lower or no limit is set
	 * @param uptimeSeconds whole seconds since it started, suspended time included ({@code null}
	 * only when not running)
	 * @param connections its live connections when one server is asked for; {@code null}, and
	 * left out of the JSON, in the listing of every server
	 */
	public record ServerDescriptor(String status, @Nullable String address, String transport, String handler,
			int activeConnections, int acceptors, int connectionsPerAcceptor, int maxConnections,
			@Nullable Long uptimeSeconds,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable List<ConnectionDescriptor> connections) {
	}

	/**
	 * One connection.
	 * @param id its id within the server
	 * @param remoteAddress the client's address (from the PROXY protocol header, when the server
	 * reads one)
	 * @param ageMillis milliseconds since it was accepted
	 * @param bytesIn bytes received
	 * @param bytesOut bytes sent
	 * @param state handshaking, open, draining or closed
	 */
	public record ConnectionDescriptor(long id, @Nullable String remoteAddress, long ageMillis, long bytesIn, long bytesOut,
			String state) {
	}

}
