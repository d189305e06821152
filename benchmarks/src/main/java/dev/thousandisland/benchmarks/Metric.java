package dev.thousandisland.benchmarks;

import java.util.Locale;

/**
 * One row of the comparison: what is measured, in which unit, which way is better, and the targets
 * the issues set for Thousand Island.
 *
 * @param label the workload as the table names it
 * @param unit the unit of the values
 * @param lowerIsBetter whether a smaller value is better (memory, drain time, CPU per message)
 * @param targets the targets against each peer and on Thousand Island's own value
 */
record Metric(String label, Unit unit, boolean lowerIsBetter, Targets targets) {

	/**
	 * The unit of a metric, and how its values are written.
	 */
	enum Unit {

		/** Echo round trips per second. */
		MESSAGES_PER_SECOND("msg/s", "%,.0f"),

		/** Megabytes (10^6 bytes) echoed per second. */
		MEGABYTES_PER_SECOND("MB/s", "%,.1f"),

		/** Connections opened and closed per second. */
		CONNECTIONS_PER_SECOND("conn/s", "%,.0f"),

		/** TLS handshakes per second. */
		HANDSHAKES_PER_SECOND("handshakes/s", "%,.0f"),

		/** Bytes per connection. */
		BYTES_PER_CONNECTION("B/conn", "%,.0f"),

		/** Server CPU microseconds per message (per connection for churn). */
		CPU_MICROSECONDS_PER_MESSAGE("µs CPU/msg", "%,.2f"),

		/** Milliseconds. */
		MILLISECONDS("ms", "%,.1f");

		private final String symbol;

		private final String format;

		Unit(String symbol, String format) {
			this.symbol = symbol;
			this.format = format;
		}

		/**
		 * Writes a value with its unit.
		 * @param value the value
		 * @return the value and the unit symbol
		 */
		String format(double value) {
			return String.format(Locale.ROOT, this.format, value) + " " + this.symbol;
		}

		/**
		 * Writes a value without its unit.
		 * @param value the value
		 * @return the value
		 */
		String formatBare(double value) {
			return String.format(Locale.ROOT, this.format, value);
		}

	}

	/**
	 * What Thousand Island should reach: a bound on its ratio against one peer, or on its own value.
	 *
	 * @param kind what is bounded
	 * @param bound the bound
	 */
	record Target(Kind kind, double bound) {

		/** What a target bounds. */
		enum Kind {

			/** No target. */
			NONE,

			/** Thousand Island's median ÷ the peer's ≥ bound. */
			RATIO_AT_LEAST,

			/** Thousand Island's median ÷ the peer's ≤ bound. */
			RATIO_AT_MOST,

			/** Thousand Island's own value ≤ bound, in the metric's unit. */
			VALUE_AT_MOST

		}

		static Target none() {
			return new Target(Kind.NONE, 0);
		}

		static Target ratioAtLeast(double bound) {
			return new Target(Kind.RATIO_AT_LEAST, bound);
		}

		static Target ratioAtMost(double bound) {
			return new Target(Kind.RATIO_AT_MOST, bound);
		}

		static Target valueAtMost(double bound) {
			return new Target(Kind.VALUE_AT_MOST, bound);
		}

		/**
		 * Returns whether the target is met.
		 * @param ours Thousand Island's median
		 * @param ratio ours ÷ the peer's median
		 * @return {@code null} without a target or without the numbers to tell
		 */
		Boolean isMet(double ours, double ratio) {
			return switch (this.kind) {
				case NONE -> null;
				case RATIO_AT_LEAST -> Double.isFinite(ratio) ? ratio >= this.bound : null;
				case RATIO_AT_MOST -> Double.isFinite(ratio) ? ratio <= this.bound : null;
				case VALUE_AT_MOST -> Double.isFinite(ours) ? ours <= this.bound : null;
			};
		}

		/**
		 * Describes the target for the table.
		 * @param unit the metric's unit
		 * @return for example {@code ≥ 1.00×}
		 */
		String describe(Unit unit) {
			return switch (this.kind) {
				case NONE -> "—";
				case RATIO_AT_LEAST -> String.format(Locale.ROOT, "≥ %.2f×", this.bound);
				case RATIO_AT_MOST -> String.format(Locale.ROOT, "≤ %.2f×", this.bound);
				case VALUE_AT_MOST -> "Thousand Island ≤ " + unit.format(this.bound);
			};
		}

	}

}
