package dev.thousandisland.autoconfigure.pubsub;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
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

	private final RedisConnectionFactory connectionFactory;

	private final Duration interval;

	private final AtomicBoolean connected = new AtomicBoolean(true);

	private volatile @Nullable Throwable lastError;

	private volatile PubSubAdapter.@Nullable Inbound inbound;

	private @Nullable CompletableFuture<?> probe;

	RedisReachability(RedisConnectionFactory connectionFactory, Duration interval) {
		this.connectionFactory = connectionFactory;
		this.interval = interval;
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
	 * PINGs Redis and waits at most one recovery interval for the answer. Called from one thread
	 * at a time (the adapter's monitor); a PING still unanswered from the previous call counts as
	 * a failure without sending another.
	 * @return whether Redis answered
	 */
	boolean check() {
		if (this.probe == null || this.probe.isDone()) {
			this.probe = CompletableFuture.runAsync(this::ping, Thread::startVirtualThread);
		}
		try {
			this.probe.get(this.interval.toMillis(), TimeUnit.MILLISECONDS);
			recovered();
			return true;
		}
		catch (ExecutionException ex) {
			failed(ex.getCause());
		}
		catch (TimeoutException ex) {
			failed(new RedisConnectionFailureException("Redis did not answer PING within " + this.interval
					+ " (thousandisland.pubsub.redis.recovery-interval)"));
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

	void failed(Throwable error) {
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
