package dev.thousandisland.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import dev.thousandisland.benchmarks.Metric.Target;

/**
 * An SVG bar chart of Thousand Island's ratio against every peer, drawn by hand: one group of bars
 * per row the run measured, one bar per peer with a value in that row, one colour per peer, on a
 * logarithmic axis from 1/16× to 16× with the bars growing from 1×.
 * <p>
 * Right of 1× is better for Thousand Island on every row: a lower-is-better row (memory, CPU,
 * drain) is drawn at the peer's figure ÷ Thousand Island's. The number printed beside each bar is
 * the ratio as {@code results.md} gives it (Thousand Island ÷ the peer), followed by the target
 * against that peer where there is one, green when met and red when missed.
 */
final class RatioChart {

	private static final int WIDTH = 1260;

	private static final int LABEL_RIGHT = 530;

	private static final int LABEL_CHARACTERS = 74;

	private static final int PLOT_LEFT = 560;

	private static final int PLOT_RIGHT = 1040;

	private static final int TOP = 100;

	private static final int BAR = 11;

	private static final int BAR_STEP = 14;

	private static final int ROW_GAP = 12;

	private static final double LOG2_MIN = -4;

	private static final double LOG2_MAX = 4;

	private static final String MET = "#2e7d32";

	private static final String MISSED = "#c62828";

	private static final String NO_TARGET = "#424242";

	private static final String LOWER_IS_BETTER = " (lower is better)";

	/** Every server but Thousand Island, in the table's order. */
	private static final List<Peer> PEERS = Arrays.stream(Peer.values())
		.filter((peer) -> peer != Peer.THOUSAND_ISLAND)
		.toList();

	private RatioChart() {
	}

