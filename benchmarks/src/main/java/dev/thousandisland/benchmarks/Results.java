package dev.thousandisland.benchmarks;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a comparison run measured: each metric's samples per server, echo latency
 * percentiles, what each server said it ran, and notes on failures and scaling.
 */
final class Results {

	/** The echo latency percentiles kept, in order. */
	static final double[] PERCENTILES = { 50, 99, 99.9 };

	private final Map<Metric, Map<Peer, Samples>> values = new LinkedHashMap<>();

	private final Map<String, Map<Peer, Samples[]>> latencies = new LinkedHashMap<>();

	private final Map<Peer, Set<String>> descriptions = new EnumMap<>(Peer.class);

	private final List<String> notes = new ArrayList<>();

	private final Map<Metric, Baseline> baselines = new LinkedHashMap<>();

	/**
	 * Adds a metric as a row, in the order of the table.
	 * @param metric the metric
	 */
	void declare(Metric metric) {
		Map<Peer, Samples> row = new EnumMap<>(Peer.class);
		for (Peer peer : Peer.values()) {
			row.put(peer, new Samples());
		}
		this.values.put(metric, row);
	}

	void add(Metric metric, Peer peer, double value) {
		this.values.get(metric).get(peer).add(value);
	}

	void addLatency(String workload, Peer peer, long[] nanos) {
		Samples[] samples = this.latencies.computeIfAbsent(workload, (key) -> new EnumMap<>(Peer.class))
			.computeIfAbsent(peer, (key) -> {
				Samples[] fresh = new Samples[PERCENTILES.length];
				for (int i = 0; i < fresh.length; i++) {
					fresh[i] = new Samples();
				}
				return fresh;
			});
		for (int i = 0; i < PERCENTILES.length; i++) {
			samples[i].add(nanos[i] / 1000.0);
		}
	}

	/**
	 * Records what a server said it runs.
	 * @param peer the server
	 * @param description its description
	 * @return whether this description is new
	 */
	boolean describe(Peer peer, String description) {
		return this.descriptions.computeIfAbsent(peer, (key) -> new LinkedHashSet<>()).add(description);
	}

	/**
	 * Asks for Thousand Island's median of one row to be compared with its own median of another
	 * from the same run, such as a framed echo with the raw echo it is built on.
	 * @param metric the row compared
	 * @param baseline the row it is compared with
	 * @param target what {@code metric ÷ baseline} should reach, or {@link Metric.Target#none()}
	 */
	void compareWithBaseline(Metric metric, Metric baseline, Metric.Target target) {
		this.baselines.put(metric, new Baseline(baseline, target));
	}

	/**
	 * Returns the comparisons {@link #compareWithBaseline} asked for, by compared row.
	 * @return the baselines, in the order they were asked for
	 */
	Map<Metric, Baseline> baselines() {
		return this.baselines;
	}

	void note(String note) {
		this.notes.add(note);
	}

	List<Metric> metrics() {
		return List.copyOf(this.values.keySet());
	}

	Samples samples(Metric metric, Peer peer) {
		return this.values.get(metric).get(peer);
	}

	/**
	 * Returns Thousand Island's median over Netty's, the ratio the targets are set against.
	 * @param metric the metric
	 * @return the ratio, {@code NaN} when either is missing
	 */
	double ratio(Metric metric) {
		return ratio(metric, Peer.NETTY_EPOLL);
	}

	/**
	 * Returns Thousand Island's median over a peer's.
	 * @param metric the metric
	 * @param peer the peer
	 * @return the ratio, {@code NaN} when either is missing
	 */
	double ratio(Metric metric, Peer peer) {
		double ours = samples(metric, Peer.THOUSAND_ISLAND).median();
		double theirs = samples(metric, peer).median();
		return (theirs != 0) ? ours / theirs : Double.NaN;
	}

	/**
	 * Returns the latency samples, in microseconds, by workload, server and percentile.
	 * @return the samples
	 */
	Map<String, Map<Peer, Samples[]>> latencies() {
		return this.latencies;
	}

	Map<Peer, Set<String>> descriptions() {
		return this.descriptions;
	}

	List<String> notes() {
		return this.notes;
	}

	/**
	 * The row another is compared with, Thousand Island against itself.
	 *
	 * @param metric the baseline row
	 * @param target what the compared row ÷ this one should reach
	 */
	record Baseline(Metric metric, Metric.Target target) {
	}

}
