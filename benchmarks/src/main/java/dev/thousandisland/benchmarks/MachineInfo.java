package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The machine and JDK a run measured on, for the head of the results.
 *
 * @param date when the run started, UTC
 * @param jdk the Java runtime version and VM
 * @param cpuModel the CPU's model name from {@code /proc/cpuinfo}
 * @param cores the processors available to the JVM
 * @param os the operating system and kernel
 * @param openFilesLimit the hard limit on open files ({@code -1} if unknown)
 */
record MachineInfo(Instant date, String jdk, String cpuModel, int cores, String os, long openFilesLimit) {

	static MachineInfo current() {
		return new MachineInfo(Instant.now().truncatedTo(ChronoUnit.SECONDS),
				Runtime.version() + " (" + System.getProperty("java.vm.name") + ", "
						+ System.getProperty("java.vm.vendor") + ")",
				readCpuModel(), Runtime.getRuntime().availableProcessors(),
				System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
						+ System.getProperty("os.arch"),
				openFilesHardLimit());
	}

	/**
	 * Returns the machine of this run as one line, for the head of a smaller benchmark's results.
	 * @return date, JDK, CPU, cores, OS and the open-files hard limit
	 */
	static String describe() {
		MachineInfo machine = current();
		return "Measured " + machine.date() + ", JDK " + machine.jdk() + ", " + machine.cpuModel() + " ("
				+ machine.cores() + " cores), " + machine.os() + ", open-files hard limit "
				+ machine.openFilesLimit() + ".";
	}

	private static String readCpuModel() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
				if (line.startsWith("model name")) {
					return line.substring(line.indexOf(':') + 1).trim();
				}
			}
		}
		catch (IOException ex) {
			// fall through
		}
		return "unknown";
	}

	/**
	 * Reads the hard limit on open files from {@code /proc/self/limits}; the harness's children
	 * inherit it, and each JVM raises its soft limit to it.
	 */
	private static long openFilesHardLimit() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
				if (line.startsWith("Max open files")) {
					String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
					return fields[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(fields[1]);
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// fall through
		}
		return -1;
	}

}
