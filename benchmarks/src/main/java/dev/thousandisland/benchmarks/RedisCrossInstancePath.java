package dev.thousandisland.benchmarks;

/**
 * One way of carrying 64-byte messages from a publisher to a subscriber through one
 * {@code redis-server}, measured by {@link PubSubRedisBenchmark}.
 */
interface RedisCrossInstancePath extends AutoCloseable {

	/**
	 * Returns what to call it in the results.
	 * @return the label
	 */
	String label();

	/**
	 * Returns how it is set up, for the results.
	 * @return one line
	 */
	String description();

	/**
	 * Publishes messages numbered from 0, as fast as the window lets, until {@code end}; the
	 * receiving side hands each one that arrives to the window.
	 * @param window where the receiver counts, and the publisher's permits
	 * @param end {@link System#nanoTime()} to stop at
	 * @return how many times the publisher waited a second for a permit in vain (a lost message)
	 * @throws Exception if publishing fails
	 */
	long publishUntil(CrossInstanceWindow window, long end) throws Exception;

}
