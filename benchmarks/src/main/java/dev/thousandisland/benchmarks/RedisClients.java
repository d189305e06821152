package dev.thousandisland.benchmarks;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;

import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientPool;
import dev.thousandisland.example.resp.RespClient;
import dev.thousandisland.example.resp.RespFraming;
import dev.thousandisland.framing.Framing;

/**
 * The clients {@link RedisClientBenchmark} compares, each as its users would set it up against
 * one {@code redis-server}: Thousand Island's client (one {@link ClientConnection}, or a
 * {@link ClientPool}) with the RESP example of the core's test jar, Lettuce's one shared
 * connection (default options) and Jedis's {@link JedisPool}.
 */
final class RedisClients {

	/** The members of Thousand Island's pool. */
	static final int POOL_MEMBERS = 4;

	/** JedisPool's size: one connection per blocking caller, as a Jedis user sizes it. */
	static final int JEDIS_POOL_MAX = 64;

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private RedisClients() {
	}

	static ClientConfig.Builder thousandIslandConfig(String name, int port, Framing replies) {
		return ClientConfig.builder(replies)
			.name(name)
			.tcp("127.0.0.1", port)
			.queueSize(10_000)
			.requestTimeout(TIMEOUT);
	}

	/** One connection; blocking calls through {@code request}, batches through {@code requestAsync}. */
	static ThousandIslandConnection thousandIsland(int port) {
		return new ThousandIslandConnection(ClientConnection.start(thousandIslandConfig("redis", port, new RespFraming()).build()));
	}

	/** A pool of {@link #POOL_MEMBERS}, pooled requests going to the member with the fewest outstanding. */
	static BlockingRedis thousandIslandPool(int port) {
		ClientPool pool = ClientPool.start(thousandIslandConfig("redis-pool", port, new RespFraming()).build(), POOL_MEMBERS);
		return new BlockingRedis() {

			@Override
			public String name() {
				return "Thousand Island, ClientPool of " + POOL_MEMBERS;
			}

			@Override
			public String set(String key, String value) throws Exception {
				return RespClient.decode(pool.request(RespClient.encode("SET", key, value), TIMEOUT));
			}

			@Override
			public String get(String key) throws Exception {
				return RespClient.decode(pool.request(RespClient.encode("GET", key), TIMEOUT));
			}

			@Override
			public void close() throws InterruptedException {
				pool.stop(Duration.ofSeconds(5));
			}

		};
	}

	static LettuceConnection lettuce(int port) {
		return new LettuceConnection(RedisClient.create(RedisURI.create("127.0.0.1", port)));
	}

	static BlockingRedis jedisPool(int port) {
		JedisPoolConfig config = new JedisPoolConfig();
		config.setMaxTotal(JEDIS_POOL_MAX);
		config.setMaxIdle(JEDIS_POOL_MAX);
		JedisPool pool = new JedisPool(config, "127.0.0.1", port);
		return new BlockingRedis() {

			@Override
			public String name() {
				return "Jedis, JedisPool of " + JEDIS_POOL_MAX;
			}

			@Override
			public String set(String key, String value) {
				try (Jedis jedis = pool.getResource()) {
					return jedis.set(key, value);
				}
			}

			@Override
			public String get(String key) {
				try (Jedis jedis = pool.getResource()) {
					return jedis.get(key);
				}
			}

			@Override
			public void close() {
				pool.close();
			}

		};
	}

	/** Thousand Island's single connection, blocking and async. */
	static final class ThousandIslandConnection implements BlockingRedis, AsyncRedis {

		private final ClientConnection connection;

		private final RespClient client;

		ThousandIslandConnection(ClientConnection connection) {
			this.connection = connection;
			this.client = new RespClient(connection);
		}

		@Override
		public String name() {
			return "Thousand Island, one ClientConnection";
		}

		@Override
		public String set(String key, String value) throws Exception {
			return this.client.command(TIMEOUT, "SET", key, value);
		}

		@Override
		public String get(String key) throws Exception {
			return this.client.command(TIMEOUT, "GET", key);
		}

		@Override
		public CompletionStage<String> setAsync(String key, String value) {
			return this.client.commandAsync(TIMEOUT, "SET", key, value);
		}

		@Override
		public CompletionStage<String> getAsync(String key) {
			return this.client.commandAsync(TIMEOUT, "GET", key);
		}

		@Override
		public void close() throws InterruptedException {
			this.connection.stop(Duration.ofSeconds(5));
		}

	}

	/** Lettuce's one shared connection: {@code sync()} for blocking callers, {@code async()} for batches. */
	static final class LettuceConnection implements BlockingRedis, AsyncRedis {

		private final RedisClient client;

		private final StatefulRedisConnection<String, String> connection;

		LettuceConnection(RedisClient client) {
			this.client = client;
			this.connection = client.connect();
		}

		@Override
		public String name() {
			return "Lettuce, one shared connection";
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
		public CompletionStage<String> setAsync(String key, String value) {
			return this.connection.async().set(key, value);
		}

		@Override
		public CompletionStage<String> getAsync(String key) {
			return this.connection.async().get(key);
		}

		@Override
		public void close() {
			this.connection.close();
			this.client.shutdown();
		}

	}

}
