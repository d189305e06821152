package dev.thousandisland.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link #CALLERS} virtual threads, each sending one command and waiting for its reply, half SET
 * and half GET over {@link RedisKeys}, every reply checked against what its command must get: a
 * wrong reply (one meant for another request) fails the run instead of counting.
 */
final class BlockingCallers {

	/** The blocking callers. */
	static final int CALLERS = 64;

	private BlockingCallers() {
	}

	/**
	 * Runs the callers for the given time.
	 * @return commands per second
	 * @throws IllegalStateException naming the first wrong reply or failure, if any
	 */
	static double run(BlockingRedis client, int seconds) throws InterruptedException {
		LongAdder done = new LongAdder();
		AtomicReference<String> wrong = new AtomicReference<>();
		long start = System.nanoTime();
		long end = start + TimeUnit.SECONDS.toNanos(seconds);
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < CALLERS; t++) {
			long first = t;
			threads.add(Thread.ofVirtual().start(() -> call(client, first, end, done, wrong)));
		}
		for (Thread thread : threads) {
			thread.join();
		}
		double rate = done.sum() / ((System.nanoTime() - start) / 1e9);
		if (wrong.get() != null) {
			throw new IllegalStateException(client.name() + ": " + wrong.get());
		}
		return rate;
	}

	private static void call(BlockingRedis client, long first, long end, LongAdder done,
			AtomicReference<String> wrong) {
		long n = first;
		try {
			while (System.nanoTime() - end < 0 && wrong.get() == null) {
				String key = RedisKeys.key(n);
				String expected = RedisKeys.value(n);
				if ((n & 1) == 0) {
					String reply = client.set(key, expected);
					if (!"OK".equals(reply)) {
						wrong.compareAndSet(null, "SET " + key + " answered " + reply);
					}
				}
				else {
					String reply = client.get(key);
					if (!expected.equals(reply)) {
						wrong.compareAndSet(null, "GET " + key + " answered " + reply + ", not " + expected);
					}
				}
				n++;
				done.increment();
			}
		}
		catch (Exception ex) {
			wrong.compareAndSet(null, "a caller failed: " + ex);
		}
	}

}
