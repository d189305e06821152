package dev.thousandisland.autoconfigure.health;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.autoconfigure.ThousandIslandServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code thousandisland} health contributor of an application with one server, read over
 * HTTP from {@code /actuator/health} on the management port.
 */
@SpringBootTest(classes = ThousandIslandHealthContributorTests.EchoApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "management.endpoints.web.exposure.include=health",
				"management.endpoint.health.show-details=always", "management.endpoint.health.probes.enabled=true",
				"thousandisland.port=0", "thousandisland.address=127.0.0.1", "thousandisland.acceptors=2",
				"thousandisland.max-connections-per-acceptor=32",
				// Spring Data Redis is on this module's test classpath (the PubSub's Redis adapter), and
				// no Redis runs for this test: Boot's redis indicator would be DOWN.
				"management.health.redis.enabled=false" })
class ThousandIslandHealthContributorTests {

	@LocalManagementPort
	private int managementPort;

	@Autowired
	private ThousandIslandServers servers;

	@Autowired
	private HealthEndpointGroups groups;

	@Test
	void serverIsUpWithItsAddressTransportConnectionsAndLimitsWhileRunning() throws Exception {
		Server server = this.servers.get("echo").orElseThrow();
		ActuatorHttp.Response response = ActuatorHttp.get(this.managementPort, "/actuator/health/thousandisland");
		assertThat(response.status()).isEqualTo(200);
		JsonNode health = response.json();
		assertThat(health.path("status").asString()).isEqualTo("UP");
		JsonNode details = health.path("details");
		assertThat(details.path("status").asString()).isEqualTo("running");
		assertThat(details.path("address").asString()).isEqualTo("127.0.0.1:" + server.port());
		assertThat(details.path("transport").asString()).isEqualTo("tcp");
		assertThat(details.path("activeConnections").asInt()).isZero();
		assertThat(details.path("maxConnections").asLong()).isEqualTo(64);
		assertThat(details.path("acceptors").asInt()).isEqualTo(2);
		try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
			client.setSoTimeout(10_000);
			client.getOutputStream().write('x');
			InputStream in = client.getInputStream();
			assertThat(in.read()).isEqualTo('x');
			assertThat(ActuatorHttp.get(this.managementPort, "/actuator/health/thousandisland")
				.json()
				.path("details")
				.path("activeConnections")
				.asInt()).isEqualTo(1);
		}
	}

	@Test
	void serverIsOutOfServiceWhileSuspendedAndUpAgainOnceResumed() throws Exception {
		Server server = this.servers.get("echo").orElseThrow();
		server.suspend();
		try {
			ActuatorHttp.Response suspended = ActuatorHttp.get(this.managementPort, "/actuator/health/thousandisland");
			assertThat(suspended.status()).isEqualTo(503);
			assertThat(suspended.json().path("status").asString()).isEqualTo("OUT_OF_SERVICE");
			assertThat(suspended.json().path("details").path("status").asString()).isEqualTo("suspended");
			assertThat(ActuatorHttp.get(this.managementPort, "/actuator/health").status()).isEqualTo(503);
		}
		finally {
			server.resume();
		}
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			ActuatorHttp.Response resumed = ActuatorHttp.get(this.managementPort, "/actuator/health/thousandisland");
			assertThat(resumed.status()).isEqualTo(200);
			assertThat(resumed.json().path("status").asString()).isEqualTo("UP");
			assertThat(resumed.json().path("details").path("status").asString()).isEqualTo("running");
		});
	}

	@Test
	void healthIsPartOfTheOverallHealthButNotOfTheProbeGroups() throws Exception {
		ActuatorHttp.Response overall = ActuatorHttp.get(this.managementPort, "/actuator/health");
		assertThat(overall.status()).isEqualTo(200);
		assertThat(overall.json().path("components").propertyNames()).contains("thousandisland");
		HealthEndpointGroup liveness = this.groups.get("liveness");
		HealthEndpointGroup readiness = this.groups.get("readiness");
		assertThat(liveness).isNotNull();
		assertThat(readiness).isNotNull();
		assertThat(liveness.isMember("livenessState")).isTrue();
		assertThat(liveness.isMember("thousandisland")).isFalse();
		assertThat(readiness.isMember("thousandisland")).isFalse();
		// The PubSub's adapter health is not a probe either: restarting the JVM does not bring Redis back.
		assertThat(overall.json().path("components").propertyNames()).contains("pubsub");
		assertThat(liveness.isMember("pubsub")).isFalse();
		assertThat(readiness.isMember("pubsub")).isFalse();
		Server server = this.servers.get("echo").orElseThrow();
		server.suspend();
		try {
			assertThat(ActuatorHttp.get(this.managementPort, "/actuator/health").status()).isEqualTo(503);
			ActuatorHttp.Response probe = ActuatorHttp.get(this.managementPort, "/actuator/health/liveness");
			assertThat(probe.status()).isEqualTo(200);
			assertThat(probe.json().path("status").asString()).isEqualTo("UP");
			assertThat(probe.body()).doesNotContain("thousandisland");
		}
		finally {
			server.resume();
		}
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class EchoApplication {

		@Bean
		Handler<Void> echo() {
			return new Handler<>() {

				@Override
				public Result<Void> handleData(ByteBuffer data, dev.thousandisland.Socket socket, Void state)
						throws Exception {
					socket.send(data);
					return Result.continueWith(state);
				}

			};
		}

	}

}
