package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The heap a Thousand Island TLS server spends per idle connection whose client sent the start of
 * a TLS record and nothing more (a slowloris), with hibernation (the default) and without.
 * {@code TlsIdleMemoryBenchmark [connections]} (5,000 by default).
 *
 * <p>The server runs in a JVM of its own ({@link BenchmarkServer}); this JVM is the client. Each
 * client completes the TLS 1.3 handshake, then writes three bytes of a record header past TLS,
 * straight onto the socket. The server's heap is measured after full GCs before and after the
 * connections are opened, and divided by their number.
 */
public final class TlsIdleMemoryBenchmark {

	private static final byte[] PARTIAL_RECORD = { 0x17, 0x03, 0x03 };

	private TlsIdleMemoryBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int connections = (args.length > 0) ? Integer.parseInt(args[0]) : 5_000;
		Path store = BenchmarkCertificate.create();
		try {
			SSLContext client = BenchmarkCertificate.clientContext(store);
			for (String hibernateAfter : List.of("", ThousandIslandServer.NEVER)) {
				measure(connections, store, client, hibernateAfter);
			}
		}
		finally {
			Files.deleteIfExists(store);
			Files.deleteIfExists(store.getParent());
		}
	}

	private static void measure(int connections, Path store, SSLContext client, String hibernateAfter)
			throws Exception {
		List<String> options = new ArrayList<>(ComparisonBenchmark.serverOptions());
		if (!hibernateAfter.isEmpty()) {
			options.add("-D" + ThousandIslandServer.HIBERNATE_AFTER_PROPERTY + "=" + hibernateAfter);
		}
		Duration step = Duration.ofMinutes(3);
		List<java.net.Socket> sockets = new ArrayList<>();
		try (ChildProcess server = ChildProcess.startJava("server", options, BenchmarkServer.class,
				List.of(Peer.THOUSAND_ISLAND.id(), "echo", store.toString()))) {
			String[] ready = server.expect("ready", Duration.ofSeconds(60));
			int port = Integer.parseInt(ready[1]);
			server.send("memory 0");
			String[] before = server.expect("memory", step);
			try (ExecutorService clients = Executors.newFixedThreadPool(8)) {
				List<Future<java.net.Socket>> opened = new ArrayList<>();
				for (int i = 0; i < connections; i++) {
					opened.add(clients.submit(() -> open(client, port)));
				}
				for (Future<java.net.Socket> socket : opened) {
					sockets.add(socket.get());
				}
			}
			server.send("memory " + connections);
			String[] after = server.expect("memory", step);
			double heapPer = (Long.parseLong(after[3]) - Long.parseLong(before[3])) / (double) connections;
			double rssPer = (Long.parseLong(after[2]) - Long.parseLong(before[2])) / (double) connections;
			System.out.printf(Locale.ROOT,
					"%,d idle TLS connections, each parked on 3 bytes of a record%s: %,.0f B heap and %,.0f B RSS "
							+ "per connection (%s open)%n",
					connections, hibernateAfter.isEmpty() ? "" : ", hibernateAfter=" + hibernateAfter, heapPer,
					rssPer, after[1]);
			server.send("stop");
			server.expect("stopped", step);
		}
		finally {
			for (java.net.Socket socket : sockets) {
				socket.close();
			}
		}
	}

	private static java.net.Socket open(SSLContext context, int port) throws IOException {
		java.net.Socket plain = new java.net.Socket();
		plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
		plain.setSoTimeout(10_000);
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "localhost", port, true);
		socket.setEnabledProtocols(new String[] { "TLSv1.3" });
		socket.startHandshake();
		// Past TLS, onto the wire: the start of a record whose rest never comes.
		plain.getOutputStream().write(PARTIAL_RECORD);
		plain.getOutputStream().flush();
		return plain;
	}

}
