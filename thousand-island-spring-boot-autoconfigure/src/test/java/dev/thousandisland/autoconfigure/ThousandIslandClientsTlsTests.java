package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Handler;
import dev.thousandisland.client.RequestTimeoutException;

import static dev.thousandisland.autoconfigure.ThousandIslandClientsIntegrationTests.freePort;
import static dev.thousandisland.autoconfigure.ThousandIslandClientsIntegrationTests.text;
import static dev.thousandisland.autoconfigure.ThousandIslandClientsIntegrationTests.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A client with {@code ssl-bundle} talking TLS to a Thousand Island TLS server of the same
 * application, with a certificate made by keytool for {@code localhost} and 127.0.0.1: the bundle's
 * trust store verifies it, and so does the host name.
 */
class ThousandIslandClientsTlsTests {

	private final PemCertificates certificates = PemCertificates.get();

	@TempDir
	Path directory;

	private Path certificate;

	private Path privateKey;

	@BeforeEach
	void writeServerCertificate() throws IOException {
		this.certificate = this.directory.resolve("server.crt");
		this.privateKey = this.directory.resolve("server.key");
		this.certificates.writeCertificate(PemCertificates.SERVER, this.certificate);
		this.certificates.writePrivateKey(PemCertificates.SERVER, this.privateKey);
	}

	@Test
	void clientTrustsTheServerThroughItsBundleAndChecksTheHostName() throws Exception {
		try (ConfigurableApplicationContext context = application(freePort()).run()) {
			ThousandIslandClient echo = context.getBean(ThousandIslandClients.class).get("echo");
			await().atMost(Duration.ofSeconds(10)).until(() -> echo.connection().isConnected());
			assertThat(text(echo.request(utf8("over tls")))).isEqualTo("over tls");
			assertThat(echo.definition().config().transport().isSecure()).isTrue();
		}
	}

	@Test
	void certificateForAnotherHostIsRefused() throws Exception {
		try (ConfigurableApplicationContext context = application(freePort())
			.properties("thousandisland.clients.echo.ssl-server-name=other.example")
			.run()) {
			ThousandIslandClient echo = context.getBean(ThousandIslandClients.class).get("echo");
			assertThatExceptionOfType(RequestTimeoutException.class)
				.isThrownBy(() -> echo.request(utf8("refused"), Duration.ofSeconds(1)));
			assertThat(echo.connection().isConnected()).isFalse();
		}
	}

	@Test
	void unknownBundleFailsStartUpNamingTheProperty() {
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> application(4999).properties("thousandisland.clients.echo.ssl-bundle=missing")
				.run()
				.close())
			.withStackTraceContaining("thousandisland.clients.echo.ssl-bundle");
	}

	private SpringApplicationBuilder application(int port) {
		return new SpringApplicationBuilder(EchoApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "thousandisland.port=" + port,
					"thousandisland.address=127.0.0.1", "thousandisland.ssl.bundle=server",
					"spring.ssl.bundle.pem.server.keystore.certificate=file:" + this.certificate,
					"spring.ssl.bundle.pem.server.keystore.private-key=file:" + this.privateKey,
					"spring.ssl.bundle.pem.trust.truststore.certificate=file:" + this.certificate,
					"thousandisland.clients.echo.host=localhost", "thousandisland.clients.echo.port=" + port,
					"thousandisland.clients.echo.ssl-bundle=trust", "thousandisland.clients.echo.framing.type=line",
					"thousandisland.clients.echo.backoff.initial=20ms", "thousandisland.clients.echo.backoff.max=100ms");
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class EchoApplication {

		@Bean
		Handler<Void> secure() {
			return new EchoHandler();
		}

	}

}
