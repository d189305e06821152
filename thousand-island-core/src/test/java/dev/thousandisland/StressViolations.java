package dev.thousandisland;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The broken invariants of one stress run, grouped by invariant, with the first few occurrences of
 * each spelled out and the rest counted, so that a run with thousands of them still fails with a
 * message one can read.
 */
final class StressViolations {

	private static final int EXAMPLES = 5;

	private final Map<String, List<String>> examples = new TreeMap<>();

	private final Map<String, Integer> counts = new TreeMap<>();

	private final List<String> all = new ArrayList<>();

	synchronized void add(String invariant, String detail) {
		this.all.add(invariant + " | " + detail);
		int count = this.counts.merge(invariant, 1, Integer::sum);
		if (count <= EXAMPLES) {
			this.examples.computeIfAbsent(invariant, (key) -> new ArrayList<>()).add(detail);
		}
	}

	synchronized boolean isEmpty() {
		return this.counts.isEmpty();
	}

	synchronized int total() {
		return this.counts.values().stream().mapToInt(Integer::intValue).sum();
	}

	/** Every violation, one a line, in the order they were seen. */
	synchronized String list() {
		return String.join("\n", this.all);
	}

	synchronized String describe() {
		StringBuilder text = new StringBuilder();
		this.counts.forEach((invariant, count) -> {
			text.append("\n* ").append(invariant).append(": ").append(count).append(" time(s)");
			for (String example : this.examples.get(invariant)) {
				text.append("\n    - ").append(example);
			}
		});
		return text.toString();
	}

}
