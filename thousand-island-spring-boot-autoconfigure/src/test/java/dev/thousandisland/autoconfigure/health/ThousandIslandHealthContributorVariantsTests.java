package dev.thousandisland.autoconfigure.health;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.Socket;
import dev.thousandisland.autoconfigure.ThousandIslandServers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code thousandisland} health contributor with several servers, and switched off, each in
 * an application of its own read over HTTP on its management port.
 */
class ThousandIslandHealthContributorVariantsTests {

	private static final String[] PROPERTIES = { "server.port=0", "management.server.port=0",
			"management.endpoints.web.exposure.include=health", "management.endpoint.health.show-details=always",
			"thousandisland.port=0", "thousandisland.address=127.0.0.1", "thousandisland.acceptors=1",
			"thousandisland.shutdown=immediate",
			// Spring Data Redis is on this module's test classpath (the PubSub's Redis adapter), and no
			// Redis runs for this test: Boot's redis indicator would be DOWN.
			"management.health.redis.enabled=false" };

	@Test
	void withTwoServersTheContributorIsACompositeWithOneChildPerServer() throws Exception {
		try (ConfigurableApplicationContext context = run()) {
			int port = managementPort(context);
			ActuatorHttp.Response response = ActuatorHttp.get(port, "/actuator/health/thousandisland");
			assertThat(response.status()).isEqualTo(200);
			JsonNode health = response.json();
			assertThat(health.path("status").asString()).isEqualTo("UP");
			assertThat(health.path("components").propertyNames()).containsExactlyInAnyOrder("first", "second");
			ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
			for (String name : new String[] { "first", "second" }) {
				JsonNode child = health.path("components").path(name);
				assertThat(child.path("status").asString()).isEqualTo("UP");
				assertThat(child.path("details").path("address").asString())
					.isEqualTo("127.0.0.1:" + servers.get(name).orElseThrow().port());
				assertThat(child.path("details").path("acceptors").asInt()).isEqualTo(1);
			}
			Server second = servers.get("second").orElseThrow();
			second.suspend();
			try {
				ActuatorHttp.Response oneSuspended = ActuatorHttp.get(port, "/actuator/health/thousandisland");
				assertThat(oneSuspended.status()).isEqualTo(503);
				assertThat(oneSuspended.json().path("status").asString()).isEqualTo("OUT_OF_SERVICE");
				assertThat(oneSuspended.json().path("components").path("first").path("status").asString())
					.isEqualTo("UP");
				ActuatorHttp.Response child = ActuatorHttp.get(port, "/actuator/health/thousandisland/second");
				assertThat(child.status()).isEqualTo(503);
				assertThat(child.json().path("status").asString()).isEqualTo("OUT_OF_SERVICE");
				assertThat(ActuatorHttp.get(port, "/actuator/health/thousandisland/first").status()).isEqualTo(200);
			}
			finally {
				second.resume();
			}
		}
	}

	@Test
	void theContributorIsRemovedWhenItsHealthIndicatorIsDisabled() throws Exception {
		try (ConfigurableApplicationContext context = run("management.health.thousandisland.enabled=false")) {
			int port = managementPort(context);
			assertThat(context.getBean(ThousandIslandServers.class).get("first")).isPresent();
			assertThat(context.containsBean("thousandislandHealthContributor")).isFalse();
			assertThat(ActuatorHttp.get(port, "/actuator/health/thousandisland").status()).isEqualTo(404);
			ActuatorHttp.Response overall = ActuatorHttp.get(port, "/actuator/health");
			assertThat(overall.status()).isEqualTo(200);
			assertThat(overall.json().path("components").propertyNames()).isNotEmpty()
				.doesNotContain("thousandisland");
		}
	}

	private static ConfigurableApplicationContext run(String... extraProperties) {
		return new SpringApplicationBuilder(TwoServersApplication.class).properties(PROPERTIES)
			.properties(extraProperties)
			.run();
	}

	private static int managementPort(ConfigurableApplicationContext context) {
		return context.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TwoServersApplication {

		@Bean
		Handler<Void> first() {
			return new Echo();
		}

		@Bean
		Handler<Void> second() {
			return new Echo();
		}

	}

	static class Echo implements Handler<Void> {

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

}
