package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What framing costs: echo of 64-byte messages at 100 connections, each message one frame, through
 * Thousand Island's raw echo (the baseline), its line framing and its 4-byte length-prefixed framing,
 * and through Netty epoll's raw echo, {@code LineBasedFrameDecoder} and
 * {@code LengthFieldBasedFrameDecoder} + {@code LengthFieldPrepender}, all in the same run. Each
 * measurement runs in a fresh server JVM; the order reverses from round to round.
 * {@code FramingBenchmark [rounds] [seconds] [warm-up seconds]} (3, 5 and 3 by default). Prints each
 * measurement, then the medians (with min–max) and the ratios.
 */
public final class FramingBenchmark {

	private FramingBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 3;
		int seconds = (args.length > 1) ? Integer.parseInt(args[1]) : 5;
		int warmup = (args.length > 2) ? Integer.parseInt(args[2]) : 3;
		List<Setup> setups = new ArrayList<>(List.of(
				new Setup("Thousand Island raw echo", Peer.THOUSAND_ISLAND, Protocol.ECHO, EchoClients.Framing.LINE),
				new Setup("Thousand Island line framing", Peer.THOUSAND_ISLAND, Protocol.LINE_ECHO,
						EchoClients.Framing.LINE),
				new Setup("Thousand Island length-prefixed", Peer.THOUSAND_ISLAND, Protocol.LENGTH_ECHO,
						EchoClients.Framing.LENGTH),
				new Setup("Netty raw echo", Peer.NETTY_EPOLL, Protocol.ECHO, EchoClients.Framing.LINE),
				new Setup("Netty LineBasedFrameDecoder", Peer.NETTY_EPOLL, Protocol.LINE_ECHO, EchoClients.Framing.LINE),
				new Setup("Netty LengthFieldBasedFrameDecoder", Peer.NETTY_EPOLL, Protocol.LENGTH_ECHO,
						EchoClients.Framing.LENGTH)));
		Map<String, Samples> results = new LinkedHashMap<>();
		setups.forEach((setup) -> results.put(setup.label(), new Samples()));
		for (int round = 1; round <= rounds; round++) {
			for (Setup setup : setups) {
				double value = measure(setup, seconds, warmup);
				results.get(setup.label()).add(value);
				System.err.printf(Locale.ROOT, "round %d %-36s %,.0f msg/s%n", round, setup.label(), value);
			}
			Collections.reverse(setups);
		}
		System.out.printf(Locale.ROOT, "%n| server | echo 64 B, 100 connections: msg/s, median (min–max) |%n|---|---|%n");
		results.forEach((label, samples) -> System.out.printf(Locale.ROOT, "| %s | %,.0f (%,.0f–%,.0f) |%n", label,
				samples.median(), samples.min(), samples.max()));
		double tiRaw = results.get("Thousand Island raw echo").median();
		double tiLine = results.get("Thousand Island line framing").median();
		double tiLength = results.get("Thousand Island length-prefixed").median();
		double nettyRaw = results.get("Netty raw echo").median();
		double nettyLine = results.get("Netty LineBasedFrameDecoder").median();
		double nettyLength = results.get("Netty LengthFieldBasedFrameDecoder").median();
		System.out.printf(Locale.ROOT, "%n| ratio | value |%n|---|---|%n");
		System.out.printf(Locale.ROOT, "| line framing ÷ raw echo (Thousand Island) | %.3f |%n", tiLine / tiRaw);
		System.out.printf(Locale.ROOT, "| length-prefixed ÷ raw echo (Thousand Island) | %.3f |%n", tiLength / tiRaw);
		System.out.printf(Locale.ROOT, "| Thousand Island ÷ Netty, raw echo | %.3f |%n", tiRaw / nettyRaw);
		System.out.printf(Locale.ROOT, "| Thousand Island ÷ Netty, line framing | %.3f |%n", tiLine / nettyLine);
		System.out.printf(Locale.ROOT, "| Thousand Island ÷ Netty, length-prefixed | %.3f |%n", tiLength / nettyLength);
	}

	private static double measure(Setup setup, int seconds, int warmup) throws IOException, InterruptedException {
		try (ChildProcess server = ChildProcess.startJava("server " + setup.label(), ComparisonBenchmark.serverOptions(),
				BenchmarkServer.class, List.of(setup.peer().id(), setup.protocol().name().toLowerCase(Locale.ROOT)))) {
			String[] ready = server.expect("ready", Duration.ofSeconds(60));
			try (ChildProcess load = ChildProcess.startJava("load", ComparisonBenchmark.loadOptions(),
					LoadGenerator.class,
					List.of("echo", ready[1], String.valueOf(RunSettings.ECHO_FEW),
							String.valueOf(RunSettings.SMALL_MESSAGE), String.valueOf(warmup * 1000L),
							String.valueOf(seconds * 1000L), setup.message().name().toLowerCase(Locale.ROOT)))) {
				String[] result = load.expect("echo", Duration.ofSeconds(warmup + seconds + 120L));
				long failures = Long.parseLong(result[7]);
				if (failures > 0 || Long.parseLong(result[1]) < RunSettings.ECHO_FEW) {
					System.err.println(setup.label() + ": " + result[1] + " connected, " + failures + " failures");
				}
				return Long.parseLong(result[2]) / (double) seconds;
			}
		}
	}

	private record Setup(String label, Peer peer, Protocol protocol, EchoClients.Framing message) {
	}

}
