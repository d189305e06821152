package dev.thousandisland.autoconfigure;

import org.springframework.context.SmartLifecycle;

/**
 * Starts the clients of the application's own servers once the servers have started and
 * published the addresses they bound, and stops them before the servers drain, so that a client
 * neither fails to connect at start-up nor holds a connection its server must wait for.
 */
final class ThousandIslandServerClientsLifecycle implements SmartLifecycle {

	/** After the servers on the way up, before their graceful drain on the way down. */
	static final int PHASE = ThousandIslandGracefulShutdown.PHASE + 1;

	private final ThousandIslandClients clients;

	private volatile boolean running;

	ThousandIslandServerClientsLifecycle(ThousandIslandClients clients) {
		this.clients = clients;
	}

	@Override
	public void start() {
		this.clients.startServerClients();
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.clients.stopServerClients();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
