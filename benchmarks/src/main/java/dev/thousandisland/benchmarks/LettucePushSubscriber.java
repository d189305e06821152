package dev.thousandisland.benchmarks;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

/**
 * Lettuce as a {@link PushSubscriber}: one {@link StatefulRedisPubSubConnection} on RESP3, whose
 * {@code sync()} commands Lettuce allows while subscribed on RESP3 (on RESP2 it refuses all but
 * the subscription commands), with a {@link RedisPubSubAdapter} listener receiving the
 * {@code message} pushes, as a Lettuce user mixes the two.
 */
final class LettucePushSubscriber implements PushSubscriber {

	private static final String CHANNEL = "push-mix:lettuce";

	private final PushTally tally = new PushTally();

	private final RedisClient client;

	private final StatefulRedisPubSubConnection<String, String> connection;

	LettucePushSubscriber(int port) {
		this.client = RedisClient.create(RedisURI.create("127.0.0.1", port));
		this.client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
		this.connection = this.client.connectPubSub();
		this.connection.addListener(new RedisPubSubAdapter<>() {

			@Override
			public void message(String channel, String message) {
				if (CHANNEL.equals(channel)) {
					LettucePushSubscriber.this.tally.received(message);
				}
				else {
					LettucePushSubscriber.this.tally.unexpected("message on " + channel);
				}
			}

		});
		this.connection.sync().subscribe(CHANNEL);
	}

	@Override
	public String name() {
		return "Lettuce, one shared connection";
	}

	@Override
	public String channel() {
		return CHANNEL;
	}

	@Override
	public PushTally tally() {
		return this.tally;
	}

	@Override
	public String set(String key, String value) {
		return this.connection.sync().set(key, value);
	}

	@Override
	public String get(String key) {
		return this.connection.sync().get(key);
	}

	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown();
	}

}
