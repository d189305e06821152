package dev.thousandisland.autoconfigure.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.thousandisland.autoconfigure.ThousandIslandServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Checks {@code grafana/thousand-island-dashboard.json} against what a real application exports:
 * it drives one connection through every meter of {@link ObservabilityTestApplication}, scrapes
 * {@code /actuator/prometheus} over HTTP, and requires every metric and label the dashboard's
 * queries use to be among those exported, and every exported metric to be on the dashboard.
 * Renaming a meter or a tag therefore breaks this test rather than the dashboard.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "management.endpoints.web.exposure.include=health,prometheus",
				"thousandisland.port=0", "thousandisland.address=127.0.0.1", "thousandisland.acceptors=2",
				"thousandisland.max-connections-per-acceptor=32", "thousandisland.shutdown=immediate",
				"thousandisland.servers.idle.read-timeout=200ms", "thousandisland.servers.limited.acceptors=1",
				"thousandisland.servers.limited.max-connections-per-acceptor=1",
				"thousandisland.servers.limited.max-connections-retry-count=0" })
class GrafanaDashboardTests {

	/** Every thousandisland sample name the application exports once each meter has seen an event. */
	static final Set<String> EXPORTED_NAMES = Set.of("thousandisland_acceptor_errors_total",
			"thousandisland_data_received_bytes_total", "thousandisland_data_sent_bytes_total",
			"thousandisland_connection_duration_seconds_count", "thousandisland_connection_duration_seconds_max",
			"thousandisland_connection_duration_seconds_sum", "thousandisland_connections_accepted_total",
			"thousandisland_connections_active", "thousandisland_connections_max",
			"thousandisland_connections_rejected_total", "thousandisland_handler_errors_total",
			"thousandisland_read_timeouts_total", "thousandisland_tls_handshake_seconds_count",
			"thousandisland_pubsub_published_total", "thousandisland_pubsub_delivered_total",
			"thousandisland_pubsub_dropped_total", "thousandisland_pubsub_adapter_lost_total",
			"thousandisland_pubsub_adapter_errors_total", "thousandisland_pubsub_adapter_connected",
			"thousandisland_tls_handshake_seconds_max", "thousandisland_tls_handshake_seconds_sum");

	private static final Path DASHBOARD = Path.of("..", "grafana", "thousand-island-dashboard.json");

	private static final Pattern METRIC = Pattern.compile("thousandisland_[a-zA-Z0-9_]+");

