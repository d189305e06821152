package dev.thousandisland.autoconfigure.pubsub;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.thousandisland.pubsub.PubSubAdapter;

/**
 * A {@link PubSubAdapter} on Redis PUBLISH and SUBSCRIBE, through Spring Data Redis and the
 * application's own {@link RedisConnectionFactory} (so its password, TLS, Sentinel or Cluster
 * settings are {@code spring.data.redis.*}, as for the rest of the application). A topic is the
 * channel {@code <channel-prefix><pubsub name>:<topic>}; this instance subscribes to it while it
 * has local subscribers of the topic, and only then.
 *
 * <p>Delivery is at most once, and every loss is counted through
 * {@link PubSubAdapter.Inbound#lost}: on the publishing side a broadcast that never reached Redis
 * ({@code queue_full}, {@code disconnected}, {@code publish_failed}, {@code stopped}); on the
 * receiving side ({@code missed}) each message of another instance on a subscribed channel that
 * this instance did not get, whatever lost it, found from the per-channel sequence numbers each
 * sender puts on its messages when the sender's next message on that channel arrives. A message
 * received twice (a client re-sending a PUBLISH after a reconnect) is delivered once. See
 * docs/pubsub-redis.md for exactly what is counted where.
 */
public final class RedisPubSubAdapter implements PubSubAdapter, PubSubAdapterDetails {

	/** The first PING also opens the connection, and may be the first use of the Redis client. */
	private static final Duration FIRST_CHECK_PATIENCE = Duration.ofSeconds(4);

	private final UUID id = UUID.randomUUID();

	private final Duration recoveryInterval;

	private final String channelPrefix;

	private final RedisReachability reachability;

	private final InboundSequences sequences = new InboundSequences();

	private final RedisPublisher publisher;

	private final RedisSubscriptions subscriptions;

	private volatile String channelPrefixWithName = "";

	private volatile boolean stopped;

	private @Nullable Thread monitor;

	/**
	 * Creates the adapter; the PubSub that is given it starts it.
	 * @param connectionFactory the application's Redis connections
	 * @param channelPrefix what every channel name starts with, before the PubSub's name
	 * @param publishQueueCapacity the most broadcasts waiting to be published, at least 1
	 * @param recoveryInterval how often an unreachable Redis is checked again, and how long a check
	 * may take; positive
	 * @throws IllegalArgumentException if an argument is out of range
	 */
	public RedisPubSubAdapter(RedisConnectionFactory connectionFactory, String channelPrefix, int publishQueueCapacity,
			Duration recoveryInterval) {
		if (publishQueueCapacity < 1) {
			throw new IllegalArgumentException("publishQueueCapacity must be at least 1, not " + publishQueueCapacity);
		}
		if (recoveryInterval.isNegative() || recoveryInterval.toMillis() < 1) {
			throw new IllegalArgumentException("recoveryInterval must be at least 1 ms, not " + recoveryInterval);
		}
		this.recoveryInterval = recoveryInterval;
		this.channelPrefix = channelPrefix;
		this.reachability = new RedisReachability(connectionFactory, recoveryInterval);
		this.publisher = new RedisPublisher(connectionFactory, this.reachability, this.id, publishQueueCapacity);
		this.subscriptions = new RedisSubscriptions(connectionFactory, this.reachability, this.sequences,
				recoveryInterval);
	}

	@Override
	public String kind() {
		return "redis";
	}

	/**
	 * Checks Redis once (waiting at most the recovery interval, at least two seconds, plus four
	 * seconds for the first connection), then starts publishing, subscribing and checking Redis
	 * every recovery interval. Redis being down does not fail the
	 * start: it is reported through {@link Inbound#transportStatus} and the adapter keeps trying.
	 */
	@Override
	public void start(String pubsubName, Inbound inbound) {
		this.channelPrefixWithName = this.channelPrefix + pubsubName + ":";
		this.reachability.reportTo(inbound);
		this.reachability.check(FIRST_CHECK_PATIENCE);
		this.publisher.start(this.channelPrefixWithName, inbound);
		this.subscriptions.start(this.channelPrefixWithName, new Receiver(inbound));
		this.monitor = Thread.ofVirtual().name("thousandisland-pubsub-redis-monitor").start(this::monitor);
	}

	@Override
	public void subscribe(String topic) {
		this.subscriptions.subscribe(topic);
	}

