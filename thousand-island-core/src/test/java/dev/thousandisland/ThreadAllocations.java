package dev.thousandisland;

import java.lang.management.ManagementFactory;

/**
 * The bytes the current thread has allocated so far, from the JDK's per-thread counter: fuzz
 * targets take the difference around a parse to check that no input costs more than a linear
 * amount of memory. Public for the fuzz targets in the framing and PROXY packages.
 */
public final class ThreadAllocations {

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	private ThreadAllocations() {
	}

	/**
	 * Returns what the current thread has allocated since it started.
	 * @return the bytes
	 */
	public static long current() {
		return THREADS.getCurrentThreadAllocatedBytes();
	}

}
