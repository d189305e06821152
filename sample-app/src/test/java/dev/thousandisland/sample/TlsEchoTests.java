package dev.thousandisland.sample;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.thousandisland.autoconfigure.ThousandIslandServers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's {@code tls} profile: an echo server over TLS, with a key store made by the JDK's
 * keytool as the profile's comment describes. The context is closed after the class, before the
 * temporary directory holding the key store goes.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.profiles.active=tls", "thousandisland.servers.echo-tls.port=0",
				"thousandisland.servers.echo.port=0", "thousandisland.servers.daytime.port=0",
				"thousandisland.servers.chat.port=0", "server.port=0" })
@DirtiesContext
class TlsEchoTests {

	private static final String PASSWORD = "changeit";

	@TempDir
	static Path directory;

	private static Path keyStore;

	@Value("${local.thousandisland.servers.echo-tls.port}")
	private int port;

	@Autowired
	private ThousandIslandServers servers;

	@DynamicPropertySource
	static void keyStore(DynamicPropertyRegistry registry) {
		registry.add("sample.tls.keystore", () -> keyStore().toString());
	}

	@Test
	void theTlsProfileAddsATlsEchoServer() {
		assertThat(this.servers.running()).containsOnlyKeys("echo", "daytime", "chat", "echo-tls");
		assertThat(this.servers.get("echo-tls"))
			.hasValueSatisfying((server) -> assertThat(server.config().transport().isSecure()).isTrue());
	}

	@Test
	void echoOverTlsSendsBackEveryPayloadExactly() throws Exception {
		byte[] binary = new byte[256 * 1024];
		new Random(3).nextBytes(binary);
		List<byte[]> payloads = List.of("hello over tls\n".getBytes(StandardCharsets.UTF_8), new byte[] { 0, (byte) 0xFF },
				binary);
		try (SSLSocket socket = connect()) {
			socket.startHandshake();
			assertThat(socket.getSession().getProtocol()).startsWith("TLSv1.");
			assertThat(socket.getSession().getPeerCertificates()).hasSize(1);
			for (byte[] payload : payloads) {
				assertThat(SampleApplicationTests.roundTrip(socket, payload)).isEqualTo(payload);
			}
		}
	}

	private SSLSocket connect() throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(keyStore())) {
			store.load(in, PASSWORD.toCharArray());
		}
		Certificate certificate = store.getCertificate("dev");
		KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
		trusted.load(null, null);
		trusted.setCertificateEntry("dev", certificate);
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(trusted);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, trust.getTrustManagers(), null);
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", this.port);
		socket.setSoTimeout(15_000);
		SSLParameters parameters = socket.getSSLParameters();
		// Checks the certificate's SAN (ip:127.0.0.1) too, not only its chain.
		parameters.setEndpointIdentificationAlgorithm("HTTPS");
		socket.setSSLParameters(parameters);
		return socket;
	}

	/**
	 * Makes the key store once, with the command from application-tls.properties.
	 */
	private static synchronized Path keyStore() {
		if (keyStore == null) {
			Path file = directory.resolve("dev-tls.p12");
			Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
			try {
				Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "dev", "-keyalg", "EC",
						"-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
						"-validity", "30", "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", PASSWORD)
					.redirectErrorStream(true)
					.start();
				process.getOutputStream().close();
				String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
				assertThat(process.waitFor(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS)).as("keytool finished")
					.isTrue();
				assertThat(process.exitValue()).as("keytool: %s", output).isZero();
			}
			catch (IOException ex) {
				throw new IllegalStateException("Could not run " + keytool, ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			assertThat(file).isRegularFile();
			keyStore = file;
		}
		return keyStore;
	}

}
