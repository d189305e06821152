package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import dev.thousandisland.autoconfigure.ThousandIslandAutoConfigurationTests.EchoConfiguration;
import dev.thousandisland.autoconfigure.ThousandIslandAutoConfigurationTests.UppercaseConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.NestedExceptionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ThousandIslandAutoConfiguration} refuses settings it cannot serve, naming the property
 * that set them: the server's own, or the top-level default it inherited.
 */
class ThousandIslandAutoConfigurationFailureTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class))
		.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1");

	@Test
	void aNegativeHibernateAfterFailsNamingTheProperty() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("thousandisland.servers.echo.hibernate-after=-1s")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.servers.echo.hibernate-after");
				assertThat(failure).hasMessageContaining("negative");
			});
	}

	@Test
	void failsWhenAConfiguredServerHasNoHandlerBeanOfItsName() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("thousandisland.servers.ghost.port=0")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.servers.ghost");
				assertThat(failure).hasMessageContaining("No Handler bean named 'ghost'").hasMessageContaining("[echo]");
			});
	}

	@Test
	void failsWhenTheHandlerPropertyNamesAMissingBean() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("thousandisland.servers.mirror.handler=missing")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.servers.mirror.handler");
				assertThat(failure.getValue()).isEqualTo("missing");
				assertThat(failure).hasMessageContaining("No Handler bean named 'missing'");
			});
	}

	@Test
	void failsWhenTwoServersWouldListenOnTheSamePort() throws IOException {
		int port = freePort();
		this.runner.withUserConfiguration(EchoConfiguration.class, UppercaseConfiguration.class)
			.withPropertyValues("thousandisland.servers.echo.port=" + port, "thousandisland.servers.upper.port=" + port)
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isIn("thousandisland.servers.echo.port", "thousandisland.servers.upper.port");
				assertThat(failure).hasMessageContaining("thousandisland.servers.echo.port")
					.hasMessageContaining("thousandisland.servers.upper.port")
					.hasMessageContaining("127.0.0.1:" + port);
			});
	}

	@Test
	void failsNamingTheServerPropertyThatSetAnInvalidOption() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("thousandisland.servers.echo.acceptors=0")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.servers.echo.acceptors");
				assertThat(failure).hasMessageContaining("must be at least 1");
			});
	}

	@Test
	void failsNamingTheTopLevelPropertyWhenAnInheritedOptionIsInvalid() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("thousandisland.listen-sockets=3")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.listen-sockets");
				assertThat(failure.getMessage()).containsIgnoringCase("reuse");
			});
	}

	@Test
	void failsNamingTheServerSslBundlePropertyWhenNoSuchBundleExists() {
		this.runner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("thousandisland.servers.echo.ssl.bundle=nope")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.servers.echo.ssl.bundle");
				assertThat(failure.getValue()).isEqualTo("nope");
			});
	}

	@Test
	void failsNamingTheTopLevelSslBundlePropertyWhenAnInheritedBundleDoesNotExist() {
		this.runner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("thousandisland.ssl.bundle=nope")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.ssl.bundle");
				assertThat(failure.getValue()).isEqualTo("nope");
			});
	}

	private static InvalidConfigurationPropertyValueException invalidProperty(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		Throwable root = NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure());
		assertThat(root).isInstanceOf(InvalidConfigurationPropertyValueException.class);
		return (InvalidConfigurationPropertyValueException) root;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
