package dev.thousandisland.autoconfigure.metrics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;

import dev.thousandisland.autoconfigure.ThousandIslandServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scrapes {@code /actuator/prometheus} over HTTP after driving real connections, and pins the
 * names, labels and values the meters are exported with. Each scenario runs against its own
 * server of {@link ObservabilityTestApplication}, so the values are exact whatever the order.
 */
@SpringBootTest(classes = ObservabilityTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0",
				"management.endpoints.web.exposure.include=health,prometheus,thousandisland", "thousandisland.port=0",
				"thousandisland.address=127.0.0.1", "thousandisland.acceptors=2", "thousandisland.max-connections-per-acceptor=32",
				"thousandisland.servers.echo.max-connections=50", "thousandisland.servers.idle.read-timeout=200ms",
				"thousandisland.servers.limited.acceptors=1", "thousandisland.servers.limited.max-connections-per-acceptor=1",
				"thousandisland.servers.limited.max-connections-retry-count=0" })
class ThousandIslandPrometheusScrapeTests {

	/** Every label an exported thousandisland series may carry: nothing about peers. */
	static final Set<String> ALLOWED_LABELS = Set.of("server", "transport", "reason", "outcome", "exception", "pubsub",
			"scope", "origin");

	private static final int[] PAYLOAD_SIZES = { 1, 17, 256, 1000, 4096 };

	@LocalManagementPort
	private int managementPort;

	@Autowired
	private ThousandIslandServers servers;

	@Test
	void echoTrafficIsExportedWithExactNamesAndValues() throws Exception {
		int port = port("echo");
		List<LoopbackClient> clients = new ArrayList<>();
		PrometheusScrape whileOpen;
		try {
			for (int size : PAYLOAD_SIZES) {
				LoopbackClient client = LoopbackClient.connect(port);
				clients.add(client);
				assertThat(client.exchange(payload(size))).isEqualTo(payload(size));
			}
			// Each connection was counted when admitted, before its echo came back. A collection
			// first: a gauge must not depend on the garbage collector having left it alone.
			System.gc();
			whileOpen = PrometheusScrape.of(this.managementPort);
		}
		finally {
			for (LoopbackClient client : clients) {
				client.close();
			}
		}
		int total = Arrays.stream(PAYLOAD_SIZES).sum();
		PrometheusScrape scrape = awaitLines(
				"thousandisland_connection_duration_seconds_count{server=\"echo\",transport=\"tcp\"} 5");
		assertThat(scrape.thousandIslandLines()).contains(
				"thousandisland_connections_accepted_total{server=\"echo\",transport=\"tcp\"} 5.0",
				"thousandisland_data_received_bytes_total{server=\"echo\",transport=\"tcp\"} " + total + ".0",
				"thousandisland_data_sent_bytes_total{server=\"echo\",transport=\"tcp\"} " + total + ".0",
				"thousandisland_connections_max{server=\"echo\",transport=\"tcp\"} 50.0",
				"thousandisland_connections_rejected_total{reason=\"limit\",server=\"echo\",transport=\"tcp\"} 0.0",
				"thousandisland_read_timeouts_total{server=\"echo\",transport=\"tcp\"} 0.0",
				"# TYPE thousandisland_connection_duration_seconds summary",
				"# TYPE thousandisland_connections_active gauge",
				"# TYPE thousandisland_connections_accepted_total counter");
		assertThat(scrape.samples()).filteredOn((sample) -> sample.name().startsWith("thousandisland_connection_duration"))
			.extracting(PrometheusScrape.Sample::name)
			.containsOnly("thousandisland_connection_duration_seconds_count",
					"thousandisland_connection_duration_seconds_sum", "thousandisland_connection_duration_seconds_max");
		assertThat(scrape.body()).doesNotContain("_total_total");
		assertThat(scrape.thousandIslandNames()).doesNotContain(
				"thousandisland_connections_accepted_connections_total", "thousandisland_connections_active_connections",
				"thousandisland_bytes_received_total",
				// The names of the 0.1 snapshots, which said "bytes" twice.
				"thousandisland_bytes_received_bytes_total", "thousandisland_bytes_sent_bytes_total");
		assertNoPeerLabels(scrape, clients);
		assertThat(whileOpen.thousandIslandLines())
			.contains("thousandisland_connections_active{server=\"echo\",transport=\"tcp\"} 5.0");
		// A connection is removed from the count just after its stop event is recorded.
		awaitLines("thousandisland_connections_active{server=\"echo\",transport=\"tcp\"} 0.0");
	}

	@Test
	void everyServerHasAHandlerErrorsSeriesAtZeroBeforeItsFirstError() throws Exception {
		PrometheusScrape scrape = PrometheusScrape.of(this.managementPort);
		for (String server : List.of("echo", "idle", "limited", ObservabilityTestApplication.SECURE)) {
			String transport = server.equals(ObservabilityTestApplication.SECURE) ? "tls" : "tcp";
			assertThat(scrape.thousandIslandLines()).contains("thousandisland_handler_errors_total{exception=\"none\",server=\""
					+ server + "\",transport=\"" + transport + "\"} 0.0");
		}
		assertThat(scrape.thousandIslandLines()).contains("# TYPE thousandisland_handler_errors_total counter");
	}

