package dev.thousandisland.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.thousandisland.autoconfigure.ThousandIslandServers;
import dev.thousandisland.test.LocalThousandIslandPort;
import dev.thousandisland.test.RandomThousandIslandPorts;
import dev.thousandisland.test.SocketTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's {@code tls} profile: an echo server over TLS, with a key store made by the JDK's
 * keytool as the profile's comment describes. The context is closed after the class, before the
 * temporary directory holding the key store goes.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "spring.profiles.active=tls")
@RandomThousandIslandPorts
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class TlsEchoTests {

	private static final String PASSWORD = "changeit";

	@TempDir
	static Path directory;

	private static Path keyStore;

	@LocalThousandIslandPort("echo-tls")
	private int port;

	@Autowired
	private ThousandIslandServers servers;

	@DynamicPropertySource
	static void keyStore(DynamicPropertyRegistry registry) {
		registry.add("sample.tls.keystore", () -> keyStore().toString());
	}

	@Test
	void theTlsProfileAddsATlsEchoServer() {
		assertThat(this.servers.running()).containsOnlyKeys("echo", "daytime", "chat", "kv", "echo-tls");
		assertThat(this.servers.get("echo-tls"))
			.hasValueSatisfying((server) -> assertThat(server.config().transport().isSecure()).isTrue());
	}

	@Test
	void echoOverTlsSendsBackEveryPayloadExactly() throws Exception {
		byte[] binary = new byte[256 * 1024];
		new Random(3).nextBytes(binary);
		List<byte[]> payloads = List.of("hello over tls\n".getBytes(StandardCharsets.UTF_8), new byte[] { 0, (byte) 0xFF },
				binary);
		// The key store's certificate, trusted as it is; the name check covers its SAN ip:127.0.0.1.
		try (SocketTestClient client = SocketTestClient.builder(this.port)
			.trustStore(keyStore(), PASSWORD)
			.verifyHostname(true)
			.timeout(Duration.ofSeconds(15))
			.connect()) {
			assertThat(client.sslSession().getProtocol()).startsWith("TLSv1.");
			assertThat(client.sslSession().getPeerCertificates()).hasSize(1);
			for (byte[] payload : payloads) {
				assertThat(client.exchange(payload)).isEqualTo(payload);
			}
		}
	}

	@Test
	void aClientThatDoesNotSpeakTlsIsRefusedAndLoggedOnceWithItsAddress(CapturedOutput output) {
		int clientPort;
		try (SocketTestClient client = SocketTestClient.connect(this.port)) {
			clientPort = client.socket().getLocalPort();
			client.sendLine("GET / HTTP/1.0");
			client.readUntilClosed();
		}
		String peer = "127.0.0.1:" + clientPort;
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(output.getAll()).contains("Refused TLS connection from " + peer));
		assertThat(output.getAll().lines().filter((line) -> line.contains(peer)))
			.singleElement(InstanceOfAssertFactories.STRING)
			.contains("INFO");
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