	static String render(Results results, MachineInfo machine, RunSettings settings) {
		StringBuilder shading = new StringBuilder();
		StringBuilder rows = new StringBuilder();
		int y = TOP;
		int drawn = 0;
		for (Metric metric : results.metrics()) {
			List<Peer> measured = PEERS.stream().filter((peer) -> Double.isFinite(results.ratio(metric, peer))).toList();
			if (measured.isEmpty()) {
				continue; // left out of this run, or no Thousand Island figure to divide
			}
			y = row(rows, (drawn++ % 2 == 0) ? shading : null, results, metric, measured, y) + ROW_GAP;
		}
		int plotBottom = y;
		int height = plotBottom + 110;
		StringBuilder svg = new StringBuilder();
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
						+ "font-family=\"sans-serif\" font-size=\"12\">%n",
				WIDTH, height, WIDTH, height));
		svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
		text(svg, 20, 28, "start", 18, "bold", "#000",
				"Thousand Island ÷ each peer" + (settings.quick() ? " — SMOKE RUN, not a measurement" : ""));
		text(svg, 20, 50, "start", 12, "normal", "#000",
				String.format(Locale.ROOT, "%s · JDK %s · %s, %d cores · medians of %d round(s)", machine.date(),
						Runtime.version(), machine.cpuModel(), machine.cores(), settings.rounds()));
		text(svg, x(1) - 8, TOP - 30, "end", 12, "bold", "#000", "← Thousand Island worse");
		text(svg, x(1) + 8, TOP - 30, "start", 12, "bold", "#000", "Thousand Island better →");
		svg.append(shading);
		axis(svg, plotBottom);
		svg.append(rows);
		legend(svg, plotBottom + 44);
		svg.append("</svg>\n");
		return svg.toString();
	}

	/**
	 * Draws one row's label and its bars, one per measured peer, and its background when given one
	 * to draw into (every other row, beneath the grid lines).
	 * @return the y just below the row
	 */
	private static int row(StringBuilder svg, StringBuilder shading, Results results, Metric metric,
			List<Peer> measured, int top) {
		String label = metric.label();
		if (metric.lowerIsBetter() && label.endsWith(LOWER_IS_BETTER)) {
			label = label.substring(0, label.length() - LOWER_IS_BETTER.length()); // said on a line of its own
		}
		List<String> lines = wrap(label);
		int line = top + BAR - 1;
		for (String text : lines) {
			text(svg, LABEL_RIGHT, line, "end", 12, "normal", "#000", text);
			line += BAR_STEP;
		}
		if (metric.lowerIsBetter()) {
			text(svg, LABEL_RIGHT, line, "end", 11, "normal", "#616161",
					"lower is better: bars drawn at the peer's figure ÷ Thousand Island's");
			line += BAR_STEP;
		}
		double ours = results.samples(metric, Peer.THOUSAND_ISLAND).median();
		Target own = metric.targets().ownValue();
		Boolean ownMet = own.isMet(ours, Double.NaN);
		if (ownMet != null) {
			text(svg, LABEL_RIGHT, line, "end", 11, "bold", ownMet ? MET : MISSED,
					String.format(Locale.ROOT, "%s %s (target: %s)", ownMet ? "✓" : "✗", metric.unit().format(ours),
							own.describe(metric.unit())));
			line += BAR_STEP;
		}
		int height = Math.max(measured.size() * BAR_STEP, line - BAR + 1 - top) + 4;
		if (shading != null) {
			shading.append(String.format(Locale.ROOT,
					"<rect x=\"10\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f2f2f2\"/>%n", top - 4,
					WIDTH - 20, height + 4));
		}
		for (int i = 0; i < measured.size(); i++) {
			bar(svg, results, metric, measured.get(i), top + i * BAR_STEP);
		}
		return top + height;
	}

	private static void bar(StringBuilder svg, Results results, Metric metric, Peer peer, int y) {
		double ratio = results.ratio(metric, peer);
		// Lower-is-better rows are turned round so that right of 1× always means better.
		double better = metric.lowerIsBetter() ? 1 / ratio : ratio;
		double clamped = Math.max(Math.pow(2, LOG2_MIN), Math.min(Math.pow(2, LOG2_MAX), better));
		double from = Math.min(x(1), x(clamped));
		double to = Math.max(x(1), x(clamped));
		Target target = metric.targets().against(peer);
		Boolean met = target.isMet(results.samples(metric, Peer.THOUSAND_ISLAND).median(), ratio);
		String verdict = (met == null) ? "" : (met ? " ✓ " : " ✗ ") + target.describe(metric.unit());
		svg.append(String.format(Locale.ROOT,
				"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: Thousand Island ÷ %s "
						+ "%.3f×%s</title></rect>%n",
				from, y, Math.max(1, to - from), BAR, colour(peer), escape(metric.label()), peer.label(), ratio,
				escape(verdict)));
		// Beside the bar's end on the right, beside the 1× line for a bar on the left, so that no
		// number runs into the row labels.
		String value = String.format(Locale.ROOT, "%.2f×", ratio) + ((clamped != better) ? " (off scale)" : "");
		text(svg, ((better >= 1) ? to : x(1)) + 5, y + BAR - 1, "start", 11, "bold",
				(met == null) ? NO_TARGET : (met ? MET : MISSED), value + verdict);
	}

	private static void axis(StringBuilder svg, int plotBottom) {
		for (int exponent = (int) LOG2_MIN; exponent <= LOG2_MAX; exponent++) {
			double x = x(Math.pow(2, exponent));
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%s\"/>%n", x, TOP - 8,
					x, plotBottom, (exponent == 0) ? "#000" : "#ccc", (exponent == 0) ? "1.5" : "1"));
			text(svg, x, TOP - 12, "middle", 11, "normal", "#000", axisLabel(exponent));
			text(svg, x, plotBottom + 16, "middle", 11, "normal", "#000", axisLabel(exponent));
		}
	}

	private static void legend(StringBuilder svg, int y) {
		int x = 20;
		for (Peer peer : PEERS) {
			svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>%n",
					x, y - 11, colour(peer)));
			text(svg, x + 20, y, "start", 12, "normal", "#000", "÷ " + peer.label());
			x += 40 + 8 * peer.label().length();
		}
		text(svg, x + 20, y, "start", 12, "bold", MET, "✓ target met");
		text(svg, x + 130, y, "start", 12, "bold", MISSED, "✗ target missed");
		text(svg, x + 260, y, "start", 12, "normal", NO_TARGET, "no mark: no target against that peer");
		text(svg, 20, y + 24, "start", 12, "normal", "#000",
				"Right of 1× is better for Thousand Island on every row: on lower-is-better rows (memory, CPU, drain) "
						+ "the bars are drawn at the peer's figure ÷ Thousand Island's.");
		text(svg, 20, y + 42, "start", 12, "normal", "#000",
				"The number beside each bar is Thousand Island ÷ the peer, as in results.md, then the target against "
						+ "that peer. A peer with no figure in a row (no TLS in the benchmark, say) has no bar there.");
	}

	private static String colour(Peer peer) {
		return switch (peer) {
			case NETTY_EPOLL -> "#1f77b4";
			case REACTOR_NETTY -> "#9467bd";
			case SPRING_INTEGRATION -> "#ff7f0e";
			case NAIVE_VIRTUAL_THREADS -> "#8c8c8c";
			case THOUSAND_ISLAND -> "#000";
		};
	}

	/** Splits a row label into lines of at most {@link #LABEL_CHARACTERS}, at spaces. */
	private static List<String> wrap(String label) {
		List<String> lines = new ArrayList<>();
		StringBuilder line = new StringBuilder();
		for (String word : label.split(" ")) {
			if (!line.isEmpty() && line.length() + 1 + word.length() > LABEL_CHARACTERS) {
				lines.add(line.toString());
				line.setLength(0);
			}
			line.append(line.isEmpty() ? "" : " ").append(word);
		}
		lines.add(line.toString());
		return lines;
	}

	private static double x(double ratio) {
		double log = Math.log(ratio) / Math.log(2);
		return PLOT_LEFT + (log - LOG2_MIN) / (LOG2_MAX - LOG2_MIN) * (PLOT_RIGHT - PLOT_LEFT);
	}

	private static String axisLabel(int exponent) {
		return (exponent >= 0) ? (1 << exponent) + "×" : "1/" + (1 << -exponent) + "×";
	}

	private static void text(StringBuilder svg, double x, double y, String anchor, int size, String weight,
			String fill, String content) {
		svg.append(String.format(Locale.ROOT,
				"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" font-weight=\"%s\" fill=\"%s\">%s</text>%n",
				x, y, anchor, size, weight, fill, escape(content)));
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

}
