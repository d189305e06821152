package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.Socket;
import dev.thousandisland.autoconfigure.endpoint.ThousandIslandEndpoint;
import dev.thousandisland.proxy.ProxyProtocolMode;
import dev.thousandisland.proxy.ProxyTrustedSources;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code proxy-protocol.*} properties: set at the top level and per server, they reach the
 * server, whose handler then sees the client's address from the header; a bad trusted source
 * fails start-up naming the property.
 */
class ThousandIslandProxyProtocolTests {

	private static final String HEADER = "PROXY TCP4 198.51.100.23 192.0.2.1 40123 4000\r\n";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class))
		.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1")
		.withUserConfiguration(WhoIsConfiguration.class);

	@Test
	void theHandlerAndTheActuatorEndpointSeeTheClientAddressFromTheHeader() {
		this.runner.withPropertyValues("thousandisland.proxy-protocol.mode=required").run((context) -> {
			int port = context.getEnvironment().getRequiredProperty("local.thousandisland.servers.whois.port", Integer.class);
			try (TestClient client = TestClient.connect(port)) {
				client.send(HEADER + "?");
				String expected = "/198.51.100.23:40123";
				assertThat(client.receive(expected.length())).isEqualTo(expected);
				ThousandIslandEndpoint endpoint = new ThousandIslandEndpoint(context.getBean(ThousandIslandServers.class));
				assertThat(endpoint.server("whois").connections()).singleElement()
					.satisfies((connection) -> assertThat(connection.remoteAddress()).contains("198.51.100.23"));
			}
		});
	}

	@Test
	void serversInheritTheTopLevelSettingsAndOverrideThem() {
		this.runner
			.withPropertyValues("thousandisland.proxy-protocol.mode=required",
					"thousandisland.proxy-protocol.trusted-sources=127.0.0.1,10.0.0.0/8",
					"thousandisland.servers.whois.proxy-protocol.header-timeout=2s")
			.run((context) -> {
				ServerConfig config = context.getBean(ThousandIslandServers.class)
					.definitions()
					.get(0)
					.config();
				assertThat(config.proxyProtocol()).isEqualTo(ProxyProtocolMode.REQUIRED);
				assertThat(config.proxyTrustedSources().sources()).containsExactly("127.0.0.1", "10.0.0.0/8");
				assertThat(config.proxyHeaderTimeout()).isEqualTo(Duration.ofSeconds(2));
			});
	}

	@Test
	void theDefaultsAreOffLoopbackAndTheReadTimeout() {
		this.runner.withPropertyValues("thousandisland.read-timeout=7s").run((context) -> {
			ServerConfig config = context.getBean(ThousandIslandServers.class).definitions().get(0).config();
			assertThat(config.proxyProtocol()).isEqualTo(ProxyProtocolMode.OFF);
			assertThat(config.proxyTrustedSources()).isEqualTo(ProxyTrustedSources.loopback());
			assertThat(config.proxyHeaderTimeout()).isEqualTo(Duration.ofSeconds(7));
		});
	}

	@Test
	void aBadTopLevelTrustedSourceFailsStartUpNamingTheProperty() {
		this.runner
			.withPropertyValues("thousandisland.proxy-protocol.mode=required",
					"thousandisland.proxy-protocol.trusted-sources=10.0.0.0/8,10.0.0.0/40")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.proxy-protocol.trusted-sources");
				assertThat(failure).hasMessageContaining("10.0.0.0/40");
			});
	}

	@Test
	void aBadServerTrustedSourceFailsStartUpNamingTheServersProperty() {
		this.runner.withPropertyValues("thousandisland.servers.whois.proxy-protocol.trusted-sources[0]=proxy.internal")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.servers.whois.proxy-protocol.trusted-sources");
				assertThat(failure).hasMessageContaining("proxy.internal");
			});
	}

	private static InvalidConfigurationPropertyValueException invalidProperty(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		Throwable root = NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure());
		assertThat(root).isInstanceOf(InvalidConfigurationPropertyValueException.class);
		return (InvalidConfigurationPropertyValueException) root;
	}

	@Configuration(proxyBeanMethods = false)
	static class WhoIsConfiguration {

		/** Answers any data with the address the server says the client has. */
		@Bean
		Handler<Void> whois() {
			return new Handler<>() {

				@Override
				public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws IOException {
					socket.send(socket.remoteAddress().toString().getBytes(StandardCharsets.UTF_8));
					return Result.continueWith(state);
				}

			};
		}

	}

}
