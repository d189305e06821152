package dev.thousandisland.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How a client's pool grows and shrinks, under {@code thousandisland.clients.<name>.pool.*}: with
 * a {@code max-size}, a pool that starts with {@code pool-size} connections opens more when all are
 * busy, up to {@code max-size}, and closes those idle for {@code idle-timeout}, down to
 * {@code pool-size} again.
 *
 * @see dev.thousandisland.client.PoolSize
 */
public class ThousandIslandClientPoolProperties {

	/**
	 * Most connections of a pool that grows: when no connection is free (every one borrowed or
	 * with requests outstanding), one more is opened, up to this many. Not set: a fixed pool of
	 * pool-size.
	 */
	private @Nullable Integer maxSize;

	/**
	 * Time a connection above pool-size may go without a request and without being borrowed
	 * before a growing pool closes it.
	 */
	private Duration idleTimeout = Duration.ofSeconds(60);

	public @Nullable Integer getMaxSize() {
		return this.maxSize;
	}

	public void setMaxSize(@Nullable Integer maxSize) {
		this.maxSize = maxSize;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

}
