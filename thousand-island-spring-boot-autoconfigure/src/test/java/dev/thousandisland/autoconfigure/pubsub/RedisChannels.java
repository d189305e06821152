package dev.thousandisland.autoconfigure.pubsub;

import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * What Redis itself says about its channels ({@code PUBSUB NUMSUB}, {@code PUBSUB CHANNELS}),
 * asked over a connection of its own, apart from the instances under test.
 */
final class RedisChannels implements AutoCloseable {

	private final RedisClient client;

	private final StatefulRedisConnection<String, String> connection;

	RedisChannels(int port) {
		this.client = RedisClient.create(RedisURI.create("127.0.0.1", port));
		this.connection = this.client.connect();
	}

	long subscribers(String channel) {
		Map<String, Long> counts = this.connection.sync().pubsubNumsub(channel);
		return counts.getOrDefault(channel, 0L);
	}

	List<String> channels(String pattern) {
		return this.connection.sync().pubsubChannels(pattern);
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown();
	}

}