	private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)\\s*\"");

	private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");

	/** Labels Prometheus adds to every scraped series. */
	private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

	@LocalManagementPort
	private int managementPort;

	@Autowired
	private ThousandIslandServers servers;

	private JsonNode dashboard;

	@BeforeEach
	void readDashboard() throws IOException {
		assertThat(DASHBOARD).as("the dashboard, relative to the module").isRegularFile();
		this.dashboard = JsonMapper.shared().readTree(Files.readString(DASHBOARD, StandardCharsets.UTF_8));
	}

	@Test
	void dashboardIsAGrafanaDashboardOverAPrometheusDataSourceVariable() {
		assertThat(this.dashboard.path("title").asString()).isEqualTo("Thousand Island");
		assertThat(this.dashboard.path("uid").asString()).isNotBlank();
		assertThat(this.dashboard.path("schemaVersion").asInt()).isBetween(36, 41);
		JsonNode variables = this.dashboard.path("templating").path("list");
		JsonNode dataSource = variable(variables, "DS_PROMETHEUS");
		assertThat(dataSource.path("type").asString()).isEqualTo("datasource");
		assertThat(dataSource.path("query").asString()).isEqualTo("prometheus");
		JsonNode server = variable(variables, "server");
		assertThat(server.path("type").asString()).isEqualTo("query");
		assertThat(server.path("definition").asString())
			.isEqualTo("label_values(thousandisland_connections_active, server)");
		assertThat(server.path("query").path("query").asString()).isEqualTo(server.path("definition").asString());
		assertThat(server.path("multi").asBoolean()).isTrue();
		assertThat(server.path("includeAll").asBoolean()).isTrue();
		Set<Integer> ids = new HashSet<>();
		for (JsonNode panel : this.dashboard.path("panels")) {
			assertThat(ids.add(panel.path("id").asInt())).as("unique panel id %s", panel.path("id")).isTrue();
			assertThat(panel.path("gridPos").path("w").asInt()).isPositive();
			if (panel.path("type").asString().equals("row")) {
				continue;
			}
			assertThat(panel.path("datasource").path("uid").asString()).as(panel.path("title").asString())
				.isEqualTo("${DS_PROMETHEUS}");
			assertThat(panel.path("targets")).as(panel.path("title").asString()).isNotEmpty();
			Set<String> refIds = new HashSet<>();
			for (JsonNode target : panel.path("targets")) {
				assertThat(refIds.add(target.path("refId").asString())).isTrue();
				assertThat(target.path("datasource").path("uid").asString()).isEqualTo("${DS_PROMETHEUS}");
				String expr = target.path("expr").asString();
				// The PubSub spans the servers of an instance: its meters have no server label.
				String filter = expr.contains("thousandisland_pubsub_") ? "instance=~\"$instance\"" : "server=~\"$server\"";
				assertThat(expr).as(panel.path("title").asString()).isNotBlank().contains(filter);
				assertBalanced(expr);
			}
		}
		assertThat(panelTitles()).contains("Active connections", "Accept rate", "Rejected connections by reason",
				"Connection duration", "Bytes in / out", "TLS handshakes by outcome", "Acceptor errors by reason",
				"Handler errors by exception", "Read timeouts", "PubSub cross-instance loss by reason");
	}

	@Test
	void dashboardQueriesOnlyMetricsAndLabelsTheApplicationExports() throws Exception {
		PrometheusScrape scrape = driveEveryMeterAndScrape();
		Set<String> exported = scrape.thousandIslandNames();
		assertThat(exported).containsExactlyInAnyOrderElementsOf(EXPORTED_NAMES);
		Set<String> exportedLabels = new TreeSet<>(TARGET_LABELS);
		scrape.thousandIslandSamples().forEach((sample) -> exportedLabels.addAll(sample.labels().keySet()));
		List<String> queries = queries();
		assertThat(queries).isNotEmpty();
		Set<String> used = new TreeSet<>();
		for (String query : queries) {
			Matcher metric = METRIC.matcher(query);
			while (metric.find()) {
				used.add(metric.group());
				assertThat(exported).as("metric in %s", query).contains(metric.group());
			}
			assertThat(labels(query)).as("labels in %s", query).isSubsetOf(exportedLabels);
		}
		assertThat(used).as("exported metrics on the dashboard").containsAll(exported);
	}

	/** One connection through each meter: bytes, a handler error, a rejection, TLS both ways. */
	private PrometheusScrape driveEveryMeterAndScrape() throws Exception {
		try (LoopbackClient client = LoopbackClient.connect(port("echo"))) {
			client.exchange(ThousandIslandPrometheusScrapeTests.payload(8));
		}
		try (LoopbackClient client = LoopbackClient.connect(port("failing"))) {
			client.send(ThousandIslandPrometheusScrapeTests.payload(1));
			client.receiveUntilClosed();
		}
		int secure = port(ObservabilityTestApplication.SECURE);
		try (LoopbackClient client = LoopbackClient.connectTls(secure, KeytoolCertificate.get().clientContext())) {
			client.exchange(ThousandIslandPrometheusScrapeTests.payload(8));
		}
		try (LoopbackClient client = LoopbackClient.connect(secure)) {
			client.send("not a ClientHello\r\n".getBytes(StandardCharsets.US_ASCII));
			client.receiveUntilClosed();
		}
		try (LoopbackClient admitted = LoopbackClient.connect(port("limited"))) {
			admitted.exchange(ThousandIslandPrometheusScrapeTests.payload(1));
			try (LoopbackClient rejected = LoopbackClient.connect(port("limited"))) {
				rejected.receiveUntilClosed();
			}
		}
		PrometheusScrape[] scrape = new PrometheusScrape[1];
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
			scrape[0] = PrometheusScrape.of(this.managementPort);
			assertThat(scrape[0].thousandIslandNames()).containsAll(EXPORTED_NAMES);
		});
		return scrape[0];
	}

	private int port(String server) {
		return this.servers.get(server).orElseThrow().port();
	}

	/** Every PromQL query: panel targets and query variables. */
	private List<String> queries() {
		List<String> queries = new ArrayList<>();
		for (JsonNode panel : this.dashboard.path("panels")) {
			for (JsonNode target : panel.path("targets")) {
				queries.add(target.path("expr").asString());
			}
		}
		for (JsonNode variable : this.dashboard.path("templating").path("list")) {
			if (variable.path("type").asString().equals("query")) {
				queries.add(variable.path("definition").asString());
				queries.add(variable.path("query").path("query").asString());
			}
		}
		return queries;
	}

	private List<String> panelTitles() {
		List<String> titles = new ArrayList<>();
		this.dashboard.path("panels").forEach((panel) -> titles.add(panel.path("title").asString()));
		return titles;
	}

	private static Set<String> labels(String query) {
		Set<String> labels = new LinkedHashSet<>();
		Matcher matcher = MATCHER_LABEL.matcher(query);
		while (matcher.find()) {
			labels.add(matcher.group(1));
		}
		Matcher grouping = GROUPING.matcher(query);
		while (grouping.find()) {
			for (String label : grouping.group(1).split(",")) {
				if (!label.isBlank()) {
					labels.add(label.strip());
				}
			}
		}
		Matcher valuesOf = Pattern.compile("label_values\\(.*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)").matcher(query);
		if (valuesOf.find()) {
			labels.add(valuesOf.group(1));
		}
		return labels;
	}

	private static JsonNode variable(JsonNode variables, String name) {
		for (JsonNode variable : variables) {
			if (variable.path("name").asString().equals(name)) {
				return variable;
			}
		}
		throw new AssertionError("No template variable named " + name);
	}

	private static void assertBalanced(String expr) {
		StringBuilder open = new StringBuilder();
		boolean quoted = false;
		for (char c : expr.toCharArray()) {
			if (c == '"') {
				quoted = !quoted;
			}
			else if (!quoted && "({[".indexOf(c) >= 0) {
				open.append(c);
			}
			else if (!quoted && ")}]".indexOf(c) >= 0) {
				assertThat(open).as("brackets of %s", expr).isNotEmpty();
				char last = open.charAt(open.length() - 1);
				assertThat("({[".indexOf(last)).as("brackets of %s", expr).isEqualTo(")}]".indexOf(c));
				open.setLength(open.length() - 1);
			}
		}
		assertThat(open).as("brackets of %s", expr).isEmpty();
		assertThat(quoted).as("quotes of %s", expr).isFalse();
	}

}
