package dev.thousandisland.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.Socket;
import dev.thousandisland.transport.Transport;

/**
 * TLS 1.3 handshakes per second and bulk echo throughput: Thousand Island's SSLEngine transport
 * against the alternative it was chosen over, a JDK {@link SSLServerSocket} with one blocking
 * virtual thread per connection (layered SSLSocket). Rounds alternate between the two so they
 * share the machine's noise; the load generator runs in its own JVM.
 */
public final class TlsBenchmark {

	private TlsBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 5;
		int seconds = (args.length > 1) ? Integer.parseInt(args[1]) : 3;
		Path store = BenchmarkCertificate.create();
		SSLContext serverContext = BenchmarkCertificate.serverContext(store);
		Map<String, List<Double>> results = new LinkedHashMap<>();
		for (int round = 1; round <= rounds; round++) {
			for (String server : List.of("sslengine", "sslsocket")) {
				for (String mode : List.of("handshakes", "bulk")) {
					double value = measure(server, mode, serverContext, store, seconds);
					results.computeIfAbsent(mode + " " + server, (key) -> new ArrayList<>()).add(value);
					System.err.printf("round %d %-10s %-10s %12.1f%n", round, server, mode, value);
				}
			}
		}
		System.out.println("| workload | Thousand Island (SSLEngine) | layered SSLSocket | ratio |");
		System.out.println("|---|---|---|---|");
		row("handshakes/s (16 clients)", results.get("handshakes sslengine"), results.get("handshakes sslsocket"));
		row("bulk echo MB/s (4 connections, 16 KiB)", results.get("bulk sslengine"), results.get("bulk sslsocket"));
		System.out.printf("%nmedians of %d interleaved rounds × %d s (min–max); JDK %s, %d cores%n", rounds, seconds,
				Runtime.version(), Runtime.getRuntime().availableProcessors());
	}

	private static void row(String name, List<Double> ours, List<Double> theirs) {
		System.out.printf("| %s | %.0f (%.0f–%.0f) | %.0f (%.0f–%.0f) | %.2f |%n", name, median(ours), min(ours),
				max(ours), median(theirs), min(theirs), max(theirs), median(ours) / median(theirs));
	}

	private static double measure(String server, String mode, SSLContext context, Path store, int seconds)
			throws Exception {
		AutoCloseable running;
		int port;
		if (server.equals("sslengine")) {
			Server island = ServerConfig.builder(new Echo())
				.name("tls-bench")
				.port(0)
				.bindAddress(InetAddress.getLoopbackAddress())
				.transport(Transport.tls(context))
				.start();
			port = island.port();
			running = () -> island.stop(Duration.ofSeconds(5));
		}
		else {
			SslSocketEchoServer plain = new SslSocketEchoServer(context);
			port = plain.port();
			running = plain;
		}
		try {
			int threads = mode.equals("handshakes") ? 16 : 4;
			Process load = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
					TlsLoad.class.getName(), mode, String.valueOf(port), store.toString(), String.valueOf(threads),
					String.valueOf(seconds))
				.redirectError(ProcessBuilder.Redirect.INHERIT)
				.start();
			try (BufferedReader out = new BufferedReader(
					new InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8))) {
				long count = Long.parseLong(out.readLine().trim().split(" ")[0]);
				load.waitFor();
				return mode.equals("handshakes") ? count / (double) seconds : count / 1e6 / seconds;
			}
		}
		finally {
			running.close();
		}
	}

	/** Echo over Thousand Island. */
	static final class Echo implements Handler<Void> {

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws IOException {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

	/** The peer: SSLServerSocket, one blocking virtual thread per connection, 16 KiB reads. */
	static final class SslSocketEchoServer implements AutoCloseable {

		private final SSLServerSocket serverSocket;

		SslSocketEchoServer(SSLContext context) throws IOException {
			this.serverSocket = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
			this.serverSocket.setEnabledProtocols(new String[] { "TLSv1.3", "TLSv1.2" });
			this.serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
			Thread.ofPlatform().daemon().start(this::accept);
		}

		int port() {
			return this.serverSocket.getLocalPort();
		}

		private void accept() {
			while (!this.serverSocket.isClosed()) {
				try {
					SSLSocket socket = (SSLSocket) this.serverSocket.accept();
					Thread.ofVirtual().start(() -> serve(socket));
				}
				catch (IOException ex) {
					return;
				}
			}
		}

		private static void serve(SSLSocket socket) {
			try (socket) {
				socket.setTcpNoDelay(true);
				InputStream in = socket.getInputStream();
				OutputStream out = socket.getOutputStream();
				byte[] buffer = new byte[16 * 1024];
				int read;
				while ((read = in.read(buffer)) > 0) {
					out.write(buffer, 0, read);
				}
			}
			catch (IOException ex) {
				// the client went away
			}
		}

		@Override
		public void close() throws IOException {
			this.serverSocket.close();
		}

	}

	private static String javaBinary() {
		return ProcessHandle.current().info().command().orElse("java");
	}

	private static double median(List<Double> values) {
		List<Double> sorted = values.stream().sorted().toList();
		int middle = sorted.size() / 2;
		return (sorted.size() % 2 == 1) ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
	}

	private static double min(List<Double> values) {
		return values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
	}

	private static double max(List<Double> values) {
		return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
	}

}
