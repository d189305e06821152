package dev.thousandisland.autoconfigure.health;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.Socket;
import dev.thousandisland.ThousandIsland;
import dev.thousandisland.autoconfigure.ThousandIslandClient;
import dev.thousandisland.autoconfigure.ThousandIslandClients;
import dev.thousandisland.client.ClientPool;
import dev.thousandisland.client.RequestTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The clients' health indicators, meters and endpoint listing, read over HTTP from the actuator
 * of a real application whose clients talk over loopback to echo servers this test starts:
 * {@code up} has its server from the start, {@code down} never has one, and {@code late} gets
 * one in the middle of a test.
 */
@SpringBootTest(classes = ThousandIslandClientActuatorTests.ClientApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0",
				"management.endpoints.web.exposure.include=health,prometheus,thousandisland",
				"management.endpoint.health.show-details=always", "thousandisland.clients.up.host=127.0.0.1",
				"thousandisland.clients.up.framing.type=line", "thousandisland.clients.down.host=127.0.0.1",
				"thousandisland.clients.down.framing.type=line", "thousandisland.clients.down.backoff.initial=20ms",
				"thousandisland.clients.down.backoff.max=50ms", "thousandisland.clients.late.host=127.0.0.1",
				"thousandisland.clients.late.framing.type=line", "thousandisland.clients.late.backoff.initial=20ms",
				"thousandisland.clients.late.backoff.max=50ms", "thousandisland.clients.grow.host=127.0.0.1",
				"thousandisland.clients.grow.framing.type=line", "thousandisland.clients.grow.pool.max-size=2",
				"thousandisland.clients.grow.pool.idle-timeout=200ms" })
class ThousandIslandClientActuatorTests {

	private static Server upServer;

	private static int downPort;

	private static int latePort;

	@LocalManagementPort
	private int managementPort;

	@Autowired
	private ThousandIslandClients clients;

	@BeforeAll
	static void startPeers() throws IOException {
		upServer = echoServer(0);
		downPort = freePort();
		latePort = freePort();
	}

	@AfterAll
	static void stopPeers() {
		upServer.stop();
	}

	@DynamicPropertySource
	static void peerPorts(DynamicPropertyRegistry registry) {
		registry.add("thousandisland.clients.up.port", () -> upServer.port());
		registry.add("thousandisland.clients.down.port", () -> downPort);
		registry.add("thousandisland.clients.late.port", () -> latePort);
		registry.add("thousandisland.clients.grow.port", () -> upServer.port());
	}

	@Test
	void connectedClientIsUpAndAClientWithoutPeerIsDown() throws Exception {
		await().atMost(Duration.ofSeconds(10)).until(() -> this.clients.get("up").connection().isConnected());
		ActuatorHttp.Response up = ActuatorHttp.get(this.managementPort, "/actuator/health/thousandislandClients/up");
		assertThat(up.status()).isEqualTo(200);
		assertThat(up.json().path("status").asString()).isEqualTo("UP");
		assertThat(up.json().path("details").path("state").asString()).isEqualTo("connected");
		assertThat(up.json().path("details").path("address").asString()).isEqualTo("127.0.0.1:" + upServer.port());
		ActuatorHttp.Response down = ActuatorHttp.get(this.managementPort,
				"/actuator/health/thousandislandClients/down");
		assertThat(down.status()).isEqualTo(503);
		assertThat(down.json().path("status").asString()).isEqualTo("DOWN");
		assertThat(down.json().path("details").path("state").asString()).isIn("connecting", "backing_off");
	}

