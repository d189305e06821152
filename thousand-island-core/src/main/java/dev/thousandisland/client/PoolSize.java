package dev.thousandisland.client;

import java.time.Duration;
import java.util.Objects;

import dev.thousandisland.InvalidOptionException;

/**
 * How many members a {@link ClientPool} keeps: a fixed number ({@link #fixed(int)}), or a pool
 * that grows from {@code minSize} to {@code maxSize} when every member is busy and closes the
 * members that stayed idle for {@code idleTimeout}, never going below {@code minSize}: what users
 * of Jedis or commons-pool know as {@code minIdle} and {@code maxTotal}.
 *
 * @param minSize the members started with the pool and always kept, 0 or more
 * @param maxSize the most members the pool ever has open at once, at least 1 and at least
 * {@code minSize}
 * @param idleTimeout how long a member above {@code minSize} may go without a request and without
 * being borrowed before it is stopped; unused when {@code minSize} equals {@code maxSize}
 */
public record PoolSize(int minSize, int maxSize, Duration idleTimeout) {

	/** The idle timeout of a {@link #fixed(int) fixed} pool, which never closes a member. */
	private static final Duration NEVER_USED = Duration.ofMinutes(1);

	/**
	 * Checks the values.
	 * @param minSize the members always kept
	 * @param maxSize the most members at once
	 * @param idleTimeout how long a member above the minimum may stay idle
	 * @throws InvalidOptionException naming the option that is wrong
	 */
	public PoolSize {
		if (minSize < 0) {
			throw new InvalidOptionException("minSize", minSize, "must be 0 or more");
		}
		if (maxSize < 1) {
			throw new InvalidOptionException("maxSize", maxSize, "must be at least 1");
		}
		if (maxSize < minSize) {
			throw new InvalidOptionException("maxSize", maxSize, "must be at least minSize (" + minSize + ")");
		}
		Objects.requireNonNull(idleTimeout, "idleTimeout");
		if (idleTimeout.isNegative() || idleTimeout.isZero()) {
			throw new InvalidOptionException("idleTimeout", idleTimeout, "must be positive");
		}
	}

	/**
	 * A pool of exactly {@code size} members, started together and never closed for idleness.
	 * @param size the number of members, at least 1
	 * @return the size
	 * @throws InvalidOptionException (option {@code poolSize}) if {@code size} is below 1
	 */
	public static PoolSize fixed(int size) {
		if (size < 1) {
			throw new InvalidOptionException("poolSize", size, "must be at least 1");
		}
		return new PoolSize(size, size, NEVER_USED);
	}

	/**
	 * A pool that starts {@code minSize} members, grows to {@code maxSize} when every member is
	 * busy and closes members idle for {@code idleTimeout}, down to {@code minSize}.
	 * @param minSize the members always kept, 0 or more
	 * @param maxSize the most members at once
	 * @param idleTimeout how long a member above the minimum may stay idle
	 * @return the size
	 * @throws InvalidOptionException naming the option that is wrong
	 */
	public static PoolSize growing(int minSize, int maxSize, Duration idleTimeout) {
		return new PoolSize(minSize, maxSize, idleTimeout);
	}

	/**
	 * Returns whether the pool may grow and shrink.
	 * @return whether {@code minSize} is below {@code maxSize}
	 */
	public boolean grows() {
		return this.minSize < this.maxSize;
	}

}
