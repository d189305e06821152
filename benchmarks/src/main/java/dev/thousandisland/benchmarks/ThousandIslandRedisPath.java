package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.autoconfigure.pubsub.RedisPubSubAdapter;
import dev.thousandisland.pubsub.PubSub;

/**
 * The system under test: two PubSub instances joined by the Redis adapter, each on a
 * {@link LettuceConnectionFactory} of its own built by hand (what Spring Boot's
 * {@code spring.data.redis.*} would build, without a context), with the adapter's defaults
 * (publish queue 10,000, recovery interval 1 s). The publishing instance has no subscribers and
 * broadcasts from one thread; the subscribing instance is a Thousand Island server whose one
 * connection (a loopback client that sends nothing) is subscribed to the topic, and its
 * {@code handleMessage} hands each message it is delivered to the window. So a message goes
 * publisher → codec and envelopes → adapter's publish queue and pipeline → Redis → the other
 * adapter's listener container → codec → the subscriber's mailbox → its handler.
 */
final class ThousandIslandRedisPath implements RedisCrossInstancePath {

	static final String TOPIC = "fan-out";

	private final LettuceConnectionFactory publisherRedis;

	private final LettuceConnectionFactory subscriberRedis;

	private final PubSub publisher;

	private final PubSub subscriber;

	private final Server server;

	private final Socket client;

	/** The path's name in the results. */
	static final String LABEL = "Thousand Island PubSub, Redis adapter";

	private volatile CrossInstanceWindow window;

	ThousandIslandRedisPath(int port) throws IOException, InterruptedException {
		this.publisherRedis = connectionFactory(port);
		this.subscriberRedis = connectionFactory(port);
		this.publisher = PubSub.builder().name("bench").nodeName("publisher")
			.adapter(new RedisPubSubAdapter(this.publisherRedis, "thousandisland:", 10_000, Duration.ofSeconds(1)))
			.build();
		RedisPubSubAdapter subscriberAdapter = new RedisPubSubAdapter(this.subscriberRedis, "thousandisland:", 10_000,
				Duration.ofSeconds(1));
		this.subscriber = PubSub.builder().name("bench").nodeName("subscriber").adapter(subscriberAdapter).build();
		this.server = ServerConfig.builder(new Receiver())
			.name("bench-redis-subscriber")
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.readTimeout(ServerConfig.NO_TIMEOUT)
			.start();
		this.client = new Socket(InetAddress.getLoopbackAddress(), this.server.port());
		awaitSubscription(port, subscriberAdapter);
	}

	private static LettuceConnectionFactory connectionFactory(int port) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", port));
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/** Until Redis has a subscriber on the channel, a broadcast crosses to no one. */
	private void awaitSubscription(int port, RedisPubSubAdapter adapter) throws InterruptedException {
		String channel = adapter.channel(TOPIC);
		RedisClient check = RedisClient.create(RedisURI.create("127.0.0.1", port));
		try (StatefulRedisConnection<byte[], byte[]> connection = check.connect(ByteArrayCodec.INSTANCE)) {
			byte[] name = channel.getBytes(StandardCharsets.UTF_8);
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			// The reply's keys are byte arrays, which compare by identity: sum its one value.
			while (connection.sync().pubsubNumsub(name).values().stream().mapToLong(Long::longValue).sum() < 1) {
				if (System.nanoTime() - deadline > 0) {
					throw new IllegalStateException("No subscriber on " + channel + " after 30 s (subscribers here: "
							+ this.subscriber.subscriberCount(TOPIC) + ", adapter connected " + adapter.isConnected()
							+ ", last error " + adapter.lastError() + ")");
				}
				Thread.sleep(20);
			}
		}
		finally {
			check.shutdown();
		}
	}

	@Override
	public String label() {
		return LABEL;
	}

	@Override
	public String description() {
		return "two PubSubs, RedisPubSubAdapter on a LettuceConnectionFactory each (publish queue 10,000), "
				+ "subscriber: one connection of a Thousand Island server";
	}

	@Override
	public long publishUntil(CrossInstanceWindow window, long end) throws InterruptedException {
		this.window = window;
		long sequence = 0;
		long stalls = 0;
		while (System.nanoTime() - end < 0) {
			if (!window.acquire()) {
				stalls++;
				continue;
			}
			this.publisher.broadcast(TOPIC, FanOutMessage.stampedNow(sequence++));
		}
		return stalls;
	}

	@Override
	public void close() throws IOException {
		this.client.close();
		this.server.stop();
		this.publisher.close();
		this.subscriber.close();
		this.publisherRedis.destroy();
		this.subscriberRedis.destroy();
	}

	/** Subscribes its connection, and counts what it is delivered. */
	final class Receiver implements Handler<Void> {

		@Override
		public Result<Void> handleConnection(dev.thousandisland.Socket socket, Void state) {
			ThousandIslandRedisPath.this.subscriber.subscribe(socket.connection(), TOPIC);
			return Result.continueWith(state);
		}

		@Override
		public Result<Void> handleMessage(Object message, dev.thousandisland.Socket socket, Void state) {
			CrossInstanceWindow current = ThousandIslandRedisPath.this.window;
			if (current != null) {
				current.received((byte[]) message);
			}
			return Result.continueWith(state);
		}

	}

}
