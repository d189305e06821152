package dev.thousandisland;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConnection;

/**
 * The servers and clients one client test starts, stopped after it, clients first (so that no
 * client reconnects to a server that is going): register with
 * {@code @RegisterExtension final ClientTestPeers peers = new ClientTestPeers();}.
 */
final class ClientTestPeers implements AfterEachCallback {

	/** A backoff short enough that a test sees reconnects within its wait. */
	static final Backoff FAST = new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2.0, 0.2, 0);

	final List<Server> servers = new ArrayList<>();

	final List<ClientConnection> clients = new ArrayList<>();

	@Override
	public void afterEach(ExtensionContext context) throws InterruptedException {
		for (ClientConnection client : this.clients) {
			client.stop(Duration.ofSeconds(1));
		}
		this.servers.forEach((server) -> server.stop(Duration.ofSeconds(2)));
	}

}
