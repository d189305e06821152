package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The memory of the JVM this runs in, measured after full collections: resident set size from
 * {@code /proc/self/status} ({@code VmRSS}) and used heap from the {@code MemoryMXBean}.
 *
 * @param rssBytes the resident set size
 * @param heapUsedBytes the heap in use after collection
 */
record ProcessMemory(long rssBytes, long heapUsedBytes) {

	/**
	 * Collects garbage a few times, lets the collector settle, then measures.
	 * @return the measurement
	 * @throws IOException if {@code /proc/self/status} cannot be read
	 * @throws InterruptedException if interrupted while settling
	 */
	static ProcessMemory measure() throws IOException, InterruptedException {
		for (int i = 0; i < 3; i++) {
			System.gc();
			Thread.sleep(200);
		}
		long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
		return new ProcessMemory(residentSetSize(), heap);
	}

	private static long residentSetSize() throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
			if (line.startsWith("VmRSS:")) {
				String[] fields = line.substring("VmRSS:".length()).trim().split("\\s+");
				return Long.parseLong(fields[0]) * 1024;
			}
		}
		throw new IOException("no VmRSS in /proc/self/status");
	}

}
