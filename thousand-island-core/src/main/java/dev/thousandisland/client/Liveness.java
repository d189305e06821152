package dev.thousandisland.client;

import java.time.Duration;

import dev.thousandisland.InvalidOptionException;

/**
 * How a client notices a peer that vanished without closing (a half-open connection): TCP
 * keep-alive, probed by the kernel, and an idle check at the protocol level, a ping the
 * {@link ClientHandler#ping handler} supplies. Set through
 * {@link ClientConfig.Builder#keepAlive(boolean)}, {@link ClientConfig.Builder#keepAlive(Duration, Duration, int)}
 * and {@link ClientConfig.Builder#idleCheck(Duration, Duration)}; {@link #NONE} by default.
 *
 * @param keepAlive whether TCP connections set {@code SO_KEEPALIVE} (ignored for Unix sockets)
 * @param keepAliveIdle how long a connection is idle before the first probe
 * ({@code TCP_KEEPIDLE}), whole seconds from 1 to 32767, or {@code null} for the system's default
 * @param keepAliveInterval the time between probes ({@code TCP_KEEPINTERVAL}), whole seconds from
 * 1 to 32767, or {@code null} for the system's default
 * @param keepAliveCount how many unanswered probes end the connection ({@code TCP_KEEPCOUNT}),
 * 1 to 127, or 0 for the system's default
 * @param idleCheckInterval how long nothing may be received, with nothing in flight, before the
 * handler's ping is sent, or {@code null} for no idle check
 * @param idleCheckTimeout how long the ping's reply may take before the connection is dropped
 * (set with the interval)
 */
public record Liveness(boolean keepAlive, Duration keepAliveIdle, Duration keepAliveInterval, int keepAliveCount,
		Duration idleCheckInterval, Duration idleCheckTimeout) {

	/** No keep-alive and no idle check: a half-open connection is noticed when a request times out. */
	public static final Liveness NONE = new Liveness(false, null, null, 0, null, null);

	/** Linux's largest {@code TCP_KEEPIDLE} and {@code TCP_KEEPINTVL}, in seconds. */
	private static final long MAX_KEEPALIVE_SECONDS = 32767;

	/** Linux's largest {@code TCP_KEEPCNT}. */
	private static final int MAX_KEEPALIVE_COUNT = 127;

	/**
	 * Checks the values.
	 * @param keepAlive whether to set {@code SO_KEEPALIVE}
	 * @param keepAliveIdle idle time before the first probe, or {@code null}
	 * @param keepAliveInterval time between probes, or {@code null}
	 * @param keepAliveCount probes before the connection ends, or 0
	 * @param idleCheckInterval idle time before a ping, or {@code null}
	 * @param idleCheckTimeout the ping's limit, or {@code null}
	 */
	public Liveness {
		requireWholeSeconds("keepAliveIdle", keepAliveIdle);
		requireWholeSeconds("keepAliveInterval", keepAliveInterval);
		if (keepAliveCount < 0 || keepAliveCount > MAX_KEEPALIVE_COUNT) {
			throw new InvalidOptionException("keepAliveCount", keepAliveCount,
					"must be from 1 to " + MAX_KEEPALIVE_COUNT + " (or 0 for the system's default)");
		}
		if (!keepAlive && (keepAliveIdle != null || keepAliveInterval != null || keepAliveCount != 0)) {
			throw new InvalidOptionException("keepAlive", false,
					"must be true when keepAliveIdle, keepAliveInterval or keepAliveCount is set");
		}
		if (idleCheckInterval != null || idleCheckTimeout != null) {
			ClientConfig.requirePositive("idleCheckInterval", idleCheckInterval);
			ClientConfig.requirePositive("idleCheckTimeout", idleCheckTimeout);
		}
	}

	/**
	 * Returns whether an idle check is configured.
	 * @return whether it is
	 */
	public boolean idleCheck() {
		return this.idleCheckInterval != null;
	}

	private static void requireWholeSeconds(String option, Duration value) {
		if (value == null) {
			return;
		}
		if (value.isNegative() || value.isZero() || value.toNanos() % 1_000_000_000L != 0
				|| value.getSeconds() > MAX_KEEPALIVE_SECONDS) {
			throw new InvalidOptionException(option, value,
					"must be whole seconds from 1 to " + MAX_KEEPALIVE_SECONDS + " (the kernel counts in seconds)");
		}
	}

}
