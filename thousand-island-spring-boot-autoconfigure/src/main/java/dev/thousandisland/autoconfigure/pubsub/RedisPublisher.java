package dev.thousandisland.autoconfigure.pubsub;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisPipelineException;

import dev.thousandisland.pubsub.PubSubAdapter;

/**
 * Sends broadcasts to Redis without ever blocking the broadcaster: {@link #publish} numbers the
 * message on its channel and puts it in a bounded queue, and one thread drains the queue in order,
 * PUBLISHing a batch at a time in one round trip (on Lettuce's own asynchronous commands when the
 * factory is Lettuce's, in a Spring Data Redis pipeline otherwise). A message that cannot go (the queue is full, Redis
 * is unreachable, its PUBLISH failed, the adapter stopped) is reported lost, once, with its reason;
 * its sequence number is used up all the same, so receivers see the gap.
 */
final class RedisPublisher {

	/**
	 * Commands per pipeline: one round trip per batch. On a 2-core machine 128 drained about 80,000
	 * 64-byte messages a second, 512 about 90,000, 1,024 no more; a larger batch only makes more
	 * messages count as publish_failed when the connection breaks mid-batch.
	 */
	private static final int BATCH = 512;

	private static final Duration FLUSH_ON_STOP = Duration.ofSeconds(2);

	private final RedisConnectionFactory connectionFactory;

	private final RedisReachability reachability;

	private final UUID sender;

	private final BlockingQueue<Outgoing> queue;

	/** Each topic's channel and last sequence number; also the topic's lock. */
	private final Map<String, Numbering> sequences = new ConcurrentHashMap<>();

	private volatile PubSubAdapter.@Nullable Inbound inbound;

	private volatile String channelPrefix = "";

	private volatile boolean stopping;

	private @Nullable Thread thread;

	private @Nullable RedisConnection connection;

	/** The connection's Lettuce commands when the factory is Lettuce's, used instead of a pipeline. */
	private @Nullable LettucePublishes lettuce;

	RedisPublisher(RedisConnectionFactory connectionFactory, RedisReachability reachability, UUID sender,
			int queueCapacity) {
		this.connectionFactory = connectionFactory;
		this.reachability = reachability;
		this.sender = sender;
		this.queue = new ArrayBlockingQueue<>(queueCapacity);
	}

	void start(String channelPrefix, PubSubAdapter.Inbound inbound) {
		this.channelPrefix = channelPrefix;
		this.inbound = inbound;
		this.thread = Thread.ofVirtual().name("thousandisland-pubsub-redis-publisher").start(this::run);
	}

	void publish(String topic, byte[] payload) {
		String reason = null;
		Numbering sequence = this.sequences.computeIfAbsent(topic, (key) -> new Numbering(channel(key)));
		// Numbering and queueing under one lock, so that each topic's numbers are in queue order.
		synchronized (sequence) {
			sequence.last++;
			if (this.stopping) {
				reason = "stopped";
			}
			else if (!this.reachability.isConnected()) {
				reason = "disconnected";
			}
			else if (!this.queue.offer(new Outgoing(topic, sequence.channel, sequence.last, payload))) {
				reason = "queue_full";
			}
		}
		if (reason != null) {
			lost(topic, 1, reason);
		}
	}

	int queued() {
		return this.queue.size();
	}

