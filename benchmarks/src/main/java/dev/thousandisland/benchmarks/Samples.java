package dev.thousandisland.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The values one metric took for one server over the rounds, and their median and range.
 */
final class Samples {

	private final List<Double> values = new ArrayList<>();

	void add(double value) {
		this.values.add(value);
	}

	boolean isEmpty() {
		return this.values.isEmpty();
	}

	int size() {
		return this.values.size();
	}

	/**
	 * Returns the median.
	 * @return the median, {@code NaN} without values
	 */
	double median() {
		if (this.values.isEmpty()) {
			return Double.NaN;
		}
		double[] sorted = this.values.stream().mapToDouble(Double::doubleValue).toArray();
		Arrays.sort(sorted);
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	double min() {
		return this.values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
	}

	double max() {
		return this.values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
	}

}
