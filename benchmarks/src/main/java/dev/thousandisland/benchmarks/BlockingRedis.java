package dev.thousandisland.benchmarks;

/**
 * SET and GET as a blocking caller sends them, one command per call, through one client of
 * {@link RedisClientBenchmark}; safe to call from many threads at once.
 */
interface BlockingRedis extends AutoCloseable {

	/**
	 * Names the client in the results.
	 * @return its label, such as "Jedis, JedisPool of 64"
	 */
	String name();

	/**
	 * Sends {@code SET key value} and waits for the reply.
	 * @param key the key
	 * @param value the value
	 * @return the reply, {@code OK}
	 * @throws Exception if there is no reply
	 */
	String set(String key, String value) throws Exception;

	/**
	 * Sends {@code GET key} and waits for the reply.
	 * @param key the key
	 * @return the value
	 * @throws Exception if there is no reply
	 */
	String get(String key) throws Exception;

}
