package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.Handler;
import dev.thousandisland.autoconfigure.ThousandIslandAutoConfigurationTests.EchoConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.NestedExceptionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several PEM SSL bundles on one server, chosen by the host name the client asks for (SNI), over
 * real sockets: each name its bundle, the default for other names and for none, one bundle
 * reloaded on its own, and start-up failures that name the property.
 */
class ThousandIslandSniIntegrationTests {

	private final PemCertificates certificates = PemCertificates.get();

	@TempDir
	Path directory;

	private Path defaultCertificate;

	private Path defaultKey;

	private Path apiCertificate;

	private Path apiKey;

	@BeforeEach
	void writeCertificates() throws IOException {
		this.defaultCertificate = this.directory.resolve("default.crt");
		this.defaultKey = this.directory.resolve("default.key");
		this.apiCertificate = this.directory.resolve("api.crt");
		this.apiKey = this.directory.resolve("api.key");
		this.certificates.writeCertificate(PemCertificates.SERVER, this.defaultCertificate);
		this.certificates.writePrivateKey(PemCertificates.SERVER, this.defaultKey);
		this.certificates.writeCertificate(PemCertificates.API_SERVER, this.apiCertificate);
		this.certificates.writePrivateKey(PemCertificates.API_SERVER, this.apiKey);
	}

	@Test
	void servesEachHostNameWithItsBundleAndEveryOtherClientWithTheDefault() throws Exception {
		try (ConfigurableApplicationContext context = application().run()) {
			assertThat(serialFor(context, "api.example.com")).isEqualTo(serial(PemCertificates.API_SERVER));
			assertThat(serialFor(context, "shop.example.org")).isEqualTo(serial(PemCertificates.API_SERVER));
			assertThat(serialFor(context, "unknown.example.net")).isEqualTo(serial(PemCertificates.SERVER));
			assertThat(serialFor(context, null)).isEqualTo(serial(PemCertificates.SERVER));
		}
	}

	@Test
	void reloadsOneHostNamesBundleWhileConnectionsOnBothStayUp() throws Exception {
		try (ConfigurableApplicationContext context = application()
			.properties("spring.ssl.bundle.pem.api.reload-on-update=true",
					"spring.ssl.bundle.watch.file.quiet-period=200ms")
			.run();
				TestClient onDefault = connect(context, null);
				TestClient onApi = connect(context, "api.example.com")) {
			assertThat(onDefault.exchange("default before")).isEqualTo("default before");
			assertThat(onApi.exchange("api before")).isEqualTo("api before");
			this.certificates.writeCertificate(PemCertificates.RENEWED_SERVER, this.apiCertificate);
			this.certificates.writePrivateKey(PemCertificates.RENEWED_SERVER, this.apiKey);
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
				.untilAsserted(() -> assertThat(serialFor(context, "api.example.com"))
					.isEqualTo(serial(PemCertificates.RENEWED_SERVER)));
			assertThat(serialFor(context, null)).as("the default bundle did not change")
				.isEqualTo(serial(PemCertificates.SERVER));
			assertThat(onDefault.exchange("default after")).isEqualTo("default after");
			assertThat(serverSerial(onDefault)).isEqualTo(serial(PemCertificates.SERVER));
			assertThat(onApi.exchange("api after")).isEqualTo("api after");
			assertThat(serverSerial(onApi)).isEqualTo(serial(PemCertificates.API_SERVER));
		}
	}

