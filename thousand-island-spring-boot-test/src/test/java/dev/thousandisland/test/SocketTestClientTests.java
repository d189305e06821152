package dev.thousandisland.test;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslStoreBundle;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.Socket;
import dev.thousandisland.ThousandIsland;
import dev.thousandisland.transport.TlsTransport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link SocketTestClient} against real Thousand Island servers on loopback.
 */
class SocketTestClientTests {

	private Server server;

	@AfterEach
	void stopServer() throws Exception {
		if (this.server != null) {
			this.server.stop(Duration.ZERO);
		}
	}

	@Test
	void sendsAndReadsLinesAndExactBytes() throws Exception {
		int port = start(new EchoHandler(), null);
		try (SocketTestClient client = SocketTestClient.connect(port)) {
			client.sendLine("h\u00e9llo");
			assertThat(client.readLine()).isEqualTo("h\u00e9llo");
			client.send("a\nb\r\n");
			assertThat(client.readLine()).isEqualTo("a");
			assertThat(client.readLine()).isEqualTo("b");
			client.send(new byte[] { 0, 1, (byte) 0xFF });
			assertThat(client.readBytes(3)).containsExactly(0, 1, 0xFF);
		}
	}

	@Test
	void exchangeSendsAPayloadLargerThanTheSocketBuffersWithoutDeadlock() throws Exception {
		int port = start(new EchoHandler(), null);
		byte[] payload = new byte[4 * 1024 * 1024];
		new Random(7).nextBytes(payload);
		try (SocketTestClient client = SocketTestClient.connect(port)) {
			assertThat(client.exchange(payload)).isEqualTo(payload);
		}
	}

	@Test
	void readUntilClosedReturnsWhatCameBeforeTheServerClosed() throws Exception {
		int port = start(new Handler<Void>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) throws Exception {
				socket.send("bye\r\n".getBytes(StandardCharsets.US_ASCII));
				return Result.close(state);
			}
		}, null);
		try (SocketTestClient client = SocketTestClient.connect(port)) {
			assertThat(client.readUntilClosed()).asString(StandardCharsets.US_ASCII).isEqualTo("bye\r\n");
		}
		try (SocketTestClient client = SocketTestClient.connect(port)) {
			assertThat(client.readLine()).isEqualTo("bye");
			assertThat(client.readLine()).as("end of stream").isNull();
		}
	}

	@Test
	void aReadFailsWhenTheTimeoutPassesRatherThanHanging() throws Exception {
		int port = start(new Handler<Void>() {
		}, null);
		try (SocketTestClient client = SocketTestClient.builder(port).timeout(Duration.ofMillis(200)).connect()) {
			assertThatExceptionOfType(UncheckedIOException.class).isThrownBy(client::readLine)
				.withCauseInstanceOf(SocketTimeoutException.class)
				.withMessageContaining("within PT0.2S");
		}
	}

	@Test
	void connectsOverTlsTrustingAKeyStoreFile(@TempDir Path directory) throws Exception {
		TestCertificate certificate = TestCertificate.create(directory);
		int port = start(new EchoHandler(), certificate);
		try (SocketTestClient client = SocketTestClient.builder(port)
			.trustStore(certificate.trustStore(), certificate.password())
			.verifyHostname(true)
			.connect()) {
			assertThat(client.sslSession().getProtocol()).startsWith("TLSv1.");
			client.sendLine("secret");
			assertThat(client.readLine()).isEqualTo("secret");
		}
	}

	@Test
	void connectsOverTlsWithAnSslBundle(@TempDir Path directory) throws Exception {
		TestCertificate certificate = TestCertificate.create(directory);
		int port = start(new EchoHandler(), certificate);
		SslBundle bundle = SslBundle.of(SslStoreBundle.of(null, null, certificate.trustedStore()));
		try (SocketTestClient client = SocketTestClient.builder(port).ssl(bundle).connect()) {
			assertThat(client.exchange("over tls".getBytes(StandardCharsets.UTF_8))).asString(StandardCharsets.UTF_8)
				.isEqualTo("over tls");
		}
	}

	@Test
	void aServerCertificateOutsideTheTrustStoreFailsTheConnect(@TempDir Path directory) throws Exception {
		TestCertificate trusted = TestCertificate.create(directory.resolve(".").toAbsolutePath());
		Path other = directory.resolve("other");
		java.nio.file.Files.createDirectories(other);
		TestCertificate untrusted = TestCertificate.create(other);
		int port = start(new EchoHandler(), untrusted);
		assertThatExceptionOfType(UncheckedIOException.class)
			.isThrownBy(() -> SocketTestClient.builder(port).trustStore(trusted.trustStore(), trusted.password()).connect())
			.withCauseInstanceOf(SSLHandshakeException.class);
	}

	private int start(Handler<?> handler, TestCertificate certificate) throws Exception {
		ServerConfig.Builder config = ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(1);
		if (certificate != null) {
			config.transport(TlsTransport.builder(certificate.serverContext()).build());
		}
		this.server = ThousandIsland.start(config.build());
		return this.server.port();
	}

	static class EchoHandler implements Handler<Void> {

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

}
