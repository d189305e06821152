package dev.thousandisland.autoconfigure.endpoint;

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
import dev.thousandisland.autoconfigure.endpoint.EndpointTestApplication.Response;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code thousandisland} actuator endpoint with its default, read-only access, over HTTP on
 * the management port.
 */
@SpringBootTest(classes = EndpointTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0",
				"management.endpoints.web.exposure.include=health,thousandisland", "thousandisland.port=0",
				"thousandisland.address=127.0.0.1", "thousandisland.acceptors=2",
				"thousandisland.max-connections-per-acceptor=32", "thousandisland.max-connections=50" })
class ThousandIslandEndpointTests {

	@LocalManagementPort
	private int managementPort;

	@Autowired
	private ThousandIslandServers servers;

	@Test
	void listsEveryServerWithItsStatusAddressTransportConnectionsAndLimits() throws Exception {
		Server server = this.servers.get("echo").orElseThrow();
		// Connections of other tests may still be closing.
		Response response = await().atMost(Duration.ofSeconds(10))
			.until(() -> actuator().get("/actuator/thousandisland"), (answer) -> answer.status() == 200
					&& answer.json().path("servers").path("echo").path("activeConnections").asInt() == 0);
		JsonNode servers = response.json().path("servers");
		assertThat(servers.propertyNames()).containsExactly("echo");
		JsonNode echo = servers.path("echo");
		assertThat(echo.path("status").asString()).isEqualTo("running");
		assertThat(echo.path("address").asString()).isEqualTo("127.0.0.1:" + server.port());
		assertThat(echo.path("transport").asString()).isEqualTo("tcp");
		assertThat(echo.path("handler").asString()).isEqualTo("echo");
		assertThat(echo.path("activeConnections").asInt()).isZero();
		assertThat(echo.path("acceptors").asInt()).isEqualTo(2);
		assertThat(echo.path("connectionsPerAcceptor").asInt()).isEqualTo(32);
		assertThat(echo.path("maxConnections").asInt()).isEqualTo(50);
		assertThat(echo.path("uptimeSeconds").isNumber()).isTrue();
		assertThat(echo.path("uptimeSeconds").asLong()).isNotNegative();
		// The listing leaves out the connections themselves (ask for one server to see them).
		assertThat(echo.has("connections")).isFalse();
		assertThat(echo.propertyNames()).doesNotHaveDuplicates().allSatisfy(
				(name) -> assertThat(echo.path(name).isNull()).as("%s is null", name).isFalse());
	}

	@Test
	void describesALiveConnectionWithItsAddressAgeByteCountsAndState() throws Exception {
		try (Client client = Client.connect(this.servers.get("echo").orElseThrow().port())) {
			assertThat(client.exchange("hello world")).isEqualTo("hello world");
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				JsonNode server = actuator().get("/actuator/thousandisland/echo").json();
				assertThat(server.path("status").asString()).isEqualTo("running");
				assertThat(server.path("activeConnections").asInt()).isEqualTo(1);
				JsonNode connections = server.path("connections");
				assertThat(connections.size()).isEqualTo(1);
				JsonNode connection = connections.get(0);
				assertThat(connection.path("id").asLong()).isPositive();
				assertThat(connection.path("ageMillis").asLong()).isNotNegative();
				assertThat(connection.path("bytesIn").asLong()).isEqualTo(11);
				assertThat(connection.path("bytesOut").asLong()).isEqualTo(11);
				assertThat(connection.path("state").asString()).isEqualTo("open");
				assertThat(connection.path("remoteAddress").asString()).isEqualTo("127.0.0.1:" + client.localPort());
			});
		}
	}

	@Test
	void anUnknownServerIsNotFound() throws Exception {
		assertThat(actuator().get("/actuator/thousandisland/nope").status()).isEqualTo(404);
	}

	@Test
	void byDefaultServersCannotBeSuspendedNorConnectionsClosed() throws Exception {
		Server server = this.servers.get("echo").orElseThrow();
		try (Client client = Client.connect(server.port())) {
			assertThat(client.exchange("ping")).isEqualTo("ping");
			long id = await().atMost(Duration.ofSeconds(10))
				.until(() -> actuator().get("/actuator/thousandisland/echo").json().path("connections"),
						(connections) -> connections.size() == 1)
				.get(0)
				.path("id")
				.asLong();
			Response suspend = actuator().post("/actuator/thousandisland/echo", "{\"action\":\"suspend\"}");
			assertThat(suspend.status()).isEqualTo(405);
			Response close = actuator().delete("/actuator/thousandisland/echo/" + id);
			assertThat(close.status()).isEqualTo(404);
			assertThat(server.status()).isEqualTo(ServerStatus.RUNNING);
			assertThat(actuator().get("/actuator/thousandisland").json().path("servers").path("echo").path("status")
				.asString()).isEqualTo("running");
			assertThat(client.exchange("still open")).isEqualTo("still open");
		}
	}

	private Actuator actuator() {
		return new Actuator(this.managementPort);
	}

}
