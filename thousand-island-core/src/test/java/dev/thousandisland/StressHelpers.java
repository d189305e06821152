package dev.thousandisland;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The threads the stress handler starts to act on a connection from outside (pushers, tellers,
 * closers, flooders), kept so that a round can wait for them and report any that never ends.
 */
final class StressHelpers {

	private final Queue<Thread> threads = new ConcurrentLinkedQueue<>();

	private final String prefix;

	StressHelpers(String prefix) {
		this.prefix = prefix;
	}

	void start(String name, Action action) {
		this.threads.add(Thread.ofVirtual().name(this.prefix + "-" + name).start(() -> {
			try {
				action.run();
			}
			catch (Exception ex) {
				// A connection that ended under a helper is part of the test, not a failure.
			}
		}));
	}

	/** Waits for every helper to end; returns those still running after {@code wait}. */
	List<Thread> awaitAll(Duration wait) throws InterruptedException {
		long deadline = System.nanoTime() + wait.toNanos();
		for (Thread thread : this.threads) {
			long remaining = deadline - System.nanoTime();
			if (remaining > 0) {
				thread.join(Duration.ofNanos(remaining));
			}
		}
		return this.threads.stream().filter(Thread::isAlive).toList();
	}

	@FunctionalInterface
	interface Action {

		void run() throws Exception;

	}

}
