package dev.thousandisland.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One thread sends {@link #BATCH} commands without waiting (half SET, half GET over
 * {@link RedisKeys}), then waits for all their replies, again and again; every reply is checked
 * against what its command must get.
 */
final class AsyncBatches {

	/** Commands per batch. */
	static final int BATCH = 256;

	private AsyncBatches() {
	}

	/**
	 * Sends batches for the given time.
	 * @return commands per second
	 * @throws IllegalStateException naming the first wrong reply
	 */
	static double run(AsyncRedis client, int seconds) {
		long commands = 0;
		long start = System.nanoTime();
		long end = start + TimeUnit.SECONDS.toNanos(seconds);
		List<CompletableFuture<String>> replies = new ArrayList<>(BATCH);
		while (System.nanoTime() - end < 0) {
			replies.clear();
			for (int i = 0; i < BATCH; i++) {
				String key = RedisKeys.key(i);
				replies.add(((i & 1) == 0 ? client.setAsync(key, RedisKeys.value(i)) : client.getAsync(key))
					.toCompletableFuture());
			}
			CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).join();
			for (int i = 0; i < BATCH; i++) {
				String expected = ((i & 1) == 0) ? "OK" : RedisKeys.value(i);
				String reply = replies.get(i).join();
				if (!expected.equals(reply)) {
					throw new IllegalStateException(client.name() + ": command " + i + " of a batch, on "
							+ RedisKeys.key(i) + ", answered " + reply + ", not " + expected);
				}
			}
			commands += BATCH;
		}
		return commands / ((System.nanoTime() - start) / 1e9);
	}

}
