package dev.thousandisland.benchmarks;

import java.util.concurrent.locks.LockSupport;

/**
 * Tells the harness, on the load generator's standard output, when a throughput measurement starts
 * and ends counting: {@code measuring} once the warm-up is over, {@code measured} at the end. The
 * harness samples the server's CPU time at each ({@link ServerCpu}), so that the CPU it charges
 * covers the same window as the messages it divides by.
 */
final class MeasurementWindow {

	private MeasurementWindow() {
	}

	/**
	 * Starts a daemon thread that prints the two lines at the given {@link System#nanoTime()}s.
	 * @param start when counting starts
	 * @param end when counting ends
	 */
	static void announce(long start, long end) {
		Thread.ofPlatform().daemon().name("measurement-window").start(() -> {
			sleepUntil(start);
			System.out.println("measuring");
			System.out.flush();
			sleepUntil(end);
			System.out.println("measured");
			System.out.flush();
		});
	}

	private static void sleepUntil(long nanoTime) {
		long left;
		while ((left = nanoTime - System.nanoTime()) > 0) {
			LockSupport.parkNanos(left);
		}
	}

}
