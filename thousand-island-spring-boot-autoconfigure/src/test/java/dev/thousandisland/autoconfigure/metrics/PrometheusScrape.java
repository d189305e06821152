package dev.thousandisland.autoconfigure.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of {@code /actuator/prometheus} over real HTTP, in the Prometheus text format, and
 * its samples.
 */
final class PrometheusScrape {

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final Pattern SAMPLE = Pattern
		.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+\\S+)?$");

	private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

	private final String body;

	private final List<Sample> samples;

	private PrometheusScrape(String body) {
		this.body = body;
		this.samples = body.lines().filter((line) -> !line.isBlank() && !line.startsWith("#")).map((line) -> {
			Matcher matcher = SAMPLE.matcher(line);
			if (!matcher.matches()) {
				throw new IllegalStateException("Not a Prometheus sample: " + line);
			}
			Map<String, String> labels = new LinkedHashMap<>();
			if (matcher.group(2) != null) {
				Matcher label = LABEL.matcher(matcher.group(2));
				while (label.find()) {
					labels.put(label.group(1), label.group(2));
				}
			}
			return new Sample(matcher.group(1), labels, matcher.group(3), line);
		}).toList();
	}

	static PrometheusScrape of(int managementPort) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"))
			.header("Accept", "text/plain")
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build();
		HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException(
					"GET /actuator/prometheus answered " + response.statusCode() + ": " + response.body());
		}
		return new PrometheusScrape(response.body());
	}

	/** The exposition text as served. */
	String body() {
		return this.body;
	}

	/** The lines, comments included, about {@code thousandisland_*} series. */
	List<String> thousandIslandLines() {
		return this.body.lines().filter((line) -> line.contains("thousandisland_")).toList();
	}

	List<Sample> samples() {
		return this.samples;
	}

	/** The sample lines of the {@code thousandisland_*} series. */
	List<Sample> thousandIslandSamples() {
		return this.samples.stream().filter((sample) -> sample.name().startsWith("thousandisland_")).toList();
	}

	/** The names of the exported {@code thousandisland_*} samples, sorted. */
	Set<String> thousandIslandNames() {
		Set<String> names = new TreeSet<>();
		thousandIslandSamples().forEach((sample) -> names.add(sample.name()));
		return names;
	}

	/**
	 * One sample line.
	 * @param name the sample's name
	 * @param labels its labels, in exposition order
	 * @param value its value as written
	 * @param line the whole line
	 */
	record Sample(String name, Map<String, String> labels, String value, String line) {
	}

}
