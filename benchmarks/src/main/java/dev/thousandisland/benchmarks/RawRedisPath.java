package dev.thousandisland.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

/**
 * The peer: Redis PUBLISH and SUBSCRIBE with nothing around them. A Lettuce connection publishes
 * the 64-byte messages the way the adapter's publisher does (whatever the window allows, at most
 * {@link #BATCH} at a time, sent as one pipeline whose replies are awaited before the next), and a
 * Lettuce pub/sub connection subscribed to the channel hands each message to the window on
 * Lettuce's event loop, as the adapter's listener container does.
 */
final class RawRedisPath implements RedisCrossInstancePath {

	/** As many PUBLISHes per pipeline as the adapter's publisher sends at most. */
	static final int BATCH = 512;

	/** As long as the adapter's channel for the same topic ({@code thousandisland:bench:fan-out}). */
	private static final byte[] CHANNEL = "thousandisland:bench:raw-fan".getBytes(StandardCharsets.UTF_8);

	private final RedisClient client;

	private final StatefulRedisConnection<byte[], byte[]> publisher;

	private final StatefulRedisPubSubConnection<byte[], byte[]> subscriber;

	/** The path's name in the results. */
	static final String LABEL = "raw Redis (Lettuce)";

	private volatile CrossInstanceWindow window;

	RawRedisPath(int port) {
		this.client = RedisClient.create(RedisURI.create("127.0.0.1", port));
		this.publisher = this.client.connect(ByteArrayCodec.INSTANCE);
		this.subscriber = this.client.connectPubSub(ByteArrayCodec.INSTANCE);
		this.subscriber.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
			@Override
			public void message(byte[] channel, byte[] message) {
				CrossInstanceWindow current = RawRedisPath.this.window;
				if (current != null) {
					current.received(message);
				}
			}
		});
		this.subscriber.sync().subscribe(CHANNEL);
	}

	@Override
	public String label() {
		return LABEL;
	}

	@Override
	public String description() {
		return "Lettuce " + RedisClient.class.getPackage().getImplementationVersion() + ": PUBLISH of the 64 bytes in "
				+ "pipelines of up to " + BATCH + " on one connection, SUBSCRIBE on another";
	}

	@Override
	public long publishUntil(CrossInstanceWindow window, long end) throws Exception {
		this.window = window;
		long sequence = 0;
		long stalls = 0;
		List<CompletableFuture<Long>> replies = new ArrayList<>(BATCH);
		while (System.nanoTime() - end < 0) {
			int batch = window.acquireUpTo(BATCH);
			if (batch == 0) {
				stalls++;
				continue;
			}
			replies.clear();
			for (int i = 0; i < batch; i++) {
				replies.add(this.publisher.async().publish(CHANNEL, FanOutMessage.stampedNow(sequence++))
					.toCompletableFuture());
			}
			CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
		}
		return stalls;
	}

	@Override
	public void close() {
		this.subscriber.close();
		this.publisher.close();
		this.client.shutdown();
	}

}
