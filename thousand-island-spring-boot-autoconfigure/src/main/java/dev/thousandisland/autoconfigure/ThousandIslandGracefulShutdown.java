package dev.thousandisland.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import org.apache.commons.logging.Log;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

import dev.thousandisland.autoconfigure.ThousandIslandProperties.Shutdown;

/**
 * Drains the servers when the application context closes, in the phase Spring Boot uses for its
 * web servers' graceful shutdown. {@link #stop(Runnable)} returns at once, after the listen
 * sockets are closed and every connection has been told to finish; the callback runs when the
 * last connection is gone. Each server's drain lasts its {@code shutdown-timeout}, which is
 * {@code spring.lifecycle.timeout-per-shutdown-phase} unless set shorter; Spring bounds the phase
 * with the same timeout, and {@link ThousandIslandLifecycle}, in the next phase, closes whatever
 * is still open.
 */
final class ThousandIslandGracefulShutdown implements SmartLifecycle {

	/** The phase of Boot's {@code WebServerGracefulShutdownLifecycle}. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

	private static final Log logger = ThousandIslandServers.logger();

	private final ThousandIslandServers servers;

	private final Shutdown shutdown;

	private final ApplicationEventPublisher publisher;

	private final Duration phaseTimeout;

	private volatile boolean running;

	/**
	 * Creates the lifecycle.
	 * @param servers the servers to drain
	 * @param shutdown graceful or immediate
	 * @param publisher where the readiness change goes
	 * @param phaseTimeout the context's {@code spring.lifecycle.timeout-per-shutdown-phase}, for logs
	 */
	ThousandIslandGracefulShutdown(ThousandIslandServers servers, Shutdown shutdown,
			ApplicationEventPublisher publisher, Duration phaseTimeout) {
		this.servers = servers;
		this.shutdown = shutdown;
		this.publisher = publisher;
		this.phaseTimeout = phaseTimeout;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		throw new UnsupportedOperationException("Stop must not be invoked directly");
	}

	@Override
	public void stop(Runnable callback) {
		this.running = false;
		if (this.shutdown == Shutdown.IMMEDIATE || !this.servers.isRunning()) {
			callback.run();
			return;
		}
		// Web contexts flip readiness themselves; a context that only runs socket servers does not.
		AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.REFUSING_TRAFFIC);
		long start = System.nanoTime();
		int open = this.servers.activeConnections();
		Duration longest = this.servers.running()
			.values()
			.stream()
			.map((server) -> server.config().shutdownTimeout())
			.max(Duration::compareTo)
			.orElse(Duration.ZERO);
		logger.info("Commencing graceful shutdown of Thousand Island servers " + this.servers.running().keySet()
				+ " with " + open + " connection(s) open; waiting up to " + longest
				+ " (each server's shutdown-timeout, at most spring.lifecycle.timeout-per-shutdown-phase, "
				+ this.phaseTimeout + ")");
		this.servers.stopAsync(true).whenComplete((result, ex) -> {
			logDrained(Duration.ofNanos(System.nanoTime() - start).toMillis());
			callback.run();
		});
	}

	/** Complete only when no connection was cut; otherwise a warning naming the servers that cut some. */
	private void logDrained(long millis) {
		Map<String, Integer> cut = new TreeMap<>();
		this.servers.running().forEach((name, server) -> {
			if (server.forcedCloses() > 0) {
				cut.put(name, server.forcedCloses());
			}
		});
		if (cut.isEmpty()) {
			logger.info("Graceful shutdown of Thousand Island servers complete in " + millis + " ms");
			return;
		}
		int total = cut.values().stream().mapToInt(Integer::intValue).sum();
		logger.warn("Graceful shutdown of Thousand Island servers ended after " + millis + " ms: " + total
				+ " connection(s) were still open at the drain deadline and were closed without waiting (by server: "
				+ cut + "). Give them longer with thousandisland.servers.<name>.shutdown-timeout, at most "
				+ "spring.lifecycle.timeout-per-shutdown-phase (" + this.phaseTimeout + ")");
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	@Override
	public boolean isPauseable() {
		return false;
	}

}
