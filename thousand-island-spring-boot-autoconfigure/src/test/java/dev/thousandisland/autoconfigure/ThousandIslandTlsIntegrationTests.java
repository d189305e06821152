package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * TLS from a PEM SSL bundle, over real sockets: plain use, certificate reload, client
 * authentication.
 */
class ThousandIslandTlsIntegrationTests {

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
	void servesTlsWithTheBundlesCertificate() throws Exception {
		try (ConfigurableApplicationContext context = application().run()) {
			try (TestClient client = connect(context, this.certificates.clientContext())) {
				assertThat(client.exchange("secret")).isEqualTo("secret");
				assertThat(serverSerial(client)).isEqualTo(serial(PemCertificates.SERVER));
			}
			assertThat(context.getBean(ThousandIslandServers.class).definitions()).singleElement()
				.satisfies((definition) -> assertThat(definition.sslBundle()).isEqualTo("server"));
		}
	}

	@Test
	void newConnectionsGetARenewedCertificateWhileOpenOnesKeepWorking() throws Exception {
		try (ConfigurableApplicationContext context = application()
			.properties("spring.ssl.bundle.pem.server.reload-on-update=true",
					"spring.ssl.bundle.watch.file.quiet-period=200ms")
			.run(); TestClient open = connect(context, this.certificates.clientContext())) {
			assertThat(open.exchange("before")).isEqualTo("before");
			assertThat(serverSerial(open)).isEqualTo(serial(PemCertificates.SERVER));
			this.certificates.writeCertificate(PemCertificates.RENEWED_SERVER, this.certificate);
			this.certificates.writePrivateKey(PemCertificates.RENEWED_SERVER, this.privateKey);
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
				.untilAsserted(() -> {
					try (TestClient fresh = connect(context, this.certificates.clientContext())) {
						assertThat(fresh.exchange("renewed")).isEqualTo("renewed");
						assertThat(serverSerial(fresh)).isEqualTo(serial(PemCertificates.RENEWED_SERVER));
						assertThat(serverCertificate(fresh).getSubjectX500Principal())
							.isEqualTo(this.certificates.certificate(PemCertificates.RENEWED_SERVER)
								.getSubjectX500Principal());
					}
				});
			assertThat(open.exchange("after")).isEqualTo("after");
			assertThat(serverSerial(open)).isEqualTo(serial(PemCertificates.SERVER));
		}
	}

	@Test
	void enabledProtocolsOfTls13AloneRefusesATls12Client() throws Exception {
		try (ConfigurableApplicationContext context = application()
			.properties("thousandisland.ssl.enabled-protocols=TLSv1.3")
			.run()) {
			try (TestClient tls13 = connect(context, this.certificates.clientContext())) {
				assertThat(tls13.exchange("modern")).isEqualTo("modern");
				assertThat(((SSLSocket) tls13.socket()).getSession().getProtocol()).isEqualTo("TLSv1.3");
			}
			try (TestClient tls12 = connect(context, this.certificates.clientContext())) {
				SSLSocket socket = (SSLSocket) tls12.socket();
				socket.setEnabledProtocols(new String[] { "TLSv1.2" });
				assertThatExceptionOfType(IOException.class).isThrownBy(socket::startHandshake);
			}
		}
	}

	@Test
	void clientAuthNeedRejectsAClientWithoutACertificate() throws Exception {
		Path trusted = this.directory.resolve("client.crt");
		this.certificates.writeCertificate(PemCertificates.CLIENT, trusted);
		try (ConfigurableApplicationContext context = application()
			.properties("spring.ssl.bundle.pem.server.truststore.certificate=file:" + trusted,
					"thousandisland.ssl.client-auth=need")
			.run()) {
			try (TestClient anonymous = connect(context, this.certificates.clientContext())) {
				assertThatExceptionOfType(IOException.class).isThrownBy(() -> {
					((SSLSocket) anonymous.socket()).startHandshake();
					anonymous.exchange("let me in");
				});
			}
			try (TestClient known = connect(context, this.certificates.clientContextWithCertificate())) {
				assertThat(known.exchange("hello")).isEqualTo("hello");
			}
		}
	}

	private SpringApplicationBuilder application() {
		return new SpringApplicationBuilder(EchoApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "thousandisland.port=0", "thousandisland.address=127.0.0.1",
					"thousandisland.ssl.bundle=server",
					"spring.ssl.bundle.pem.server.keystore.certificate=file:" + this.certificate,
					"spring.ssl.bundle.pem.server.keystore.private-key=file:" + this.privateKey);
	}

	private static TestClient connect(ConfigurableApplicationContext context, SSLContext sslContext)
			throws IOException {
		int port = context.getEnvironment().getRequiredProperty("local.thousandisland.port", Integer.class);
		SSLSocket socket = (SSLSocket) sslContext.getSocketFactory().createSocket("127.0.0.1", port);
		SSLParameters parameters = socket.getSSLParameters();
		parameters.setEndpointIdentificationAlgorithm("HTTPS");
		socket.setSSLParameters(parameters);
		return TestClient.over(socket);
	}

	private static X509Certificate serverCertificate(TestClient client) throws IOException {
		return (X509Certificate) ((SSLSocket) client.socket()).getSession().getPeerCertificates()[0];
	}

	private static BigInteger serverSerial(TestClient client) throws IOException {
		return serverCertificate(client).getSerialNumber();
	}

	private BigInteger serial(String name) {
		return this.certificates.certificate(name).getSerialNumber();
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
