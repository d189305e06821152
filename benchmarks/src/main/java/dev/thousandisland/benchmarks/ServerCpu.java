package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.time.Duration;

/**
 * The server JVM's process CPU time (user and system, every thread) over a load generator's
 * measurement window: when the load generator prints {@code measuring} the harness asks the server
 * for its CPU time ({@code cpu}, answered from {@code OperatingSystemMXBean.getProcessCpuTime()}),
 * and again at {@code measured}. Dividing by the messages counted in the same window gives the
 * server's CPU per message, which still tells the servers apart when the load generator, sharing
 * the machine's cores, saturates first and throughput no longer does.
 */
final class ServerCpu {

	private ServerCpu() {
	}

	/**
	 * Waits for the load generator's window and samples the server's CPU time at both ends.
	 * @param server the server JVM
	 * @param load the load generator JVM
	 * @param timeout how long to wait for each line
	 * @return CPU nanoseconds the server spent inside the window
	 * @throws IOException if either process fails to answer in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	static long overWindow(ChildProcess server, ChildProcess load, Duration timeout)
			throws IOException, InterruptedException {
		load.expect("measuring", timeout);
		long start = sample(server, timeout);
		load.expect("measured", timeout);
		return sample(server, timeout) - start;
	}

	private static long sample(ChildProcess server, Duration timeout) throws IOException, InterruptedException {
		server.send("cpu");
		return Long.parseLong(server.expect("cpu", timeout)[1]);
	}

	/**
	 * Returns this JVM's CPU time, for a server answering {@code cpu}.
	 * @return process CPU nanoseconds, or -1 if the JVM cannot tell
	 */
	static long ofThisProcess() {
		if (java.lang.management.ManagementFactory
			.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
			return os.getProcessCpuTime();
		}
		return -1;
	}

}