	@Test
	void healthTurnsUpWhenThePeerComesUp() throws Exception {
		assertThat(ActuatorHttp.get(this.managementPort, "/actuator/health/thousandislandClients/late").status())
			.isEqualTo(503);
		Server late = echoServer(latePort);
		try {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> ActuatorHttp.get(this.managementPort, "/actuator/health/thousandislandClients/late")
					.status() == 200);
		}
		finally {
			late.stop();
		}
	}

	@Test
	void metersCountRequestsByOutcomeConnectionsByStateAndConnectFailures() throws Exception {
		ThousandIslandClient up = this.clients.get("up");
		for (int i = 0; i < 5; i++) {
			assertThat(StandardCharsets.UTF_8.decode(up.request(utf8("ping " + i))).toString()).isEqualTo("ping " + i);
		}
		assertThatExceptionOfType(RequestTimeoutException.class)
			.isThrownBy(() -> this.clients.get("down").request(utf8("lost"), Duration.ofMillis(100)));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			List<String> lines = prometheus();
			assertThat(lines).contains(
					"thousandisland_client_request_duration_seconds_count{client=\"up\",outcome=\"success\"} 5",
					"thousandisland_client_request_duration_seconds_count{client=\"down\",outcome=\"timeout\"} 1",
					"thousandisland_client_connections{client=\"up\",state=\"connected\"} 1.0",
					"thousandisland_client_connections{client=\"down\",state=\"connected\"} 0.0",
					"thousandisland_client_requests_outstanding{client=\"up\"} 0.0",
					"thousandisland_client_reconnects_total{client=\"up\"} 0.0",
					"thousandisland_client_connect_failures_total{client=\"up\"} 0.0");
			assertThat(lines).anySatisfy((line) -> assertThat(line)
				.matches("thousandisland_client_connect_failures_total\\{client=\"down\"\\} [1-9][0-9]*\\.0"));
		});
	}

	@Test
	void aGrowingPoolsMetersFollowItsMembersAsTheyComeAndGo() throws Exception {
		ClientPool pool = this.clients.get("grow").pool().orElseThrow();
		await().atMost(Duration.ofSeconds(10)).until(() -> pool.connected() == 1);
		try (ClientPool.Lease first = pool.borrow(Duration.ofSeconds(10));
				ClientPool.Lease second = pool.borrow(Duration.ofSeconds(10))) {
			assertThat(second.client().config().name()).isEqualTo("grow-1");
			assertThat(StandardCharsets.UTF_8.decode(second.client().request(utf8("grown"))).toString())
				.isEqualTo("grown");
			assertThat(prometheus()).contains("thousandisland_client_connections{client=\"grow\",state=\"connected\"} 2.0",
					"thousandisland_client_connections_max{client=\"grow\"} 2.0",
					"thousandisland_client_request_duration_seconds_count{client=\"grow\",outcome=\"success\"} 1");
			JsonNode grow = ActuatorHttp.get(this.managementPort, "/actuator/thousandisland").json().path("clients").path("grow");
			assertThat(grow.path("poolSize").asInt()).isEqualTo(2);
			assertThat(grow.path("maxPoolSize").asInt()).isEqualTo(2);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> pool.members().size() == 1);
		assertThat(prometheus()).contains("thousandisland_client_connections{client=\"grow\",state=\"connected\"} 1.0",
				"thousandisland_client_connections{client=\"grow\",state=\"stopped\"} 0.0",
				"thousandisland_client_connections{client=\"grow\",state=\"stopping\"} 0.0");
		JsonNode grow = ActuatorHttp.get(this.managementPort, "/actuator/thousandisland").json().path("clients").path("grow");
		assertThat(grow.path("poolSize").asInt()).isEqualTo(1);
		assertThat(grow.path("members").size()).isEqualTo(1);
	}

	@Test
	void endpointListsTheClients() throws Exception {
		await().atMost(Duration.ofSeconds(10)).until(() -> this.clients.get("up").connection().isConnected());
		ActuatorHttp.Response response = ActuatorHttp.get(this.managementPort, "/actuator/thousandisland");
		assertThat(response.status()).isEqualTo(200);
		JsonNode clients = response.json().path("clients");
		assertThat(clients.path("up").path("state").asString()).isEqualTo("connected");
		assertThat(clients.path("up").path("address").asString()).isEqualTo("127.0.0.1:" + upServer.port());
		assertThat(clients.path("up").path("transport").asString()).isEqualTo("tcp");
		assertThat(clients.path("up").path("connected").asInt()).isEqualTo(1);
		assertThat(clients.path("up").path("outstanding").asInt()).isZero();
		assertThat(clients.path("down").path("state").asString()).isIn("connecting", "backing_off");
		assertThat(clients.path("down").path("connected").asInt()).isZero();
	}

	private List<String> prometheus() throws Exception {
		ActuatorHttp.Response response = ActuatorHttp.get(this.managementPort, "/actuator/prometheus", "text/plain");
		assertThat(response.status()).isEqualTo(200);
		return response.body().lines().filter((line) -> line.startsWith("thousandisland_client")).toList();
	}

	private static Server echoServer(int port) throws IOException {
		Handler<Void> echo = new Handler<>() {

			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				socket.send(data);
				return Result.continueWith(state);
			}

		};
		return ThousandIsland
			.start(ServerConfig.builder(echo).port(port).bindAddress(InetAddress.getLoopbackAddress()).build());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static ByteBuffer utf8(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ClientApplication {

	}

}
