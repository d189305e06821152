package dev.thousandisland.autoconfigure.endpoint;

import java.net.UnixDomainSocketAddress;
import java.util.List;

import dev.thousandisland.autoconfigure.ThousandIslandClient;
import dev.thousandisland.client.ClientConnection;

/**
 * One client in the {@code thousandisland} endpoint's listing.
 *
 * @param state its connection's state ({@code connected}, {@code backing_off}, ...; see
 * {@link dev.thousandisland.client.ClientState}), {@code not_started} before the context starts,
 * or for a pool {@code pool}, with the members' states in {@code members}
 * @param address where it connects
 * @param transport {@code tcp}, {@code tls} or {@code unix}
 * @param poolSize its number of connections now ({@code pool-size} before the start): a growing
 * pool's current size
 * @param maxPoolSize the most connections it may open ({@code pool.max-size}, or {@code pool-size})
 * @param connected how many of them are connected now
 * @param outstanding requests held: queued, or written and waiting for their reply
 * @param queued requests waiting to be written
 * @param members the state of each pool member open now, in order (empty for a single connection)
 */
public record ClientDescriptor(String state, String address, String transport, int poolSize, int maxPoolSize,
		int connected, int outstanding, int queued, List<String> members) {

	static ClientDescriptor of(ThousandIslandClient client) {
		List<ClientConnection> connections = client.connections();
		List<String> states = connections.stream().map((connection) -> connection.state().name().toLowerCase()).toList();
		boolean pool = client.definition().isPool();
		String state = (client.pool().isEmpty() && connections.isEmpty()) ? "not_started"
				: pool ? "pool" : states.get(0);
		return new ClientDescriptor(state, client.definition().address(), transport(client),
				connections.isEmpty() ? client.definition().poolSize() : connections.size(),
				client.definition().pool().maxSize(),
				(int) connections.stream().filter(ClientConnection::isConnected).count(),
				connections.stream().mapToInt(ClientConnection::outstanding).sum(),
				connections.stream().mapToInt(ClientConnection::queued).sum(),
				pool ? states : List.of());
	}

	private static String transport(ThousandIslandClient client) {
		if (client.definition().config().transport().isSecure()) {
			return client.definition().config().transport().name();
		}
		return (client.definition().config().address() instanceof UnixDomainSocketAddress) ? "unix"
				: client.definition().config().transport().name();
	}

}
