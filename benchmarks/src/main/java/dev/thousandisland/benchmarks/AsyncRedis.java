package dev.thousandisland.benchmarks;

import java.util.concurrent.CompletionStage;

/**
 * SET and GET sent without waiting, for the batch workload of {@link RedisClientBenchmark}.
 */
interface AsyncRedis extends AutoCloseable {

	/**
	 * Names the client in the results.
	 * @return its label
	 */
	String name();

	/**
	 * Sends {@code SET key value}.
	 * @param key the key
	 * @param value the value
	 * @return the reply's future
	 */
	CompletionStage<String> setAsync(String key, String value);

	/**
	 * Sends {@code GET key}.
	 * @param key the key
	 * @return the reply's future
	 */
	CompletionStage<String> getAsync(String key);

}
