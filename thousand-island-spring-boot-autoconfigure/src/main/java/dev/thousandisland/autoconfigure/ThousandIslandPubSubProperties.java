package dev.thousandisland.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import dev.thousandisland.pubsub.PubSub;

/**
 * Configuration of the auto-configured {@code PubSub} bean ({@code thousandisland.pubsub.*}). It
 * is bound as part of {@link ThousandIslandProperties}, whose unknown-key check then covers these
 * keys too.
 */
public class ThousandIslandPubSubProperties {

	/**
	 * Name of the PubSub, in telemetry, meters and health, and in its Redis channel names. Every
	 * instance that should exchange messages must use the same name.
	 */
	private String name = "pubsub";

	/**
	 * Name of this instance, which tells its own messages apart when they come back through
	 * Redis. Must differ between instances; when not set, a random one is chosen at every start.
	 */
	private @Nullable String nodeName;

	/**
	 * What happens to a subscriber whose mailbox is full: 'drop' drops the message for it alone,
	 * 'close' closes its connection.
	 */
	private PubSub.SlowSubscriberPolicy slowSubscriber = PubSub.SlowSubscriberPolicy.DROP;

	/**
	 * How broadcasts reach other instances: 'local' for none (this instance alone), 'redis'
	 * through the application's Spring Data Redis connection (spring.data.redis.*).
	 */
	private Adapter adapter = Adapter.LOCAL;

	/**
	 * Redis adapter settings, used when adapter is 'redis'.
	 */
	private final Redis redis = new Redis();

	public String getName() {
		return this.name;
	}

	public void setName(String name) {
		this.name = name;
	}

	public @Nullable String getNodeName() {
		return this.nodeName;
	}

	public void setNodeName(@Nullable String nodeName) {
		this.nodeName = nodeName;
	}

	public PubSub.SlowSubscriberPolicy getSlowSubscriber() {
		return this.slowSubscriber;
	}

	public void setSlowSubscriber(PubSub.SlowSubscriberPolicy slowSubscriber) {
		this.slowSubscriber = slowSubscriber;
	}

	public Adapter getAdapter() {
		return this.adapter;
	}

	public void setAdapter(Adapter adapter) {
		this.adapter = adapter;
	}

	public Redis getRedis() {
		return this.redis;
	}

	/**
	 * How broadcasts reach other instances.
	 */
	public enum Adapter {

		/**
		 * No other instance: broadcasts stay on this one.
		 */
		LOCAL,

		/**
		 * Redis PUBLISH and SUBSCRIBE on the application's RedisConnectionFactory.
		 */
		REDIS

	}

	/**
	 * Redis adapter settings.
	 */
	public static class Redis {

		/**
		 * Prefix of the Redis channels; a topic's channel is this prefix, the PubSub name, ':'
		 * and the topic.
		 */
		private String channelPrefix = "thousandisland:";

		/**
		 * Most broadcasts waiting to be published to Redis; a broadcast that finds the queue
		 * full is not sent to other instances and is counted as lost (reason queue_full).
		 */
		private int publishQueueCapacity = 10_000;

		/**
		 * How often the adapter checks that Redis answers (PING) and, while it does not, retries
		 * its subscriptions; a check that takes longer than this (and than 2s) marks Redis down.
		 */
		private Duration recoveryInterval = Duration.ofSeconds(1);

		public String getChannelPrefix() {
			return this.channelPrefix;
		}

		public void setChannelPrefix(String channelPrefix) {
			this.channelPrefix = channelPrefix;
		}

		public int getPublishQueueCapacity() {
			return this.publishQueueCapacity;
		}

		public void setPublishQueueCapacity(int publishQueueCapacity) {
			this.publishQueueCapacity = publishQueueCapacity;
		}

		public Duration getRecoveryInterval() {
			return this.recoveryInterval;
		}

		public void setRecoveryInterval(Duration recoveryInterval) {
			this.recoveryInterval = recoveryInterval;
		}

	}

}
