package dev.thousandisland.benchmarks;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The workloads of one {@link ComparisonBenchmark} round, in order. The {@value #PROPERTY} system
 * property (a comma-separated list of names, such as {@code ECHO_FEW,PIPELINED}) runs only those;
 * all of them by default.
 */
enum Workload {

	/** Echo of small messages at the lower connection count. */
	ECHO_FEW,

	/**
	 * {@link #ECHO_FEW} with each message one LF-ended line, through each server's own line framing
	 * ({@link Protocol#LINE_ECHO}).
	 */
	FRAMED_LINE,

	/**
	 * {@link #ECHO_FEW} with each message one frame of a 4-byte length and its payload, through each
	 * server's own length-prefixed framing ({@link Protocol#LENGTH_ECHO}).
	 */
	FRAMED_LENGTH,

	/** Echo of small messages at the higher connection count. */
	ECHO_MANY,

	/** Echo of large messages. */
	ECHO_BULK,

	/** Small requests written 16 at a time, each read answered with one write. */
	PIPELINED,

	/** Connect, read one line, close. */
	CHURN,

	/** TLS 1.3 handshakes. */
	TLS_HANDSHAKES(true),

	/** TLS 1.3 echo of large messages. */
	TLS_BULK(true),

	/** Memory per idle connection, and the drain time of stop(), at the smaller count. */
	IDLE_SMALL,

	/** Memory per idle connection at the larger count. */
	IDLE_LARGE;

	/** The system property naming the workloads to run. */
	static final String PROPERTY = "benchmarks.workloads";

	private final boolean tls;

	Workload() {
		this(false);
	}

	Workload(boolean tls) {
		this.tls = tls;
	}

	/**
	 * Returns whether a server takes part in this workload.
	 * @param peer the server
	 * @return {@code false} for a TLS workload and a server without TLS in the benchmark
	 */
	boolean runsOn(Peer peer) {
		return !this.tls || peer.speaksTls();
	}

	/**
	 * Returns the workloads the {@value #PROPERTY} system property names, or all of them.
	 * @return the workloads, in round order
	 */
	static Set<Workload> selected() {
		String names = System.getProperty(PROPERTY, "");
		if (names.isBlank()) {
			return EnumSet.allOf(Workload.class);
		}
		Set<Workload> selected = EnumSet.noneOf(Workload.class);
		for (String name : names.split(",")) {
			selected.add(valueOf(name.trim().toUpperCase(Locale.ROOT)));
		}
		return selected;
	}

}
