package dev.thousandisland.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;


import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * One peer server in a JVM of its own, driven over standard input by {@link ComparisonBenchmark}:
 * {@code BenchmarkServer <thousand-island|netty-epoll|reactor-netty|spring-integration|naive-vt>
 * <echo|daytime|line_echo|length_echo> [tls key store]}.
 *
 * <p>Prints {@code ready <port> <description>} once listening, then answers one command a line:
 * <ul>
 * <li>{@code memory <n>}: waits (at most two minutes) until {@code n} connections are open, then
 * prints {@code memory <open connections> <rss bytes> <heap bytes>} measured after full GCs;
 * <li>{@code cpu}: prints {@code cpu <process CPU nanoseconds>} ({@link ServerCpu});
 * <li>{@code stop}: stops the server as its users would and prints
 * {@code stopped <nanoTime at stop()> <nanoTime when it returned> <connections left>}, then exits.
 * </ul>
 * End of input stops the server too, and the JVM halts by itself after {@link #MAX_LIFETIME} in
 * any case, so a lost harness never leaves it behind.
 */
public final class BenchmarkServer {

	/** The longest a benchmark server may live. */
	static final Duration MAX_LIFETIME = Duration.ofMinutes(15);

	private BenchmarkServer() {
	}

	public static void main(String[] args) throws Exception {
		LifetimeLimit.haltAfter(MAX_LIFETIME, "BenchmarkServer");
		Peer peer = Peer.of(args[0]);
		Protocol protocol = Protocol.valueOf(args[1].toUpperCase());
		Path store = (args.length > 2) ? Path.of(args[2]) : null;
		PeerServer server = start(peer, protocol, store);
		System.out.println("ready " + server.port() + " " + server.description());
		System.out.flush();
		BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String command;
		while ((command = commands.readLine()) != null) {
			String[] words = command.trim().split(" ");
			if (words[0].equals("memory")) {
				int expected = Integer.parseInt(words[1]);
				long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
				while (server.connections() < expected && System.nanoTime() < deadline) {
					Thread.sleep(20);
				}
				ProcessMemory memory = ProcessMemory.measure();
				System.out.println("memory " + server.connections() + " " + memory.rssBytes() + " "
						+ memory.heapUsedBytes());
			}
			else if (words[0].equals("cpu")) {
				System.out.println("cpu " + ServerCpu.ofThisProcess());
			}
			else if (words[0].equals("stop")) {
				break;
			}
			else {
				System.out.println("error unknown command '" + command + "'");
			}
			System.out.flush();
		}
		long stopping = System.nanoTime();
		server.stop();
		long stopped = System.nanoTime();
		System.out.println("stopped " + stopping + " " + stopped + " " + server.connections());
		System.out.flush();
		System.exit(0);
	}

	private static PeerServer start(Peer peer, Protocol protocol, Path store) throws Exception {
		return switch (peer) {
			case THOUSAND_ISLAND -> new ThousandIslandServer(protocol,
					(store != null) ? BenchmarkCertificate.serverContext(store) : null);
			case NETTY_EPOLL -> new NettyEpollServer(protocol, (store != null) ? nettyContext(store) : null);
			case REACTOR_NETTY -> new ReactorNettyServer(protocol, (store != null) ? nettyContext(store) : null);
			case SPRING_INTEGRATION -> new SpringIntegrationServer(protocol);
			case NAIVE_VIRTUAL_THREADS -> new NaiveVirtualThreadServer(protocol,
					(store != null) ? BenchmarkCertificate.serverContext(store) : null);
		};
	}

	private static SslContext nettyContext(Path store) throws Exception {
		return SslContextBuilder.forServer(BenchmarkCertificate.keyManagers(store))
			.sslProvider(SslProvider.JDK)
			.protocols("TLSv1.3", "TLSv1.2")
			.build();
	}

}
