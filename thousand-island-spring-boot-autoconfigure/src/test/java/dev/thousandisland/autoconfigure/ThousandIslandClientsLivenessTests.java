package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Server;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.client.Liveness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Keep-alive and the idle check from {@code thousandisland.clients.<name>.*}: the values reach
 * the client, the idle check pings a real echo server through the named handler bean, and a bad
 * value fails start-up naming its property.
 */
class ThousandIslandClientsLivenessTests {

	@Test
	void keepAliveAndIdleCheckPropertiesConfigureTheClientWhichPingsWhenIdle() throws Exception {
		Server server = ThousandIslandClientsIntegrationTests.echoServer(0);
		try (ConfigurableApplicationContext context = application("thousandisland.clients.echo.port=" + server.port(),
				"thousandisland.clients.echo.keep-alive-idle=30s", "thousandisland.clients.echo.keep-alive-interval=5s",
				"thousandisland.clients.echo.keep-alive-count=3", "thousandisland.clients.echo.idle-check-interval=100ms",
				"thousandisland.clients.echo.idle-check-timeout=2s", "thousandisland.clients.echo.handler=pinger")
			.run()) {
			ThousandIslandClient echo = context.getBean(ThousandIslandClients.class).get("echo");
			Liveness liveness = echo.connection().config().liveness();
			assertThat(liveness).isEqualTo(new Liveness(true, Duration.ofSeconds(30), Duration.ofSeconds(5), 3,
					Duration.ofMillis(100), Duration.ofSeconds(2)));
			Pinger pinger = context.getBean(Pinger.class);
			await().atMost(Duration.ofSeconds(10)).until(() -> pinger.pings.get() >= 3);
			assertThat(StandardCharsets.UTF_8.decode(echo.request(ByteBuffer.wrap("hi".getBytes(StandardCharsets.UTF_8))))
				.toString()).isEqualTo("hi");
		}
		finally {
			server.stop();
		}
	}

	@Test
	void keepAliveAloneUsesTheSystemTimingAndNoIdleCheck() {
		try (ConfigurableApplicationContext context = application("thousandisland.clients.echo.port=6379",
				"thousandisland.clients.echo.keep-alive=true")
			.run()) {
			Liveness liveness = context.getBean(ThousandIslandClients.class).get("echo").connection().config().liveness();
			assertThat(liveness).isEqualTo(new Liveness(true, null, null, 0, null, null));
		}
	}

	@Test
	void aKeepAliveIdleOfPartSecondsFailsStartUpNamingTheProperty() {
		assertFailsNaming("keep-alive-idle", "thousandisland.clients.echo.keep-alive-idle=1500ms",
				"thousandisland.clients.echo.keep-alive-interval=5s", "thousandisland.clients.echo.keep-alive-count=3");
	}

	@Test
	void keepAliveTimingMustBeSetTogether() {
		assertFailsNaming("keep-alive-interval", "thousandisland.clients.echo.keep-alive-idle=30s");
	}

	@Test
	void keepAliveTimingWithKeepAliveOffFailsStartUpNamingKeepAlive() {
		assertFailsNaming("keep-alive", "thousandisland.clients.echo.keep-alive=false",
				"thousandisland.clients.echo.keep-alive-idle=30s", "thousandisland.clients.echo.keep-alive-interval=5s",
				"thousandisland.clients.echo.keep-alive-count=3");
	}

	@Test
	void aZeroIdleCheckIntervalFailsStartUpNamingTheProperty() {
		assertFailsNaming("idle-check-interval", "thousandisland.clients.echo.idle-check-interval=0s");
	}

	private static void assertFailsNaming(String property, String... properties) {
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> application(properties).properties("thousandisland.clients.echo.port=6379").run().close())
			.havingRootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.withMessageContaining("thousandisland.clients.echo." + property + " with value");
	}

	private static SpringApplicationBuilder application(String... properties) {
		return new SpringApplicationBuilder(LivenessApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "thousandisland.clients.echo.host=127.0.0.1",
					"thousandisland.clients.echo.framing.type=line")
			.properties(properties);
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class LivenessApplication {

		@Bean
		Pinger pinger() {
			return new Pinger();
		}

	}

	/** Pings with a line the echo server sends back. */
	static final class Pinger implements ClientHandler {

		final AtomicInteger pings = new AtomicInteger();

		@Override
		public ByteBuffer ping(ClientConnection client) throws IOException {
			this.pings.incrementAndGet();
			return ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8));
		}

	}

}