	@Test
	void anIdleClientIsCountedAsAReadTimeout() throws Exception {
		try (LoopbackClient client = LoopbackClient.connect(port("idle"))) {
			assertThat(client.receiveUntilClosed()).isZero();
		}
		PrometheusScrape scrape = awaitLines("thousandisland_read_timeouts_total{server=\"idle\",transport=\"tcp\"} 1.0",
				"thousandisland_connection_duration_seconds_count{server=\"idle\",transport=\"tcp\"} 1");
		assertThat(scrape.body().lines())
			.contains("thousandisland_connections_accepted_total{server=\"idle\",transport=\"tcp\"} 1.0");
		assertNoPeerLabels(scrape, List.of());
	}

	@Test
	void aHandlerThatThrowsIsCountedAsAHandlerErrorByExceptionClass() throws Exception {
		try (LoopbackClient client = LoopbackClient.connect(port("failing"))) {
			client.send("boom".getBytes(StandardCharsets.UTF_8));
			assertThat(client.receiveUntilClosed()).isZero();
		}
		PrometheusScrape scrape = awaitLines(
				"thousandisland_handler_errors_total{exception=\"IllegalStateException\",server=\"failing\",transport=\"tcp\"} 1.0",
				"thousandisland_connection_duration_seconds_count{server=\"failing\",transport=\"tcp\"} 1");
		assertThat(scrape.body().lines())
			.contains("thousandisland_read_timeouts_total{server=\"failing\",transport=\"tcp\"} 0.0");
		assertNoPeerLabels(scrape, List.of());
	}

	@Test
	void aConnectionBeyondTheLimitIsCountedOnceAsRejectedAndNotAsAnAcceptorError() throws Exception {
		int port = port("limited");
		try (LoopbackClient admitted = LoopbackClient.connect(port)) {
			assertThat(admitted.exchange(payload(3))).isEqualTo(payload(3));
			try (LoopbackClient rejected = LoopbackClient.connect(port)) {
				assertThat(rejected.receiveUntilClosed()).isZero();
			}
			PrometheusScrape scrape = awaitLines(
					"thousandisland_connections_rejected_total{reason=\"limit\",server=\"limited\",transport=\"tcp\"} 1.0",
					"thousandisland_acceptor_errors_total{reason=\"spawn_error\",server=\"limited\",transport=\"tcp\"} 0.0");
			assertThat(scrape.thousandIslandLines()).contains(
					"thousandisland_connections_accepted_total{server=\"limited\",transport=\"tcp\"} 1.0",
					"thousandisland_connections_max{server=\"limited\",transport=\"tcp\"} 1.0");
			assertThat(admitted.exchange(payload(5))).isEqualTo(payload(5));
			assertNoPeerLabels(scrape, List.of(admitted));
			assertThat(scrape.thousandIslandLines())
				.contains("thousandisland_connections_active{server=\"limited\",transport=\"tcp\"} 1.0");
		}
	}

	@Test
	void tlsHandshakesAreTimedByOutcomeAndAFailedOneIsCountedAsRejected() throws Exception {
		int port = port(ObservabilityTestApplication.SECURE);
		try (LoopbackClient client = LoopbackClient.connectTls(port, KeytoolCertificate.get().clientContext())) {
			assertThat(client.exchange(payload(64))).isEqualTo(payload(64));
		}
		awaitLines(
				"thousandisland_tls_handshake_seconds_count{outcome=\"success\",server=\"secure\",transport=\"tls\"} 1");
		try (LoopbackClient garbage = LoopbackClient.connect(port)) {
			garbage.send("GET / HTTP/1.1\r\nHost: not-tls\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			garbage.receiveUntilClosed();
		}
		PrometheusScrape scrape = awaitLines(
				"thousandisland_tls_handshake_seconds_count{outcome=\"failure\",server=\"secure\",transport=\"tls\"} 1",
				"thousandisland_connections_rejected_total{reason=\"handshake\",server=\"secure\",transport=\"tls\"} 1.0",
				"thousandisland_connection_duration_seconds_count{server=\"secure\",transport=\"tls\"} 2");
		assertThat(scrape.thousandIslandLines()).contains(
				"thousandisland_tls_handshake_seconds_count{outcome=\"success\",server=\"secure\",transport=\"tls\"} 1",
				"thousandisland_connections_accepted_total{server=\"secure\",transport=\"tls\"} 2.0",
				"thousandisland_data_received_bytes_total{server=\"secure\",transport=\"tls\"} 64.0",
				"# TYPE thousandisland_tls_handshake_seconds summary");
		assertNoPeerLabels(scrape, List.of());
	}

	private int port(String server) {
		return this.servers.get(server).orElseThrow().port();
	}

	private PrometheusScrape awaitLines(String... lines) {
		PrometheusScrape[] last = new PrometheusScrape[1];
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
			last[0] = PrometheusScrape.of(this.managementPort);
			assertThat(last[0].thousandIslandLines()).contains(lines);
		});
		return last[0];
	}

	static void assertNoPeerLabels(PrometheusScrape scrape, List<LoopbackClient> clients) {
		assertThat(scrape.thousandIslandSamples()).isNotEmpty().allSatisfy((sample) -> {
			assertThat(ALLOWED_LABELS).as("labels of %s", sample.line()).containsAll(sample.labels().keySet());
			assertThat(sample.labels().values()).as("label values of %s", sample.line())
				.noneMatch((value) -> value.contains("127.0.0.1") || value.contains("localhost"));
			for (LoopbackClient client : clients) {
				assertThat(sample.labels().values()).noneMatch((value) -> value.contains(String.valueOf(client.localPort())));
			}
		});
	}

	static byte[] payload(int size) {
		byte[] bytes = new byte[size];
		for (int i = 0; i < size; i++) {
			bytes[i] = (byte) ('a' + (i % 26));
		}
		return bytes;
	}

}
