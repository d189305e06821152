package dev.thousandisland.benchmarks;

import java.util.Locale;

/**
 * How big a comparison run is.
 *
 * @param rounds interleaved rounds; every server runs every workload once per round
 * @param seconds how long each throughput measurement counts, after its warm-up
 * @param warmupSeconds how long each throughput measurement runs before it starts counting
 * @param idleSmall the smaller idle-connection count (also the drain workload's)
 * @param idleLarge the larger idle-connection count
 * @param quick whether this is the smoke run, whose numbers are not measurements
 */
record RunSettings(int rounds, int seconds, int warmupSeconds, int idleSmall, int idleLarge, boolean quick) {

	/** Echo connections with one small message in flight each: the lower count. */
	static final int ECHO_FEW = 100;

	/** Echo connections with one small message in flight each: the higher count. */
	static final int ECHO_MANY = 1_000;

	/** Bytes in a small echo message. */
	static final int SMALL_MESSAGE = 64;

	/** Bytes in a bulk echo message. */
	static final int BULK_MESSAGE = 16 * 1024;

	/** Connections for bulk echo. */
	static final int BULK_CONNECTIONS = 100;

	/** Small requests each pipelining connection writes at once (one write of them all). */
	static final int PIPELINE_DEPTH = 16;

	/** Connections of the pipelined workload. */
	static final int PIPELINE_CONNECTIONS = 100;

	/** Connections in flight for the churn workload. */
	static final int CHURN_IN_FLIGHT = 64;

	/** Client threads for TLS handshakes (as in {@link TlsBenchmark}). */
	static final int TLS_HANDSHAKE_THREADS = 16;

	/** Connections for TLS bulk echo (as in {@link TlsBenchmark}). */
	static final int TLS_BULK_CONNECTIONS = 4;

	/** File descriptors a server JVM needs beyond its connections. */
	static final int SPARE_FILE_DESCRIPTORS = 1_000;

	/**
	 * Reads the arguments: {@code quick}, or {@code [rounds] [seconds] [warm-up seconds]} (5, 5 and
	 * 5 by default: every measurement starts a fresh server JVM, whose JIT needs the warm-up).
	 * @param args the command line
	 * @return the settings
	 */
	static RunSettings parse(String[] args) {
		if (args.length > 0 && args[0].equals("quick")) {
			return new RunSettings(1, 2, 1, 1_000, 2_000, true);
		}
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 5;
		int seconds = (args.length > 1) ? Integer.parseInt(args[1]) : 5;
		int warmup = (args.length > 2) ? Integer.parseInt(args[2]) : 5;
		return new RunSettings(rounds, seconds, warmup, 10_000, 50_000, false);
	}

	/**
	 * Scales the idle counts down to what the open-files limit allows: the server JVM holds one
	 * descriptor per connection, and so does the load generator.
	 * @param openFilesLimit the hard limit, or a negative number when unknown
	 * @param results where to note a scaling
	 * @return the settings that fit
	 */
	RunSettings fitTo(long openFilesLimit, Results results) {
		if (openFilesLimit < 0) {
			return this;
		}
		long room = Math.max(1_000, (openFilesLimit - SPARE_FILE_DESCRIPTORS) / 1_000 * 1_000);
		int small = (int) Math.min(this.idleSmall, room);
		int large = (int) Math.min(this.idleLarge, room);
		if (small != this.idleSmall || large != this.idleLarge) {
			results.note(String.format(Locale.ROOT,
					"The hard limit on open files is %,d (`ulimit -Hn`), and each of the server and the load generator "
							+ "needs one descriptor per connection: the idle workloads ran at %,d and %,d connections "
							+ "instead of %,d and %,d.",
					openFilesLimit, small, large, this.idleSmall, this.idleLarge));
		}
		return new RunSettings(this.rounds, this.seconds, this.warmupSeconds, small, large, this.quick);
	}

}