	@Test
	void anUnknownHostNameBundleFailsStartUpNamingTheServersProperty() {
		failureRunner().withPropertyValues("thousandisland.servers.echo.ssl.bundle=default",
				"thousandisland.servers.echo.ssl.server-name-bundles[0].server-name=api.example.com",
				"thousandisland.servers.echo.ssl.server-name-bundles[0].bundle=nope")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context.getStartupFailure());
				assertThat(failure.getName()).isEqualTo("thousandisland.servers.echo.ssl.server-name-bundles[0].bundle");
				assertThat(failure.getValue()).isEqualTo("nope");
			});
	}

	@Test
	void anUnknownInheritedHostNameBundleFailsStartUpNamingTheTopLevelProperty() {
		failureRunner().withPropertyValues("thousandisland.ssl.bundle=default",
				"thousandisland.ssl.server-name-bundles[0].server-name=api.example.com",
				"thousandisland.ssl.server-name-bundles[0].bundle=default",
				"thousandisland.ssl.server-name-bundles[1].server-name=mail.example.com",
				"thousandisland.ssl.server-name-bundles[1].bundle=nope")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context.getStartupFailure());
				assertThat(failure.getName()).isEqualTo("thousandisland.ssl.server-name-bundles[1].bundle");
			});
	}

	@Test
	void anInvalidHostNameFailsStartUpNamingTheProperty() {
		failureRunner().withPropertyValues("thousandisland.ssl.bundle=default",
				"thousandisland.ssl.server-name-bundles[0].server-name=*.com",
				"thousandisland.ssl.server-name-bundles[0].bundle=default")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context.getStartupFailure());
				assertThat(failure.getName()).isEqualTo("thousandisland.ssl.server-name-bundles[0].server-name");
				assertThat(failure.getValue()).isEqualTo("*.com");
				assertThat(failure).hasMessageContaining("two labels after the wildcard");
			});
	}

	private ApplicationContextRunner failureRunner() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, ThousandIslandAutoConfiguration.class))
			.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1",
					"spring.ssl.bundle.pem.default.keystore.certificate=file:" + this.defaultCertificate,
					"spring.ssl.bundle.pem.default.keystore.private-key=file:" + this.defaultKey);
	}

	private SpringApplicationBuilder application() {
		return new SpringApplicationBuilder(EchoApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "thousandisland.port=0", "thousandisland.address=127.0.0.1",
					"thousandisland.ssl.bundle=default",
					"thousandisland.ssl.server-name-bundles[0].server-name=api.example.com",
					"thousandisland.ssl.server-name-bundles[0].bundle=api",
					"thousandisland.ssl.server-name-bundles[1].server-name=*.example.org",
					"thousandisland.ssl.server-name-bundles[1].bundle=api",
					"spring.ssl.bundle.pem.default.keystore.certificate=file:" + this.defaultCertificate,
					"spring.ssl.bundle.pem.default.keystore.private-key=file:" + this.defaultKey,
					"spring.ssl.bundle.pem.api.keystore.certificate=file:" + this.apiCertificate,
					"spring.ssl.bundle.pem.api.keystore.private-key=file:" + this.apiKey);
	}

	private BigInteger serialFor(ConfigurableApplicationContext context, String serverName) throws IOException {
		try (TestClient client = connect(context, serverName)) {
			assertThat(client.exchange("hello")).isEqualTo("hello");
			return serverSerial(client);
		}
	}

	/** Connects asking for {@code serverName} (none when null), as {@code openssl s_client -servername} does. */
	private TestClient connect(ConfigurableApplicationContext context, String serverName) throws IOException {
		int port = context.getEnvironment().getRequiredProperty("local.thousandisland.port", Integer.class);
		SSLSocket socket = (SSLSocket) this.certificates.clientContext()
			.getSocketFactory()
			.createSocket("127.0.0.1", port);
		SSLParameters parameters = socket.getSSLParameters();
		parameters.setServerNames((serverName != null) ? List.of(new SNIHostName(serverName)) : List.of());
		socket.setSSLParameters(parameters);
		return TestClient.over(socket);
	}

	private static BigInteger serverSerial(TestClient client) throws IOException {
		SSLSocket socket = (SSLSocket) client.socket();
		return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
	}

	private BigInteger serial(String name) {
		return this.certificates.certificate(name).getSerialNumber();
	}

	private static InvalidConfigurationPropertyValueException invalidProperty(Throwable startupFailure) {
		assertThat(startupFailure).isNotNull();
		Throwable root = NestedExceptionUtils.getMostSpecificCause(startupFailure);
		assertThat(root).isInstanceOf(InvalidConfigurationPropertyValueException.class);
		return (InvalidConfigurationPropertyValueException) root;
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class EchoApplication {

		@Bean
		Handler<Void> echo() {
			return new EchoHandler();
		}

	}

}