	/**
	 * Stops taking messages, publishes what is queued for up to two seconds while Redis is
	 * reachable, and reports the rest lost ({@code stopped}).
	 */
	void stop() {
		this.stopping = true;
		Thread thread = this.thread;
		if (thread != null) {
			try {
				if (!thread.join(FLUSH_ON_STOP)) {
					thread.interrupt();
					thread.join(FLUSH_ON_STOP);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		List<Outgoing> left = new ArrayList<>();
		this.queue.drainTo(left);
		left.forEach((message) -> lost(message.topic(), 1, "stopped"));
		closeConnection();
	}

	private void run() {
		List<Outgoing> batch = new ArrayList<>(BATCH);
		try {
			while (true) {
				Outgoing first = this.queue.poll(100, TimeUnit.MILLISECONDS);
				if (first == null) {
					if (this.stopping) {
						return;
					}
					continue;
				}
				batch.add(first);
				this.queue.drainTo(batch, BATCH - 1);
				send(batch);
				batch.clear();
			}
		}
		catch (InterruptedException ex) {
			batch.forEach((message) -> lost(message.topic(), 1, "stopped"));
		}
	}

	private void send(List<Outgoing> batch) {
		if (!this.reachability.isConnected()) {
			batch.forEach((message) -> lost(message.topic(), 1, "disconnected"));
			return;
		}
		try {
			RedisConnection connection = connection();
			LettucePublishes lettuce = this.lettuce;
			if (lettuce != null) {
				sendNatively(lettuce, batch);
				return;
			}
			connection.openPipeline();
			for (Outgoing message : batch) {
				connection.publish(message.channel(),
						new RedisEnvelope(this.sender, message.sequence(), message.payload()).encode());
			}
			connection.closePipeline();
		}
		catch (RedisPipelineException ex) {
			// Some commands answered, some failed (a refusal such as OOM, or the connection lost
			// midway): only the failed ones are lost.
			List<Object> results = ex.getPipelineResult();
			for (int i = 0; i < batch.size(); i++) {
				if (i >= results.size() || results.get(i) instanceof Throwable) {
					lost(batch.get(i).topic(), 1, "publish_failed");
				}
			}
			failed(ex);
		}
		catch (RuntimeException ex) {
			batch.forEach((message) -> lost(message.topic(), 1, "publish_failed"));
			failed(ex);
		}
	}

	private void sendNatively(LettucePublishes lettuce, List<Outgoing> batch) {
		List<byte[]> channels = new ArrayList<>(batch.size());
		List<byte[]> messages = new ArrayList<>(batch.size());
		for (Outgoing message : batch) {
			channels.add(message.channel());
			messages.add(new RedisEnvelope(this.sender, message.sequence(), message.payload()).encode());
		}
		boolean[] failed = new boolean[batch.size()];
		Throwable failure = lettuce.publish(channels, messages, failed);
		if (failure != null) {
			// Only the PUBLISHes that failed or went unanswered are lost.
			for (int i = 0; i < batch.size(); i++) {
				if (failed[i]) {
					lost(batch.get(i).topic(), 1, "publish_failed");
				}
			}
			failed(failure);
		}
	}

	private void failed(Throwable ex) {
		closeConnection();
		this.reachability.failed(ex);
	}

	private RedisConnection connection() {
		RedisConnection connection = this.connection;
		if (connection == null || connection.isClosed()) {
			connection = this.connectionFactory.getConnection();
			this.connection = connection;
			this.lettuce = LettucePublishes.of(this.connectionFactory, connection);
		}
		return connection;
	}

	private void closeConnection() {
		RedisConnection connection = this.connection;
		this.connection = null;
		this.lettuce = null;
		if (connection != null) {
			try {
				connection.close();
			}
			catch (RuntimeException ex) {
				// Closing a connection that already failed: nothing more to report.
			}
		}
	}

	byte[] channel(String topic) {
		return (this.channelPrefix + topic).getBytes(StandardCharsets.UTF_8);
	}

	private void lost(String topic, int count, String reason) {
		PubSubAdapter.Inbound inbound = this.inbound;
		if (inbound != null) {
			inbound.lost(topic, count, reason);
		}
	}

	private record Outgoing(String topic, byte[] channel, long sequence, byte[] payload) {
	}

	/** A topic's channel name, encoded once, and the last sequence number used on it. */
	private static final class Numbering {

		private final byte[] channel;

		private long last;

		Numbering(byte[] channel) {
			this.channel = channel;
		}

	}

}
