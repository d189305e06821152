package dev.thousandisland.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.stream.Stream;

/**
 * What the test JVM (or a child process) holds: open descriptors, heap after a full GC, threads,
 * CPU time. Linux only, through /proc.
 */
final class JvmStats {

	private static final long MIB = 1024 * 1024;

	private static volatile long clockTicks;

	private JvmStats() {
	}

	/** Whether /proc is there to read. */
	static boolean procAvailable() {
		return Files.isDirectory(Path.of("/proc/self/fd"));
	}

	/** This JVM's open file descriptors. */
	static long openFds() {
		try (Stream<Path> files = Files.list(Path.of("/proc/self/fd"))) {
			return files.count();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Heap in use after full collections, in bytes. Several collections with a pause for reference
	 * processing in between, so that objects reachable only through finalizable or cleanable
	 * references are gone too.
	 */
	static long heapAfterGc() {
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	static double mib(long bytes) {
		return bytes / (double) MIB;
	}

	/** Live platform threads of this JVM (virtual threads are not counted here). */
	static int platformThreads() {
		return ManagementFactory.getThreadMXBean().getThreadCount();
	}

	/** How many of these threads are still alive. */
	static long alive(Collection<Thread> threads) {
		return threads.stream().filter(Thread::isAlive).count();
	}

	/**
	 * CPU time a process has used so far, user plus system, in seconds, from
	 * {@code /proc/<pid>/stat}.
	 */
	static double cpuSeconds(long pid) {
		try {
			String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
			// The command name is in parentheses and may hold spaces: count fields after it.
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
			// Fields 14 and 15 of stat(5) (utime, stime) are 12 and 13 after the state field (3).
			long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
			return ticks / (double) clockTicks();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The kernel's clock ticks per second (getconf CLK_TCK), 100 when it cannot be asked. */
	static long clockTicks() {
		if (clockTicks == 0) {
			long ticks = 100;
			try {
				Process process = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
				String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
				if (process.waitFor() == 0 && output.matches("\\d+")) {
					ticks = Long.parseLong(output);
				}
			}
			catch (IOException ex) {
				// Keep the usual value.
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			clockTicks = ticks;
		}
		return clockTicks;
	}

}
