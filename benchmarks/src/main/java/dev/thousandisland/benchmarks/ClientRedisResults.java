package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What {@link RedisClientBenchmark} measured, round by round, and its report: medians (min–max)
 * per workload and client, Thousand Island ÷ each peer from the medians and per round, each
 * against its target where there is one. Written to {@code client-redis-results.md}, and as a
 * section of {@code results.md} between {@link #BEGIN} and {@link #END} (which
 * {@link ComparisonBenchmark} keeps when it rewrites that file).
 */
final class ClientRedisResults {

	/** Opens the section of {@code results.md} this benchmark owns. */
	static final String BEGIN = "<!-- RedisClientBenchmark: begin (written by benchmarks/run RedisClientBenchmark) -->";

	/** Closes it. */
	static final String END = "<!-- RedisClientBenchmark: end -->";

	/** Thousand Island's target against Lettuce, one connection each, on request throughput. */
	static final double LETTUCE_TARGET = 1.3;

	private final Map<String, List<Double>> values = new LinkedHashMap<>();

	private final List<Ratio> ratios = new ArrayList<>();

	void add(String workload, String client, double value) {
		this.values.computeIfAbsent(workload + " | " + client, (key) -> new ArrayList<>()).add(value);
	}

	/** A ratio to report: {@code client} ÷ {@code peer} on {@code workload}; target NaN for none. */
	void ratio(String workload, String client, String peer, double target) {
		this.ratios.add(new Ratio(workload, client, peer, target));
	}

	private Samples samples(String row) {
		Samples samples = new Samples();
		this.values.getOrDefault(row, List.of()).forEach(samples::add);
		return samples;
	}

	/**
	 * The report, in Markdown, without a heading.
	 * @param head what was run, on what machine, under what load
	 * @return the tables and notes
	 */
	String render(String head) {
		StringBuilder out = new StringBuilder(head).append("\n\n| workload | client | median (min–max) |\n|---|---|---|\n");
		this.values.keySet().forEach((row) -> {
			Samples samples = samples(row);
			String[] parts = row.split(" \\| ");
			out.append(String.format(Locale.ROOT, "| %s | %s | %,.0f (%,.0f–%,.0f) |%n", parts[0], parts[1],
					samples.median(), samples.min(), samples.max()));
		});
		out.append("\n| workload | ratio of medians | value | per round | target |\n|---|---|---|---|---|\n");
		for (Ratio ratio : this.ratios) {
			List<Double> client = this.values.get(ratio.workload() + " | " + ratio.client());
			List<Double> peer = this.values.get(ratio.workload() + " | " + ratio.peer());
			if (client == null || peer == null) {
				continue;
			}
			double value = samples(ratio.workload() + " | " + ratio.client()).median()
					/ samples(ratio.workload() + " | " + ratio.peer()).median();
			StringJoiner rounds = new StringJoiner(", ");
			for (int i = 0; i < Math.min(client.size(), peer.size()); i++) {
				rounds.add(String.format(Locale.ROOT, "%.2f", client.get(i) / peer.get(i)));
			}
			String target = Double.isNaN(ratio.target()) ? "—"
					: String.format(Locale.ROOT, "≥ %.1f×: %s", ratio.target(),
							(value >= ratio.target()) ? "met" : "**missed**");
			out.append(String.format(Locale.ROOT, "| %s | %s ÷ %s | %.2f× | %s | %s |%n", ratio.workload(),
					ratio.client(), ratio.peer(), value, rounds, target));
		}
		return out.toString();
	}

	/**
	 * Writes {@code client-redis-results.md} and this benchmark's section of {@code results.md}.
	 * @param directory where the results live
	 * @param report what {@link #render} gave
	 */
	static void write(Path directory, String report) throws IOException {
		Files.createDirectories(directory);
		Files.writeString(directory.resolve("client-redis-results.md"),
				"# Thousand Island's client against Lettuce and Jedis, on redis-server\n\n" + report,
				StandardCharsets.UTF_8);
		Path summary = directory.resolve("results.md");
		String existing = Files.exists(summary) ? Files.readString(summary, StandardCharsets.UTF_8) : "";
		int begin = existing.indexOf(BEGIN);
		int end = existing.indexOf(END);
		String before = (begin >= 0 && end > begin) ? existing.substring(0, begin) : existing + "\n";
		String after = (begin >= 0 && end > begin) ? existing.substring(end + END.length()) : "\n";
		Files.writeString(summary, before + section(report) + after, StandardCharsets.UTF_8);
	}

	/**
	 * The section of {@code results.md} this benchmark wrote, for a rewrite of that file to keep.
	 * @param summary the current {@code results.md}
	 * @return the section with its markers, or an empty string if there is none
	 */
	static String keptSection(Path summary) throws IOException {
		if (!Files.exists(summary)) {
			return "";
		}
		String existing = Files.readString(summary, StandardCharsets.UTF_8);
		int begin = existing.indexOf(BEGIN);
		int end = existing.indexOf(END);
		return (begin >= 0 && end > begin) ? "\n" + existing.substring(begin, end + END.length()) + "\n" : "";
	}

	private static String section(String report) {
		return BEGIN + "\n## The client against redis-server: Lettuce and Jedis (RedisClientBenchmark)\n\n"
				+ "Full report: [client-redis-results.md](client-redis-results.md); "
				+ "[docs](../docs/benchmarks.md#the-client-against-redis-server).\n\n" + report + END;
	}

	private record Ratio(String workload, String client, String peer, double target) {
	}

}
