package dev.thousandisland.autoconfigure.pubsub;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.util.backoff.BackOffExecution;

/**
 * The adapter's Redis channel subscriptions: one channel per topic with local subscribers, kept in
 * a {@link RedisMessageListenerContainer} of its own. The container dispatches messages on the
 * thread that read them ({@link SyncTaskExecutor}), so those of one channel reach the PubSub in
 * the order Redis sent them (its default executor would hand each to a thread of its own and could
 * reorder them); the PubSub only queues them into mailboxes, so that thread is never held long.
 * Changes run one at a time, in the order asked, on a thread of their own, because the container
 * waits for Redis to confirm them and {@link dev.thousandisland.pubsub.PubSubAdapter#subscribe}
 * must not block.
 */
final class RedisSubscriptions {

	private final Container container;

	private final RedisReachability reachability;

	private final InboundSequences sequences;

	private final ExecutorService changes = Executors
		.newSingleThreadExecutor(Thread.ofVirtual().name("thousandisland-pubsub-redis-subscriptions").factory());

	private final Set<String> topics = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean restartPending = new AtomicBoolean();

	private volatile String channelPrefix = "";

	private volatile MessageListener listener = (message, pattern) -> {
	};

	RedisSubscriptions(RedisConnectionFactory connectionFactory, RedisReachability reachability,
			InboundSequences sequences, Duration recoveryInterval) {
		this.reachability = reachability;
		this.sequences = sequences;
		this.container = new Container(reachability);
		this.container.setConnectionFactory(connectionFactory);
		this.container.setTaskExecutor(new SyncTaskExecutor());
		SimpleAsyncTaskExecutor subscriber = new SimpleAsyncTaskExecutor("thousandisland-pubsub-redis-subscriber-");
		subscriber.setVirtualThreads(true);
		// A blocking client (Jedis) holds this thread for as long as the subscription lasts.
		this.container.setSubscriptionExecutor(subscriber);
		this.container.setRecoveryInterval(recoveryInterval.toMillis());
		this.container.setMaxSubscriptionRegistrationWaitingTime(recoveryInterval.toMillis());
		this.container.setBeanName("thousandIslandPubSubRedisListenerContainer");
	}

	void start(String channelPrefix, MessageListener listener) {
		this.channelPrefix = channelPrefix;
		this.listener = listener;
		this.container.afterPropertiesSet();
		this.container.start();
	}

	void subscribe(String topic) {
		this.topics.add(topic);
		change(() -> {
			if (this.topics.contains(topic)) {
				this.container.addMessageListener(this.listener, channel(topic));
			}
		});
	}

	void unsubscribe(String topic) {
		this.topics.remove(topic);
		change(() -> {
			if (!this.topics.contains(topic)) {
				this.container.removeMessageListener(this.listener, channel(topic));
				this.sequences.forget(topic);
			}
		});
	}

	/**
	 * Subscribes again if the container is not listening while there are topics: after a
	 * subscription that failed at its first attempt (Redis down or refusing when the topic was
	 * subscribed), which the container itself does not retry.
	 */
	void ensureListening() {
		if (!this.topics.isEmpty() && !this.container.isListening() && this.restartPending.compareAndSet(false, true)) {
			change(() -> {
				this.restartPending.set(false);
				if (!this.container.isListening()) {
					this.container.stop();
					this.container.start();
				}
			});
		}
	}

	void stop() {
		this.changes.shutdownNow();
		try {
			this.changes.awaitTermination(2, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		try {
			this.container.destroy();
		}
		catch (Exception ex) {
			// Closing the subscription of a Redis that is gone: nothing left to release.
		}
	}

	private ChannelTopic channel(String topic) {
		return new ChannelTopic(this.channelPrefix + topic);
	}

	private void change(Runnable change) {
		try {
			this.changes.execute(() -> {
				try {
					change.run();
				}
				catch (RuntimeException ex) {
					this.reachability.failed(ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// Stopped: there is nothing to subscribe any more.
		}
	}

	/**
	 * The container, telling the adapter when a subscription fails, so that the failure shows in
	 * health and is logged once by the PubSub.
	 */
	private static final class Container extends RedisMessageListenerContainer {

		private final RedisReachability reachability;

		Container(RedisReachability reachability) {
			this.reachability = reachability;
		}

		@Override
		protected void handleSubscriptionException(CompletableFuture<Void> future, BackOffExecution backOffExecution,
				Throwable cause) {
			this.reachability.failed(cause);
			super.handleSubscriptionException(future, backOffExecution, cause);
		}

	}

}
