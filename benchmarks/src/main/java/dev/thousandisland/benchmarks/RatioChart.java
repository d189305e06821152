package dev.thousandisland.benchmarks;

import java.util.List;
import java.util.Locale;

/**
 * An SVG bar chart of the ratios against Netty, one bar per workload, drawn by hand: a
 * logarithmic axis from 1/8× to 8× with bars growing from 1×, green where the target is met, red
 * where it is missed, grey where there is none.
 */
final class RatioChart {

	private static final int WIDTH = 1000;

	private static final int LABEL_WIDTH = 430;

	private static final int PLOT_LEFT = 450;

	private static final int PLOT_RIGHT = 940;

	private static final int TOP = 80;

	private static final int ROW = 32;

	private static final int BAR = 20;

	private static final double LOG2_MIN = -3;

	private static final double LOG2_MAX = 3;

	private RatioChart() {
	}

	static String render(Results results, MachineInfo machine, RunSettings settings) {
		List<Metric> metrics = results.metrics();
		int plotBottom = TOP + metrics.size() * ROW;
		int height = plotBottom + 90;
		StringBuilder svg = new StringBuilder();
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
						+ "font-family=\"sans-serif\" font-size=\"13\">%n",
				WIDTH, height, WIDTH, height));
		svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
		text(svg, 20, 28, "start", 18, "bold",
				"Thousand Island ÷ Netty epoll" + (settings.quick() ? " — SMOKE RUN, not a measurement" : ""));
		text(svg, 20, 50, "start", 12, "normal",
				String.format(Locale.ROOT, "%s · JDK %s · %s, %d cores · medians of %d round(s)", machine.date(),
						Runtime.version(), machine.cpuModel(), machine.cores(), settings.rounds()));
		for (int exponent = (int) LOG2_MIN; exponent <= LOG2_MAX; exponent++) {
			double x = x(Math.pow(2, exponent));
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%s\"/>%n", x, TOP - 8,
					x, plotBottom, (exponent == 0) ? "#000" : "#ddd", (exponent == 0) ? "1.5" : "1"));
			text(svg, x, plotBottom + 18, "middle", 12, "normal", axisLabel(exponent));
		}
		for (int i = 0; i < metrics.size(); i++) {
			Metric metric = metrics.get(i);
			int y = TOP + i * ROW;
			text(svg, LABEL_WIDTH, y + BAR / 2 + 5, "end", 13, "normal", metric.label());
			double ratio = results.ratio(metric);
			if (!Double.isFinite(ratio) || ratio <= 0) {
				text(svg, x(1) + 6, y + BAR / 2 + 5, "start", 12, "normal", "n/a");
				continue;
			}
			Boolean met = metric.target().isMet(results.samples(metric, Peer.THOUSAND_ISLAND).median(), ratio);
			String colour = (met == null) ? "#9e9e9e" : (met ? "#2e7d32" : "#c62828");
			double clamped = Math.max(Math.pow(2, LOG2_MIN), Math.min(Math.pow(2, LOG2_MAX), ratio));
			double from = Math.min(x(1), x(clamped));
			double to = Math.max(x(1), x(clamped));
			svg.append(String.format(Locale.ROOT,
					"<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %.3f×</title></rect>%n",
					from, y, Math.max(1, to - from), BAR, colour, escape(metric.label()), ratio));
			boolean right = ratio >= 1;
			text(svg, right ? to + 5 : from - 5, y + BAR / 2 + 5, right ? "start" : "end", 12, "bold",
					String.format(Locale.ROOT, "%.2f×", ratio) + ((clamped != ratio) ? " (off scale)" : ""));
		}
		int legend = plotBottom + 44;
		legendBox(svg, 20, legend, "#2e7d32", "target met");
		legendBox(svg, 140, legend, "#c62828", "target missed");
		legendBox(svg, 280, legend, "#9e9e9e", "no target");
		text(svg, 20, legend + 26, "start", 12, "normal",
				"Right of 1× Thousand Island's number is higher. For rows marked (lower is better), left of 1× is better. "
						+ "Drain's target is absolute: ≤ 1 s.");
		svg.append("</svg>\n");
		return svg.toString();
	}

	private static double x(double ratio) {
		double log = Math.log(ratio) / Math.log(2);
		return PLOT_LEFT + (log - LOG2_MIN) / (LOG2_MAX - LOG2_MIN) * (PLOT_RIGHT - PLOT_LEFT);
	}

	private static String axisLabel(int exponent) {
		return (exponent >= 0) ? (1 << exponent) + "×" : "1/" + (1 << -exponent) + "×";
	}

	private static void legendBox(StringBuilder svg, int x, int y, String colour, String label) {
		svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>%n", x,
				y - 11, colour));
		text(svg, x + 20, y, "start", 12, "normal", label);
	}

	private static void text(StringBuilder svg, double x, double y, String anchor, int size, String weight,
			String content) {
		svg.append(String.format(Locale.ROOT,
				"<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" font-weight=\"%s\">%s</text>%n", x, y,
				anchor, size, weight, escape(content)));
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

}
