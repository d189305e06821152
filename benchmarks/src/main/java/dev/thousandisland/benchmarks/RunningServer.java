package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A {@link BenchmarkServer} JVM of {@link ComparisonBenchmark} and the port it listens on. Closing
 * it closes its input, which stops it.
 *
 * @param process the JVM
 * @param port the port
 */
record RunningServer(ChildProcess process, int port) implements AutoCloseable {

	/**
	 * Starts a server JVM and waits until it listens; records what it says it runs.
	 * @param peer the server
	 * @param protocol what it speaks
	 * @param keyStore the TLS key store, or {@code null} for plain TCP
	 * @param jvmOptions the server JVM's options
	 * @param results where to record the server's description
	 * @return the running server
	 * @throws IOException if it does not start or does not say it listens within a minute
	 * @throws InterruptedException if interrupted while waiting
	 * @throws IllegalStateException if Netty did not run on native epoll
	 */
	static RunningServer start(Peer peer, Protocol protocol, Path keyStore, List<String> jvmOptions, Results results)
			throws IOException, InterruptedException {
		List<String> args = new ArrayList<>(List.of(peer.id(), protocol.name().toLowerCase(Locale.ROOT)));
		if (keyStore != null) {
			args.add(keyStore.toString());
		}
		ChildProcess process = ChildProcess.startJava(peer.id() + " server", jvmOptions, BenchmarkServer.class, args);
		try {
			String[] ready = process.expect("ready", Duration.ofSeconds(60));
			String description = String.join(" ", Arrays.copyOfRange(ready, 2, ready.length));
			if (peer == Peer.NETTY_EPOLL && !description.contains("EpollServerSocketChannel")) {
				throw new IllegalStateException("Netty did not run on native epoll: " + description);
			}
			if (results.describe(peer, description)) {
				System.err.println(peer.label() + " runs: " + description);
			}
			return new RunningServer(process, Integer.parseInt(ready[1]));
		}
		catch (IOException | RuntimeException ex) {
			process.close();
			throw ex;
		}
	}

	@Override
	public void close() {
		this.process.close();
	}

}
