package dev.thousandisland.autoconfigure.pubsub;

import org.springframework.context.SmartLifecycle;

import dev.thousandisland.pubsub.PubSub;

/**
 * Closes the PubSub (stops its adapter) when the application context closes: after the servers
 * have drained, since their handlers may broadcast until their last connection ends, and before
 * the Redis connection factory stops (phase 0), so that what the adapter still has queued can be
 * published.
 */
final class PubSubLifecycle implements SmartLifecycle {

	/**
	 * Below the phases of the servers' graceful drain and stop (those of Boot's web servers), so
	 * that it stops after them; above 0, so that it stops before Spring Data Redis's factory.
	 */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private final PubSub pubsub;

	private volatile boolean running;

	PubSubLifecycle(PubSub pubsub) {
		this.pubsub = pubsub;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.pubsub.close();
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
