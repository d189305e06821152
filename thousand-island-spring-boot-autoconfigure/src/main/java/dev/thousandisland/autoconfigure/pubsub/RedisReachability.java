package dev.thousandisland.autoconfigure.pubsub;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.thousandisland.pubsub.PubSubAdapter;

/**
 * Whether Redis is reachable, as the adapter last saw it: a PING every recovery interval (the
 * only way an idle instance notices an outage, since a Redis client may queue commands while it
 * reconnects instead of failing them), and the failures of publishes and subscriptions. Each
 * change is reported once to the PubSub ({@link PubSubAdapter.Inbound#transportStatus}), never
 * per failed attempt, so that a Redis refusing every command (a wrong password, out of memory)
 * gives one log line and a DOWN health, not a flood.
 */
final class RedisReachability {

	private static final Duration MINIMUM_TIMEOUT = Duration.ofSeconds(2);

	private final RedisConnectionFactory connectionFactory;

	/** The longest a PING may take before Redis counts as unreachable. */
	private final Duration timeout;

	private final AtomicBoolean connected = new AtomicBoolean(true);

	private volatile @Nullable Throwable lastError;

	private volatile PubSubAdapter.@Nullable Inbound inbound;

	private @Nullable CompletableFuture<?> probe;

	RedisReachability(RedisConnectionFactory connectionFactory, Duration interval) {
		this.connectionFactory = connectionFactory;
		this.timeout = timeout(interval);
	}

	void reportTo(PubSubAdapter.Inbound inbound) {
		this.inbound = inbound;
	}

	boolean isConnected() {
		return this.connected.get();
	}

	@Nullable Throwable lastError() {
		return this.lastError;
	}

	/**
	 * The recovery interval, but at least two seconds: a busy machine (a JVM warming up, a garbage
	 * collection, a starved CPU) can hold a PING's answer for a while, and that is no outage; a
	 * false one would drop broadcasts as {@code disconnected}.
	 */
	static Duration timeout(Duration interval) {
		return (interval.compareTo(MINIMUM_TIMEOUT) > 0) ? interval : MINIMUM_TIMEOUT;
	}

	/**
	 * PINGs Redis and waits at most the recovery interval (at least two seconds) for the answer.
	 * Called from one thread at a time (the adapter's start, then its monitor); a PING still
	 * unanswered from the previous call counts as a failure without sending another.
	 * @param patience how much longer than that to wait: more for the first PING, which also
	 * opens the connection
	 * @return whether Redis answered
	 */
	boolean check(Duration patience) {
		if (this.probe == null || this.probe.isDone()) {
			this.probe = CompletableFuture.runAsync(this::ping, Thread::startVirtualThread);
		}
		try {
			this.probe.get(this.timeout.plus(patience).toMillis(), TimeUnit.MILLISECONDS);
			recovered();
			return true;
		}
		catch (ExecutionException ex) {
			failed(ex.getCause());
		}
		catch (TimeoutException ex) {
			failed(new RedisConnectionFailureException("Redis did not answer PING within "
					+ this.timeout.plus(patience).toMillis() + " ms"));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return false;
	}

	private void ping() {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			connection.ping();
		}
	}

	/**
	 * Records a failure; the first since Redis was last reachable is reported. What is kept and
	 * reported is the innermost cause, which says what Redis or the network said (WRONGPASS,
	 * OOM, connection refused) where Spring's wrapper says only that something failed.
	 */
	void failed(Throwable failure) {
		Throwable error = NestedExceptionUtils.getMostSpecificCause(failure);
		this.lastError = error;
		if (this.connected.compareAndSet(true, false)) {
			PubSubAdapter.Inbound inbound = this.inbound;
			if (inbound != null) {
				inbound.transportStatus(error);
			}
		}
	}

	void recovered() {
		if (this.connected.compareAndSet(false, true)) {
			this.lastError = null;
			PubSubAdapter.Inbound inbound = this.inbound;
			if (inbound != null) {
				inbound.transportStatus(null);
			}
		}
	}

}
