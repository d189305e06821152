package dev.thousandisland.client;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

import dev.thousandisland.InvalidOptionException;

/**
 * How long a client waits before each new connect attempt after a failed connect or a dropped
 * connection: Elixir's {@code {:backoff, timeout, state}}, grown exponentially. Attempt 1 waits
 * {@code initial}, each next attempt {@code multiplier} times longer, never more than {@code max};
 * {@code jitter} then takes away a random part (0.2: up to 20%) so that many clients cut off at
 * once do not all come back in the same instant. A successful connect starts the count again.
 *
 * @param initial the wait before the first retry, positive
 * @param max the longest wait, at least {@code initial}
 * @param multiplier how much each wait grows, at least 1
 * @param jitter the largest fraction taken away at random, from 0 (none) to 1
 * @param maxAttempts how many connect attempts in a row may fail before the client gives up and
 * fails every request with {@link NotConnectedException}; 0 for no limit
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter, int maxAttempts) {

	/** 100 ms, doubling up to 5 s, 20% jitter, no limit on attempts. */
	public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, 0.2, 0);

	/**
	 * Checks the values.
	 * @param initial the wait before the first retry
	 * @param max the longest wait
	 * @param multiplier how much each wait grows
	 * @param jitter the largest fraction taken away at random
	 * @param maxAttempts the most failed attempts in a row, 0 for no limit
	 */
	public Backoff {
		Objects.requireNonNull(initial, "initial");
		Objects.requireNonNull(max, "max");
		if (initial.isNegative() || initial.isZero()) {
			throw new InvalidOptionException("backoff.initial", initial, "must be positive");
		}
		if (max.compareTo(initial) < 0) {
			throw new InvalidOptionException("backoff.max", max, "must be at least backoff.initial (" + initial + ")");
		}
		if (!(multiplier >= 1.0)) {
			throw new InvalidOptionException("backoff.multiplier", multiplier, "must be at least 1");
		}
		if (!(jitter >= 0.0 && jitter <= 1.0)) {
			throw new InvalidOptionException("backoff.jitter", jitter, "must be between 0 and 1");
		}
		if (maxAttempts < 0) {
			throw new InvalidOptionException("backoff.maxAttempts", maxAttempts, "must be 0 (no limit) or positive");
		}
	}

	/**
	 * Returns the same policy without jitter: waits are exactly as computed.
	 * @return the policy
	 */
	public Backoff withoutJitter() {
		return new Backoff(this.initial, this.max, this.multiplier, 0.0, this.maxAttempts);
	}

	/**
	 * Returns the same policy with a limit on failed attempts in a row.
	 * @param maxAttempts the limit, 0 for none
	 * @return the policy
	 */
	public Backoff withMaxAttempts(int maxAttempts) {
		return new Backoff(this.initial, this.max, this.multiplier, this.jitter, maxAttempts);
	}

	/**
	 * Returns the wait before retry number {@code attempt}.
	 * @param attempt 1 for the first retry after a failure
	 * @param random where the jitter comes from
	 * @return the wait, between {@code (1 - jitter)} times the computed wait and the computed wait
	 */
	public Duration delay(int attempt, RandomGenerator random) {
		double nanos = this.initial.toNanos() * Math.pow(this.multiplier, Math.max(0, attempt - 1));
		double capped = Math.min(nanos, this.max.toNanos());
		double jittered = capped * (1.0 - this.jitter * random.nextDouble());
		return Duration.ofNanos((long) jittered);
	}

	/**
	 * Returns whether a client that has failed {@code failures} connect attempts in a row gives up.
	 * @param failures the failed attempts in a row
	 * @return whether to stop trying
	 */
	public boolean exhausted(int failures) {
		return this.maxAttempts > 0 && failures >= this.maxAttempts;
	}

}
