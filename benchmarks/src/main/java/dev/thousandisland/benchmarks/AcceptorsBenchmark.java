package dev.thousandisland.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.Socket;

/**
 * Measures connection churn (connect, one line, close) against the number of acceptors and
 * listen sockets, to choose the default {@code numAcceptors}. Every round runs every variant in
 * turn, so the variants share the machine's noise; results are medians of the rounds, as ratios
 * against one acceptor measured in the same run.
 */
public final class AcceptorsBenchmark {

	private AcceptorsBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 5;
		int seconds = (args.length > 1) ? Integer.parseInt(args[1]) : 3;
		int clientThreads = (args.length > 2) ? Integer.parseInt(args[2]) : 16;
		Map<String, int[]> variants = new LinkedHashMap<>();
		variants.put("1 acceptor", new int[] { 1, 1 });
		variants.put("2 acceptors", new int[] { 2, 1 });
		variants.put("10 acceptors", new int[] { 10, 1 });
		variants.put("100 acceptors", new int[] { 100, 1 });
		variants.put("10 acceptors, 2 listen sockets", new int[] { 10, 2 });
		Map<String, List<Double>> rates = new LinkedHashMap<>();
		variants.keySet().forEach((name) -> rates.put(name, new ArrayList<>()));
		for (int round = 1; round <= rounds; round++) {
			for (Map.Entry<String, int[]> variant : variants.entrySet()) {
				double rate = measure(variant.getValue()[0], variant.getValue()[1], seconds, clientThreads);
				rates.get(variant.getKey()).add(rate);
				System.err.printf("round %d %-32s %8.0f conn/s%n", round, variant.getKey(), rate);
			}
		}
		double baseline = median(rates.get("1 acceptor"));
		System.out.println("| variant | connections/s (median) | min–max | ratio vs 1 acceptor |");
		System.out.println("|---|---|---|---|");
		for (Map.Entry<String, List<Double>> entry : rates.entrySet()) {
			List<Double> values = entry.getValue();
			System.out.printf("| %s | %.0f | %.0f–%.0f | %.2f |%n", entry.getKey(), median(values),
					values.stream().mapToDouble(Double::doubleValue).min().orElse(0),
					values.stream().mapToDouble(Double::doubleValue).max().orElse(0), median(values) / baseline);
		}
		System.out.printf("%n%d rounds × %d s, %d client threads, JDK %s, %d cores%n", rounds, seconds, clientThreads,
				Runtime.version(), Runtime.getRuntime().availableProcessors());
	}

	private static double measure(int acceptors, int listenSockets, int seconds, int clientThreads)
			throws Exception {
		Handler<Void> daytime = new Handler<>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) throws Exception {
				socket.send((ZonedDateTime.now() + "\r\n").getBytes(StandardCharsets.US_ASCII));
				return Result.close(state);
			}
		};
		Server server = ServerConfig.builder(daytime)
			.name("churn")
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(acceptors)
			.numListenSockets(listenSockets)
			.reusePort(listenSockets > 1)
			.start();
		try {
			Process load = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
					ChurnLoad.class.getName(), String.valueOf(server.port()), String.valueOf(clientThreads),
					String.valueOf(seconds))
				.redirectError(ProcessBuilder.Redirect.INHERIT)
				.start();
			try (BufferedReader out = new BufferedReader(
					new InputStreamReader(load.getInputStream(), StandardCharsets.UTF_8))) {
				String[] result = out.readLine().trim().split(" ");
				load.waitFor();
				return Long.parseLong(result[0]) / (double) seconds;
			}
		}
		finally {
			server.stop(Duration.ofSeconds(5));
		}
	}

	private static String javaBinary() {
		return ProcessHandle.current().info().command().orElse("java");
	}

	private static double median(List<Double> values) {
		double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
		Arrays.sort(sorted);
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

}
