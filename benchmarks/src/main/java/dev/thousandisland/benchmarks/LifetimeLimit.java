package dev.thousandisland.benchmarks;

import java.time.Duration;

/**
 * Halts a benchmark child JVM that outlives its limit, so that a lost harness never leaves a
 * server or load generator behind.
 */
final class LifetimeLimit {

	private LifetimeLimit() {
	}

	/**
	 * Starts a daemon watchdog that halts the JVM after {@code limit}.
	 * @param limit the longest the JVM may live
	 * @param who the name printed when it halts
	 */
	static void haltAfter(Duration limit, String who) {
		Thread.ofPlatform().daemon().name("lifetime-watchdog").start(() -> {
			try {
				Thread.sleep(limit);
			}
			catch (InterruptedException ex) {
				return;
			}
			System.err.println(who + ": lived " + limit + ", halting");
			Runtime.getRuntime().halt(3);
		});
	}

}
