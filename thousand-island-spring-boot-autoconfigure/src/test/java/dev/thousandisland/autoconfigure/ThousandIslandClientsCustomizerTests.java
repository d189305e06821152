package dev.thousandisland.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;

import dev.thousandisland.Server;

import static dev.thousandisland.autoconfigure.ThousandIslandClientsIntegrationTests.echoServer;
import static dev.thousandisland.autoconfigure.ThousandIslandClientsIntegrationTests.text;
import static dev.thousandisland.autoconfigure.ThousandIslandClientsIntegrationTests.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ThousandIslandClientCustomizer} beans: applied to every client of
 * {@code thousandisland.clients.*}, after its properties and in {@code @Order}.
 */
class ThousandIslandClientsCustomizerTests {

	@Test
	void customizersRunForEveryClientAfterThePropertiesInTheirOrder() throws Exception {
		Server server = echoServer(0);
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(CustomizedApplication.class)
			.web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "thousandisland.clients.echo.host=127.0.0.1",
					"thousandisland.clients.echo.port=" + server.port(), "thousandisland.clients.echo.framing.type=line",
					"thousandisland.clients.echo.request-timeout=1s", "thousandisland.clients.other.host=127.0.0.1",
					"thousandisland.clients.other.port=" + server.port(), "thousandisland.clients.other.framing.type=line",
					"thousandisland.clients.other.pool-size=2")
			.run()) {
			List<String> calls = context.getBean(CustomizedApplication.class).calls;
			assertThat(calls).containsExactly("first echo", "second echo", "first other", "second other");
			ThousandIslandClients clients = context.getBean(ThousandIslandClients.class);
			// The later customizer wins over the earlier one, and both over the property.
			assertThat(clients.get("echo").connection().config().requestTimeout()).isEqualTo(Duration.ofSeconds(7));
			assertThat(clients.get("other").connections())
				.allSatisfy((member) -> assertThat(member.config().requestTimeout()).isEqualTo(Duration.ofSeconds(7)));
			assertThat(text(clients.get("echo").request(utf8("customized")))).isEqualTo("customized");
		}
		finally {
			server.stop();
		}
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class CustomizedApplication {

		final List<String> calls = new CopyOnWriteArrayList<>();

		// Declared second, ordered first: the order comes from @Order, not from declaration.
		@Bean
		@Order(2)
		ThousandIslandClientCustomizer secondCustomizer() {
			return (name, builder) -> {
				this.calls.add("second " + name);
				builder.requestTimeout(Duration.ofSeconds(7));
			};
		}

		@Bean
		@Order(1)
		ThousandIslandClientCustomizer firstCustomizer() {
			return (name, builder) -> {
				this.calls.add("first " + name);
				builder.requestTimeout(Duration.ofSeconds(3));
			};
		}

	}

}
