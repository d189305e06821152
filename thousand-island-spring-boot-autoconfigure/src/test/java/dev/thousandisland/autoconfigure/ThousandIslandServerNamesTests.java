package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import dev.thousandisland.Handler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Servers and clients are named after their beans whatever the bean's name, their properties are
 * found under every form of the name that Spring Boot's relaxed binding accepts, and every such
 * form refers to one server: the one named by the canonical (kebab-case) form.
 */
class ThousandIslandServerNamesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class))
		.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1");

	@Test
	void camelCaseBeanAndComponentStartWithNoPropertyNamedInKebabCase() {
		this.runner.withUserConfiguration(EchoServerConfiguration.class, UpperHandler.class).run((context) -> {
			assertThat(context).hasNotFailed();
			ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
			assertThat(servers.definitions()).extracting(ServerDefinition::name)
				.containsExactlyInAnyOrder("echo-server", "upper-handler");
			assertThat(servers.definitions()).extracting(ServerDefinition::handlerBeanName)
				.containsExactlyInAnyOrder("echoServer", "upperHandler");
			assertThat(servers.definitions()).extracting(ServerDefinition::propertyPrefix)
				.containsExactlyInAnyOrder("thousandisland.servers.echo-server", "thousandisland.servers.upper-handler");
			int echoPort = localPort(context, "echo-server");
			int upperPort = localPort(context, "upper-handler");
			assertThat(servers.get("echo-server").orElseThrow().port()).isEqualTo(echoPort);
			assertThat(servers.get("echoServer").orElseThrow().port()).isEqualTo(echoPort);
			try (TestClient echo = TestClient.connect(echoPort); TestClient upper = TestClient.connect(upperPort)) {
				assertThat(echo.exchange("ping")).isEqualTo("ping");
				assertThat(upper.exchange("ping")).isEqualTo("PING");
			}
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "thousandisland.servers.echo-server.port", "thousandisland.servers.echoServer.port",
			"thousandisland.servers[echoServer].port", "thousandisland.servers[echo-server].port",
			"thousandisland.servers.echoserver.port" })
	void everyRelaxedFormOfTheNameConfiguresTheOneServer(String property) throws IOException {
		int port = freePort();
		this.runner.withUserConfiguration(EchoServerConfiguration.class)
			.withPropertyValues(property + "=" + port)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
				assertThat(servers.definitions()).singleElement().satisfies((definition) -> {
					assertThat(definition.name()).isEqualTo("echo-server");
					assertThat(definition.config().port()).isEqualTo(port);
				});
				try (TestClient echo = TestClient.connect(port)) {
					assertThat(echo.exchange("ping")).isEqualTo("ping");
				}
			});
	}

	@Test
	void aBeanNameThatCannotBeAPropertyKeyIsConfiguredInBrackets() throws IOException {
		int port = freePort();
		this.runner.withBean("com.example.EchoHandler", EchoHandler.class, EchoHandler::new)
			.withPropertyValues("thousandisland.servers[com.example.EchoHandler].port=" + port)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ThousandIslandServers.class).definitions()).singleElement()
					.satisfies((definition) -> {
						assertThat(definition.name()).isEqualTo("com.example.EchoHandler");
						assertThat(definition.propertyPrefix())
							.isEqualTo("thousandisland.servers[com.example.EchoHandler]");
						assertThat(definition.config().port()).isEqualTo(port);
					});
				try (TestClient echo = TestClient.connect(port)) {
					assertThat(echo.exchange("ping")).isEqualTo("ping");
				}
			});
	}

	@Test
	void anEnvironmentVariableOverridesTheKebabCasePropertyOfTheSameServer() throws IOException {
		int overridden = freePort();
		this.runner.withUserConfiguration(EchoServerConfiguration.class)
			.withPropertyValues("thousandisland.servers.echo-server.port=" + overridden,
					"thousandisland.servers.echo-server.read-timeout=7s")
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new SystemEnvironmentPropertySource(
						StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
						Map.of("THOUSANDISLAND_SERVERS_ECHOSERVER_PORT", "0"))))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
				assertThat(servers.definitions()).singleElement().satisfies((definition) -> {
					assertThat(definition.name()).isEqualTo("echo-server");
					assertThat(definition.config().port()).isZero();
					assertThat(definition.config().readTimeout()).hasSeconds(7);
				});
				int port = localPort(context, "echo-server");
				assertThat(port).isNotEqualTo(overridden);
				try (TestClient echo = TestClient.connect(port)) {
					assertThat(echo.exchange("ping")).isEqualTo("ping");
				}
			});
	}

	@Test
	void aServerPropertyInCamelCaseNamesTheHandlerBeanOfThatName() {
		this.runner.withUserConfiguration(EchoServerConfiguration.class)
			.withPropertyValues("thousandisland.servers.mirrorServer.handler=echoServer")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ThousandIslandServers.class).definitions())
					.singleElement()
					.satisfies((definition) -> {
						assertThat(definition.name()).isEqualTo("mirror-server");
						assertThat(definition.handlerBeanName()).isEqualTo("echoServer");
					});
			});
	}

	@Test
	void twoBeansWhoseNamesAreOneServerNameFailNamingBoth() {
		this.runner.withUserConfiguration(EchoServerConfiguration.class, KebabEchoServerConfiguration.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				HandlerNameClashException clash = NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure())
						instanceof HandlerNameClashException exception ? exception : null;
				assertThat(clash).isNotNull();
				FailureAnalysis analysis = new HandlerNameClashFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("'echoServer'", "'echo-server'",
						"thousandisland.servers.echo-server");
				assertThat(analysis.getAction()).contains("Rename");
			});
	}

	@Test
	void aServerPropertyWithoutABeanOfItsNameSuggestsTheHandlerProperty() {
		this.runner.withUserConfiguration(EchoServerConfiguration.class)
			.withPropertyValues("thousandisland.servers.ghost.port=0")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.servers.ghost");
				assertThat(failure).hasMessageContaining("thousandisland.servers.ghost.handler=<bean name>")
					.hasMessageContaining("[echoServer]");
			});
	}

	@Test
	void everyRelaxedFormOfAClientNameConfiguresOneClient() throws IOException {
		this.runner.withUserConfiguration(EchoServerConfiguration.class)
			.withPropertyValues("thousandisland.servers.echo-server.port=0",
					"thousandisland.clients.echoClient.framing.type=line",
					"thousandisland.clients.echo-client.host=127.0.0.1",
					"thousandisland.clients.echo-client.port=${local.thousandisland.servers.echo-server.port}")
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new SystemEnvironmentPropertySource(
						StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
						Map.of("THOUSANDISLAND_CLIENTS_ECHOCLIENT_REQUESTTIMEOUT", "4s"))))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ThousandIslandClients clients = context.getBean(ThousandIslandClients.class);
				assertThat(clients.all()).singleElement().satisfies((client) -> {
					assertThat(client.name()).isEqualTo("echo-client");
					assertThat(client.definition().config().requestTimeout()).hasSeconds(4);
				});
				ByteBuffer reply = clients.get("echoClient")
					.request(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
				assertThat(StandardCharsets.UTF_8.decode(reply).toString()).isEqualTo("ping");
			});
	}

	private static int localPort(AssertableApplicationContext context, String server) {
		Integer port = context.getEnvironment()
			.getProperty("local.thousandisland.servers." + server + ".port", Integer.class);
		assertThat(port).as("local.thousandisland.servers." + server + ".port").isNotNull();
		return port;
	}

	private static InvalidConfigurationPropertyValueException invalidProperty(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure());
		assertThat(cause).isInstanceOf(InvalidConfigurationPropertyValueException.class);
		return (InvalidConfigurationPropertyValueException) cause;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class EchoServerConfiguration {

		@Bean
		Handler<Void> echoServer() {
			return new EchoHandler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class KebabEchoServerConfiguration {

		@Bean("echo-server")
		Handler<Void> kebabEchoServer() {
			return new EchoHandler();
		}

	}

}