	@Override
	public void unsubscribe(String topic) {
		this.subscriptions.unsubscribe(topic);
	}

	@Override
	public void publish(String topic, byte[] payload) {
		this.publisher.publish(topic, payload);
	}

	@Override
	public boolean isConnected() {
		return this.reachability.isConnected();
	}

	@Override
	public void stop() {
		if (this.stopped) {
			return;
		}
		this.stopped = true;
		Thread monitor = this.monitor;
		if (monitor != null) {
			monitor.interrupt();
		}
		this.subscriptions.stop();
		this.publisher.stop();
	}

	/**
	 * Returns the Redis channel of a topic.
	 * @param topic the topic
	 * @return its channel, once the adapter has started (before, without the PubSub's name)
	 */
	public String channel(String topic) {
		return this.channelPrefixWithName + topic;
	}

	/**
	 * Returns what made Redis unreachable, for health: the innermost cause, such as Redis's own
	 * error reply.
	 * @return the last failure while Redis is unreachable, or {@code null} while it is reachable
	 */
	public @Nullable Throwable lastError() {
		return this.reachability.lastError();
	}

	/**
	 * Returns the number of broadcasts waiting to be published.
	 * @return the length of the publish queue
	 */
	public int queuedPublishes() {
		return this.publisher.queued();
	}

	/**
	 * Returns {@code queuedPublishes} and, while Redis is unreachable, {@code error}: what Redis or
	 * the network last answered.
	 */
	@Override
	public Map<String, Object> healthDetails() {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("queuedPublishes", queuedPublishes());
		Throwable error = lastError();
		if (error != null) {
			details.put("error", error.getClass().getSimpleName() + ": " + error.getMessage());
		}
		return details;
	}

	private void monitor() {
		try {
			while (!this.stopped) {
				Thread.sleep(this.recoveryInterval);
				if (this.reachability.check(Duration.ZERO)) {
					this.subscriptions.ensureListening();
				}
			}
		}
		catch (InterruptedException ex) {
			// Stopped.
		}
	}

	/**
	 * Hands the messages of other instances to the PubSub, in the order the container
	 * dispatches them (one channel's on one thread).
	 */
	private final class Receiver implements MessageListener {

		private static final int RECENT_CHANNELS = 64;

		private final Inbound inbound;

		/**
		 * Recent channels and their topics, by a hash of the channel's bytes: the channel name is
		 * decoded and its prefix cut off once per channel, not once per message. An entry is
		 * immutable, so a racy read sees a whole one or none.
		 */
		private final KnownChannel[] recentChannels = new KnownChannel[RECENT_CHANNELS];

		Receiver(Inbound inbound) {
			this.inbound = inbound;
		}

		private @Nullable String topic(byte[] channel) {
			int slot = Arrays.hashCode(channel) & (RECENT_CHANNELS - 1);
			KnownChannel recent = this.recentChannels[slot];
			if (recent != null && Arrays.equals(recent.channel(), channel)) {
				return recent.topic();
			}
			String name = new String(channel, StandardCharsets.UTF_8);
			String prefix = RedisPubSubAdapter.this.channelPrefixWithName;
			if (!name.startsWith(prefix)) {
				return null;
			}
			String topic = name.substring(prefix.length());
			this.recentChannels[slot] = new KnownChannel(channel.clone(), topic);
			return topic;
		}

		@Override
		public void onMessage(Message message, byte @Nullable [] pattern) {
			String topic = topic(message.getChannel());
			if (topic == null) {
				return;
			}
			RedisEnvelope envelope = RedisEnvelope.decode(message.getBody());
			if (envelope == null) {
				// Not from an adapter: the PubSub's codec decides, and counts it if it cannot.
				this.inbound.receive(topic, message.getBody());
				return;
			}
			if (envelope.sender().equals(RedisPubSubAdapter.this.id)) {
				return;
			}
			long missed = RedisPubSubAdapter.this.sequences.accept(topic, envelope);
			if (missed < 0) {
				return;
			}
			if (missed > 0) {
				this.inbound.lost(topic, (int) Math.min(missed, Integer.MAX_VALUE), "missed");
			}
			this.inbound.receive(topic, envelope.payload());
		}

	}

	private record KnownChannel(byte[] channel, String topic) {
	}

}
