package dev.thousandisland.benchmarks;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The load generator of {@link ComparisonBenchmark}, in a JVM of its own so that it shares no
 * threads or code path with the server under test: plain Java NIO, non-blocking
 * {@link java.nio.channels.SocketChannel}s, one selector thread per core, loopback only.
 * <ul>
 * <li>{@code echo <port> <connections> <message bytes> <warm-up ms> <measure ms> [raw|line|length]}:
 * see {@link EchoClients}; the last word shapes each message as one frame (raw by default);
 * <li>{@code churn <port> <connections in flight> <warm-up ms> <measure ms>}: see
 * {@link ChurnClients};
 * <li>{@code idle <port> <connections> <hold s>}: see {@link IdleConnections}.
 * </ul>
 * Every mode ends by itself; the JVM halts after {@link #MAX_LIFETIME} whatever happens.
 */
public final class LoadGenerator {

	/** The longest a load generator may live. */
	static final Duration MAX_LIFETIME = Duration.ofMinutes(10);

	private LoadGenerator() {
	}

	public static void main(String[] args) throws Exception {
		LifetimeLimit.haltAfter(MAX_LIFETIME, "LoadGenerator");
		InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1]));
		switch (args[0]) {
			case "echo" -> new EchoClients(server, Integer.parseInt(args[2]), Integer.parseInt(args[3]),
					millisToNanos(args[4]), millisToNanos(args[5]),
					(args.length > 6) ? EchoClients.Framing.valueOf(args[6].toUpperCase()) : EchoClients.Framing.RAW)
				.run();
			case "churn" -> new ChurnClients(server, Integer.parseInt(args[2]), millisToNanos(args[3]),
					millisToNanos(args[4]))
				.run();
			case "idle" -> new IdleConnections(server, Integer.parseInt(args[2]),
					Duration.ofSeconds(Long.parseLong(args[3])).toNanos())
				.run();
			default -> throw new IllegalArgumentException("Unknown mode '" + args[0] + "'");
		}
		System.out.flush();
		System.exit(0);
	}

	private static long millisToNanos(String millis) {
		return Duration.ofMillis(Long.parseLong(millis)).toNanos();
	}

}
