package dev.thousandisland.autoconfigure.endpoint;

import java.net.ConnectException;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import tools.jackson.databind.JsonNode;

import dev.thousandisland.Server;
import dev.thousandisland.ServerStatus;
import dev.thousandisland.autoconfigure.ThousandIslandServers;
import dev.thousandisland.autoconfigure.endpoint.EndpointTestApplication.Actuator;
import dev.thousandisland.autoconfigure.endpoint.EndpointTestApplication.Client;
import dev.thousandisland.autoconfigure.endpoint.EndpointTestApplication.RecordingEcho;
import dev.thousandisland.autoconfigure.endpoint.EndpointTestApplication.Response;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The {@code thousandisland} actuator endpoint with
 * {@code management.endpoint.thousandisland.access=unrestricted}: suspending, resuming and
 * closing connections over HTTP on the management port.
 */
@SpringBootTest(classes = EndpointTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0",
				"management.endpoints.web.exposure.include=health,thousandisland",
				"management.endpoint.thousandisland.access=unrestricted",
				"management.endpoint.health.show-details=always", "thousandisland.port=0",
				"thousandisland.address=127.0.0.1", "thousandisland.acceptors=2" })
class ThousandIslandEndpointUnrestrictedTests {

	@LocalManagementPort
	private int managementPort;

	@Autowired
	private ThousandIslandServers servers;

	@Autowired
	private RecordingEcho handler;

	@Test
	void postingSuspendStopsListeningAndPostingResumeListensAgain() throws Exception {
		Server server = this.servers.get("echo").orElseThrow();
		int port = server.port();
		try {
			Response suspended = actuator().post("/actuator/thousandisland/echo", "{\"action\":\"suspend\"}");
			assertThat(suspended.status()).isEqualTo(200);
			assertThat(suspended.json().path("status").asString()).isEqualTo("suspended");
			// Where it listened, and will again on resume; its uptime counts from its start.
			assertThat(suspended.json().path("address").asString()).isEqualTo("127.0.0.1:" + port);
			assertThat(suspended.json().path("uptimeSeconds").isNumber()).isTrue();
			JsonNode listed = actuator().get("/actuator/thousandisland").json().path("servers").path("echo");
			assertThat(listed.path("status").asString()).isEqualTo("suspended");
			assertThat(listed.path("address").asString()).isEqualTo("127.0.0.1:" + port);
			assertThat(listed.path("uptimeSeconds").isNumber()).isTrue();
			assertThat(listed.has("connections")).isFalse();
			JsonNode suspendedHealth = actuator().get("/actuator/health/thousandisland").json().path("details");
			assertThat(suspendedHealth.path("address").asString()).isEqualTo("127.0.0.1:" + port);
			assertThat(server.status()).isEqualTo(ServerStatus.SUSPENDED);
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> Client.connect(port).close());
			Response health = actuator().get("/actuator/health/thousandisland");
			assertThat(health.status()).isEqualTo(503);
			assertThat(health.json().path("status").asString()).isEqualTo("OUT_OF_SERVICE");
			Response resumed = actuator().post("/actuator/thousandisland/echo", "{\"action\":\"resume\"}");
			assertThat(resumed.status()).isEqualTo(200);
			assertThat(resumed.json().path("status").asString()).isEqualTo("running");
			assertThat(resumed.json().path("address").asString()).isEqualTo("127.0.0.1:" + port);
		}
		finally {
			if (server.status() == ServerStatus.SUSPENDED) {
				server.resume();
			}
		}
		try (Client client = Client.connect(port)) {
			assertThat(client.exchange("back")).isEqualTo("back");
		}
		Response health = actuator().get("/actuator/health/thousandisland");
		assertThat(health.status()).isEqualTo(200);
		assertThat(health.json().path("status").asString()).isEqualTo("UP");
	}

	@Test
	void deletingAConnectionClosesItAndRunsTheHandlersHandleClose() throws Exception {
		try (Client client = Client.connect(this.servers.get("echo").orElseThrow().port())) {
			assertThat(client.exchange("hello")).isEqualTo("hello");
			JsonNode connection = await().atMost(Duration.ofSeconds(10))
				.until(() -> actuator().get("/actuator/thousandisland/echo").json().path("connections"),
						(connections) -> connections.size() == 1)
				.get(0);
			long id = connection.path("id").asLong();
			Response closed = actuator().delete("/actuator/thousandisland/echo/" + id);
			assertThat(closed.status()).isEqualTo(200);
			assertThat(closed.json().path("id").asLong()).isEqualTo(id);
			assertThat(client.receiveUntilClosed()).isZero();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				assertThat(this.handler.closed).contains(id);
				assertThat(actuator().get("/actuator/thousandisland/echo").json().path("connections").size())
					.isZero();
			});
		}
	}

	@Test
	void deletingAnUnknownConnectionOrPostingToAnUnknownServerIsNotFound() throws Exception {
		assertThat(actuator().delete("/actuator/thousandisland/echo/987654321").status()).isEqualTo(404);
		assertThat(actuator().delete("/actuator/thousandisland/nope/1").status()).isEqualTo(404);
		assertThat(actuator().post("/actuator/thousandisland/nope", "{\"action\":\"suspend\"}").status())
			.isEqualTo(404);
	}

	private Actuator actuator() {
		return new Actuator(this.managementPort);
	}

}
