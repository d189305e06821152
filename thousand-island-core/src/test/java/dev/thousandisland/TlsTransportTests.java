package dev.thousandisland;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.ClientAuth;
import dev.thousandisland.transport.TlsTransport;
import dev.thousandisland.transport.Transport;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The TLS transport over real loopback (and Unix domain) sockets with real JDK clients: protocol
 * versions, client certificates, ALPN, SNI, the handshake timeout, STARTTLS, certificate swaps,
 * sendfile and option checks. Thousand Island's socket_test.exs and server_test.exs TLS bullets.
 */
class TlsTransportTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final int CLIENT_TIMEOUT_MILLIS = 10_000;

	private static final Consumer<SSLParameters> DEFAULTS = (parameters) -> {
	};

	private final TestCertificates certificates = TestCertificates.get();

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	private final List<Server> servers = new ArrayList<>();

	@AfterEach
	void stopServers() {
		for (Server server : this.servers) {
			server.stop(Duration.ofSeconds(2));
		}
	}

	// Protocol versions

	@Test
	void echoesOverTls13AndBothEndsSeeTls13() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		Server server = start(tcp(handler, Transport.tls(this.certificates.serverContext())));
		try (SSLSocket client = connect(this.certificates.clientContext(), server,
				(parameters) -> parameters.setProtocols(new String[] { "TLSv1.3" }))) {
			assertEchoes(client, "hello over TLS 1.3");
			assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.3");
			Seen seen = handler.awaitConnection();
			assertThat(seen.secure()).isTrue();
			assertThat(seen.protocol()).isEqualTo("TLSv1.3");
		}
		assertThat(handler.errors).isEmpty();
	}

	@Test
	void echoesOverTls12WhenTheClientOnlySpeaksTls12() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		Server server = start(tcp(handler, Transport.tls(this.certificates.serverContext())));
		try (SSLSocket client = connect(this.certificates.clientContext(), server,
				(parameters) -> parameters.setProtocols(new String[] { "TLSv1.2" }))) {
			assertEchoes(client, "hello over TLS 1.2");
			assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.2");
			Seen seen = handler.awaitConnection();
			assertThat(seen.secure()).isTrue();
			assertThat(seen.protocol()).isEqualTo("TLSv1.2");
		}
		assertThat(handler.errors).isEmpty();
	}

	@Test
	void enablesOnlyTls13AndTls12ByDefault() {
		TlsTransport transport = Transport.tls(this.certificates.serverContext());
		assertThat(transport.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
		assertThat(TlsTransport.DEFAULT_PROTOCOLS).containsExactly("TLSv1.3", "TLSv1.2");
	}

	@Test
	void refusesAJdkClientLimitedToTls11WithTheDefaultProtocols() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		Server server = start(tcp(handler, Transport.tls(this.certificates.serverContext())));
		SSLSocket client;
		try {
			client = connect(this.certificates.clientContext(), server,
					(parameters) -> parameters.setProtocols(new String[] { "TLSv1.1" }));
		}
		catch (IllegalArgumentException ex) {
			abort("This JDK does not support TLSv1.1 on the client side: " + ex.getMessage());
			return;
		}
		try (client) {
			client.startHandshake();
			fail("The server accepted a " + client.getSession().getProtocol() + " handshake");
		}
		catch (SSLHandshakeException ex) {
			// The JDK disables TLSv1.1 in jdk.tls.disabledAlgorithms: then the client gives up before
			// sending a ClientHello, and there is nothing of the server's to test here. The hand-crafted
			// ClientHello test below covers the server's side regardless.
			assumeFalse(String.valueOf(ex.getMessage()).contains("No appropriate protocol"),
					"This JDK refuses TLSv1.1 on the client side: " + ex.getMessage());
		}
		assertThat(handler.awaitError()).isInstanceOf(SSLException.class);
		assertOneFailedHandshake();
		assertThat(handler.connections).isEmpty();
	}

	@Test
	void refusesAHandCraftedTls11ClientHelloWithTheDefaultProtocols() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		Server server = start(tcp(handler, Transport.tls(this.certificates.serverContext())));
		try (TestClient client = TestClient.connect(server)) {
			client.send(tls11ClientHello());
			assertClosedWithAtMostAnAlert(client.socket());
		}
		assertThat(handler.awaitError()).isInstanceOf(SSLException.class);
		assertOneFailedHandshake();
		assertThat(handler.connections).isEmpty();
	}

	// Client certificates

	@Test
	void showsTheTrustedClientCertificateToTheHandlerWhenClientAuthIsNeed() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		TlsTransport transport = TlsTransport.builder(this.certificates.serverContext())
			.clientAuth(ClientAuth.NEED)
			.build();
		Server server = start(tcp(handler, transport));
		try (SSLSocket client = connect(this.certificates.clientContextWithCertificate(), server, DEFAULTS)) {
			assertEchoes(client, "with a certificate");
			Seen seen = handler.awaitConnection();
			assertThat(seen.peerCertificates()).isNotEmpty();
			assertThat(seen.peerSubjects().get(0)).isEqualTo("CN=Test Client");
		}
		assertThat(handler.errors).isEmpty();
	}

	@Test
	void refusesAClientWithoutCertificateWhenClientAuthIsNeed() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		TlsTransport transport = TlsTransport.builder(this.certificates.serverContext())
			.clientAuth(ClientAuth.NEED)
			.build();
		Server server = start(tcp(handler, transport));
		try (SSLSocket client = connect(this.certificates.clientContext(), server, DEFAULTS)) {
			assertRefused(client);
		}
		assertThat(handler.awaitError()).isInstanceOf(SSLException.class);
		assertOneFailedHandshake();
		assertThat(handler.connections).isEmpty();
	}

	@Test
	void refusesAClientWhoseCertificateIsNotSignedByTheTrustedAuthority() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		TlsTransport transport = TlsTransport.builder(this.certificates.serverContext())
			.clientAuth(ClientAuth.NEED)
			.build();
		Server server = start(tcp(handler, transport));
		try (SSLSocket client = connect(this.certificates.clientContextWithUntrustedCertificate(), server, DEFAULTS)) {
			assertRefused(client);
		}
		assertThat(handler.awaitError()).isInstanceOf(SSLException.class);
		assertOneFailedHandshake();
		assertThat(handler.connections).isEmpty();
	}

	@Test
	void servesAClientWithoutCertificateWhenClientAuthIsWant() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		TlsTransport transport = TlsTransport.builder(this.certificates.serverContext())
			.clientAuth(ClientAuth.WANT)
			.build();
		Server server = start(tcp(handler, transport));
		try (SSLSocket client = connect(this.certificates.clientContext(), server, DEFAULTS)) {
			assertEchoes(client, "no certificate, still welcome");
			Seen seen = handler.awaitConnection();
			assertThat(seen.secure()).isTrue();
			assertThat(seen.peerCertificates()).isEmpty();
		}
		assertThat(handler.errors).isEmpty();
	}

	// ALPN and SNI

	@Test
	void agreesOnTheOnlyApplicationProtocolTheClientOffers() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		TlsTransport transport = TlsTransport.builder(this.certificates.serverContext())
			.applicationProtocols(List.of("h2", "http/1.1"))
			.build();
		Server server = start(tcp(handler, transport));
		try (SSLSocket client = connect(this.certificates.clientContext(), server,
				(parameters) -> parameters.setApplicationProtocols(new String[] { "http/1.1" }))) {
			assertEchoes(client, "GET / HTTP/1.1");
			assertThat(client.getApplicationProtocol()).isEqualTo("http/1.1");
			assertThat(handler.awaitConnection().negotiatedProtocol()).contains("http/1.1");
		}
		assertThat(handler.errors).isEmpty();
	}

	@Test
	void negotiatesNoApplicationProtocolWhenTheClientOffersNone() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		TlsTransport transport = TlsTransport.builder(this.certificates.serverContext())
			.applicationProtocols(List.of("h2", "http/1.1"))
			.build();
		Server server = start(tcp(handler, transport));
		try (SSLSocket client = connect(this.certificates.clientContext(), server, DEFAULTS)) {
			assertEchoes(client, "no ALPN here");
			assertThat(client.getApplicationProtocol()).isNullOrEmpty();
			assertThat(handler.awaitConnection().negotiatedProtocol()).isEmpty();
		}
		assertThat(handler.errors).isEmpty();
	}

	@Test
	void exposesTheHostNameTheClientAskedForWithSni() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		Server server = start(tcp(handler, Transport.tls(this.certificates.serverContext())));
		try (SSLSocket client = connect(this.certificates.clientContext(), server,
				(parameters) -> parameters.setServerNames(List.of(new SNIHostName("localhost"))))) {
			assertEchoes(client, "sni");
			assertThat(handler.awaitConnection().serverName()).contains("localhost");
		}
		assertThat(handler.errors).isEmpty();
	}

	@Test
	void reportsNoServerNameWhenTheClientSendsNoSni() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		Server server = start(tcp(handler, Transport.tls(this.certificates.serverContext())));
		try (SSLSocket client = connect(this.certificates.clientContext(), server,
				(parameters) -> parameters.setServerNames(List.of()))) {
			assertEchoes(client, "no sni");
			assertThat(handler.awaitConnection().serverName()).isEmpty();
		}
		assertThat(handler.errors).isEmpty();
	}

	// Plain TCP

	@Test
	void reportsNoTlsDetailsOnAPlainTcpConnection() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		Server server = start(tcp(handler, Transport.plain()));
		try (TestClient client = TestClient.connect(server)) {
			client.send("plain");
			assertThat(client.read(5)).isEqualTo("plain");
			Seen seen = handler.awaitConnection();
			assertThat(seen.secure()).isFalse();
			assertThat(seen.session()).isEmpty();
			assertThat(seen.negotiatedProtocol()).isEmpty();
			assertThat(seen.serverName()).isEmpty();
			assertThat(seen.peerCertificates()).isEmpty();
		}
		assertThat(handler.errors).isEmpty();
	}

	// Handshake timeout and broken handshakes

	@Test
	void closesARawClientThatNeverStartsTheHandshakeAtTheHandshakeTimeout() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		Server server = start(tcp(handler, Transport.tls(this.certificates.serverContext()))
			.handshakeTimeout(Duration.ofMillis(250)));
		try (TestClient client = TestClient.connect(server)) {
			long connected = System.nanoTime();
			assertThat(client.socket().getInputStream().read()).as("end of stream").isEqualTo(-1);
			// Connecting finished before the server accepted, so at least the whole timeout passed.
			assertThat(Duration.ofNanos(System.nanoTime() - connected)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
		}
		assertThat(handler.awaitError()).isInstanceOf(SocketTimeoutException.class);
		assertOneFailedHandshake();
		assertThat(handler.connections).isEmpty();
		assertThat(handler.timeouts).hasValue(0);
	}

	@Test
	void closesARawClientThatSendsGarbageInsteadOfAClientHello() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		// A timeout long enough that only the garbage, never the deadline, can end the handshake.
		Server server = start(tcp(handler, Transport.tls(this.certificates.serverContext()))
			.handshakeTimeout(Duration.ofSeconds(5)));
		try (TestClient client = TestClient.connect(server)) {
			client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
			assertClosedWithAtMostAnAlert(client.socket());
		}
		assertThat(handler.awaitError()).isInstanceOf(SSLException.class);
		assertOneFailedHandshake();
		assertThat(handler.connections).isEmpty();
	}

	@Test
	void servesATlsClientWhileOtherClientsStallTheirHandshakes() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		// Long enough that the stalled handshakes are surely still waiting once the echo is done;
		// closing the stalled clients ends them.
		Server server = start(tcp(handler, Transport.tls(this.certificates.serverContext()))
			.handshakeTimeout(Duration.ofSeconds(30)));
		try (TestClient silent = TestClient.connect(server); TestClient partial = TestClient.connect(server)) {
			// A TLS record header announcing 512 bytes of handshake, and then nothing.
			partial.send(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00 });
			waiting().until(() -> handshaking(server) == 2);
			try (SSLSocket client = connect(this.certificates.clientContext(), server, DEFAULTS)) {
				assertEchoes(client, "not held up");
				assertThat(handler.awaitConnection().secure()).isTrue();
			}
			assertThat(handshaking(server)).isEqualTo(2);
		}
		waiting().until(() -> server.connections().isEmpty());
		assertThat(handler.connections).isEmpty();
		assertThat(handler.errors).hasSize(2).allSatisfy((error) -> assertThat(error).isInstanceOf(SSLException.class));
	}

	// STARTTLS

	@Test
	void upgradesAPlainConnectionToTlsWithStartTls() throws Exception {
		StartTlsHandler handler = new StartTlsHandler(Transport.tls(this.certificates.serverContext()));
		Server server = start(tcp(handler, Transport.plain()));
		try (java.net.Socket plain = connectPlain(server)) {
			plain.getOutputStream().write("STARTTLS\r\n".getBytes(StandardCharsets.UTF_8));
			assertThat(new String(plain.getInputStream().readNBytes(4), StandardCharsets.UTF_8)).isEqualTo("OK\r\n");
			try (SSLSocket tls = (SSLSocket) this.certificates.clientContext()
				.getSocketFactory()
				.createSocket(plain, "localhost", server.port(), true)) {
				tls.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
				SSLParameters parameters = tls.getSSLParameters();
				parameters.setServerNames(List.of(new SNIHostName("localhost")));
				tls.setSSLParameters(parameters);
				tls.startHandshake();
				assertEchoes(tls, "now encrypted");
				assertEchoes(tls, "still encrypted");
				assertThat(tls.getSession().getProtocol()).isEqualTo("TLSv1.3");
			}
		}
		assertThat(awaitNext(handler.secureBefore)).isFalse();
		Seen after = awaitNext(handler.after);
		assertThat(after.secure()).isTrue();
		assertThat(after.protocol()).isEqualTo("TLSv1.3");
		assertThat(after.serverName()).contains("localhost");
		assertThat(handler.errors).isEmpty();
	}

	@Test
	void reportsAFailedStartTlsUpgradeToHandleError() throws Exception {
		StartTlsHandler handler = new StartTlsHandler(Transport.tls(this.certificates.serverContext()));
		Server server = start(tcp(handler, Transport.plain()));
		try (java.net.Socket plain = connectPlain(server)) {
			plain.getOutputStream().write("STARTTLS\r\n".getBytes(StandardCharsets.UTF_8));
			assertThat(new String(plain.getInputStream().readNBytes(4), StandardCharsets.UTF_8)).isEqualTo("OK\r\n");
			plain.getOutputStream().write("this is no ClientHello\r\n".getBytes(StandardCharsets.UTF_8));
			assertClosedWithAtMostAnAlert(plain);
		}
		Throwable error = awaitNext(handler.errors);
		assertThat(error).isInstanceOf(SSLException.class);
		assertThat(handler.after).isEmpty();
		waiting().until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP) == 1);
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_START)).isEqualTo(1);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP).get(0).metadata()).containsKey("error");
	}

	// Unix domain sockets

	@Test
	void echoesOverTlsOnAUnixDomainSocket(@TempDir Path directory) throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		Path path = directory.resolve("tls.sock");
		Server server = start(ServerConfig.builder(handler)
			.name("tls-unix")
			.unixPath(path)
			.port(0)
			.numAcceptors(1)
			.transport(Transport.tls(this.certificates.serverContext()))
			.telemetryListener(this.telemetry));
		assertTimeoutPreemptively(WAIT, () -> {
			try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
				channel.connect(UnixDomainSocketAddress.of(path));
				SSLEngine engine = this.certificates.clientContext().createSSLEngine("localhost", -1);
				engine.setUseClientMode(true);
				EngineClient client = new EngineClient(channel, engine);
				client.handshake();
				for (int i = 0; i < 20; i++) {
					byte[] message = ("over a unix socket " + i).repeat(1 + i * 50).getBytes(StandardCharsets.UTF_8);
					client.write(message);
					assertThat(client.read(message.length)).isEqualTo(message);
				}
				assertThat(engine.getSession().getProtocol()).isEqualTo("TLSv1.3");
			}
		});
		Seen seen = handler.awaitConnection();
		assertThat(seen.secure()).isTrue();
		assertThat(seen.protocol()).isEqualTo("TLSv1.3");
		assertThat(seen.localAddress()).isInstanceOf(UnixDomainSocketAddress.class);
		assertThat(handler.errors).isEmpty();
	}

	// Certificate swap

	@Test
	void keepsLiveConnectionsOnTheirCertificateWhenTheContextIsSwapped() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		TlsTransport transport = Transport.tls(this.certificates.serverContext());
		Server server = start(tcp(handler, transport));
		try (SSLSocket first = connect(this.certificates.clientContext(), server, DEFAULTS)) {
			assertEchoes(first, "before the swap");
			assertThat(peerSubject(first)).isEqualTo("CN=localhost");
			assertThat(handler.latestData().localSubject()).isEqualTo("CN=localhost");

			SSLContext renewed = this.certificates.otherServerContext();
			transport.sslContext(renewed);
			assertThat(transport.sslContext()).isSameAs(renewed);

			try (SSLSocket second = connect(this.certificates.clientContext(), server, DEFAULTS)) {
				assertEchoes(second, "after the swap");
				assertThat(peerSubject(second)).isEqualTo("CN=localhost second");
				assertThat(handler.latestData().localSubject()).isEqualTo("CN=localhost second");
			}

			assertEchoes(first, "the first connection goes on");
			assertThat(peerSubject(first)).isEqualTo("CN=localhost");
			assertThat(handler.latestData().localSubject()).isEqualTo("CN=localhost");
		}
		assertThat(handler.errors).isEmpty();
	}

	// Cipher suites

	@Test
	void reportsAHandshakeWithNoCipherSuiteInCommonToHandleError() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		TlsTransport transport = TlsTransport.builder(this.certificates.serverContext())
			.protocols(List.of("TLSv1.3"))
			.cipherSuites(List.of("TLS_AES_128_GCM_SHA256"))
			.build();
		Server server = start(tcp(handler, transport));
		try (SSLSocket client = connect(this.certificates.clientContext(), server, (parameters) -> {
			parameters.setProtocols(new String[] { "TLSv1.3" });
			parameters.setCipherSuites(new String[] { "TLS_AES_256_GCM_SHA384" });
		})) {
			assertRefused(client);
		}
		assertThat(handler.awaitError()).isInstanceOf(SSLException.class);
		assertOneFailedHandshake();
		assertThat(handler.connections).isEmpty();
		waiting().until(() -> server.connections().isEmpty());
	}

	@Test
	void sendsTheFatalAlertToAClientItRefusesDuringTheHandshake() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		TlsTransport transport = TlsTransport.builder(this.certificates.serverContext())
			.protocols(List.of("TLSv1.3"))
			.cipherSuites(List.of("TLS_AES_128_GCM_SHA256"))
			.build();
		Server server = start(tcp(handler, transport));
		try (SSLSocket client = connect(this.certificates.clientContext(), server, (parameters) -> {
			parameters.setProtocols(new String[] { "TLSv1.3" });
			parameters.setCipherSuites(new String[] { "TLS_AES_256_GCM_SHA384" });
		})) {
			// RFC 8446 6.2: the side that detects the error sends the alert. Without it the client
			// only sees "Remote host terminated the handshake" and cannot tell why.
			assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(client::startHandshake)
				.withMessageContaining("handshake_failure");
		}
		assertThat(handler.awaitError()).isInstanceOf(SSLHandshakeException.class);
	}

	// sendfile

	@Test
	void sendsFileRangesOverTls(@TempDir Path directory) throws Exception {
		Path file = Files.writeString(directory.resolve("letters.txt"), "ABCDEF");
		BlockingQueue<Long> sent = new LinkedBlockingQueue<>();
		Handler<Void> handler = new Handler<>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) throws Exception {
				sent.add(socket.sendfile(file, 0, 6));
				sent.add(socket.sendfile(file, 1, 3));
				return Result.continueWith(state);
			}
		};
		Server server = start(tcp(handler, Transport.tls(this.certificates.serverContext())));
		try (SSLSocket client = connect(this.certificates.clientContext(), server, DEFAULTS)) {
			assertThat(new String(client.getInputStream().readNBytes(9), StandardCharsets.UTF_8)).isEqualTo("ABCDEFBCD");
		}
		assertThat(awaitNext(sent)).isEqualTo(6);
		assertThat(awaitNext(sent)).isEqualTo(3);
	}

	@Test
	void sendsA256MiBFileIntactOverTls(@TempDir Path directory) throws Exception {
		long size = 256L * 1024 * 1024;
		Path file = directory.resolve("large.bin");
		long expectedCrc = writePatternFile(file, size);
		CompletableFuture<Long> sent = new CompletableFuture<>();
		Handler<Void> handler = new Handler<>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) throws Exception {
				sent.complete(socket.sendfile(file, 0, 0));
				return Result.close(state);
			}

			@Override
			public void handleError(Throwable error, Socket socket, Void state) {
				sent.completeExceptionally(error);
			}
		};
		Server server = start(tcp(handler, Transport.tls(this.certificates.serverContext())));
		try (SSLSocket client = connect(this.certificates.clientContext(), server, DEFAULTS)) {
			InputStream in = client.getInputStream();
			CRC32 crc = new CRC32();
			byte[] buffer = new byte[64 * 1024];
			long received = 0;
			while (received < size) {
				int read = in.read(buffer, 0, (int) Math.min(buffer.length, size - received));
				if (read < 0) {
					break;
				}
				crc.update(buffer, 0, read);
				received += read;
			}
			assertThat(received).isEqualTo(size);
			assertThat(crc.getValue()).isEqualTo(expectedCrc);
			assertThat(in.read()).as("end of stream after the file").isEqualTo(-1);
		}
		assertThat(sent.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(size);
	}

	// Invalid options

	@Test
	void rejectsAnUnknownProtocolNamingTheProtocolsOption() {
		SSLContext context = this.certificates.serverContext();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TlsTransport.builder(context).protocols(List.of("TLSv9")).build())
			.withMessageContaining("protocols")
			.withMessageContaining("TLSv9");
	}

	@Test
	void rejectsAnEmptyProtocolList() {
		SSLContext context = this.certificates.serverContext();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TlsTransport.builder(context).protocols(List.of()).build())
			.withMessageContaining("protocols");
	}

	@Test
	void rejectsAnUnknownCipherSuiteNamingTheCipherSuitesOption() {
		SSLContext context = this.certificates.serverContext();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TlsTransport.builder(context).cipherSuites(List.of("TLS_NO_SUCH_SUITE")).build())
			.withMessageContaining("cipherSuites")
			.withMessageContaining("TLS_NO_SUCH_SUITE");
	}

	@Test
	void acceptsKnownProtocolsAndCipherSuites() {
		SSLContext context = this.certificates.serverContext();
		assertThatNoException().isThrownBy(() -> TlsTransport.builder(context)
			.protocols(List.of("TLSv1.3"))
			.cipherSuites(List.of("TLS_AES_128_GCM_SHA256"))
			.build());
	}

	// Telemetry

	@Test
	void emitsConnectionReadyOnlyOnceTheHandshakeHasSucceeded() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		Server server = start(tcp(handler, Transport.tls(this.certificates.serverContext())));
		try (SSLSocket client = connect(this.certificates.clientContext(), server, DEFAULTS)) {
			assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_READY)).isZero();
			client.startHandshake();
			assertEchoes(client, "ready");
			assertThat(handler.awaitConnection().readyBeforeHandleConnection()).isTrue();
		}
		waiting().until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP) == 1);
		List<String> names = this.telemetry.events()
			.stream()
			.map(TelemetryEvent::name)
			.filter((name) -> name.startsWith("connection."))
			.toList();
		assertThat(names).startsWith(TelemetryEvent.CONNECTION_START, TelemetryEvent.CONNECTION_READY)
			.endsWith(TelemetryEvent.CONNECTION_STOP)
			.containsOnlyOnce(TelemetryEvent.CONNECTION_READY);
		TelemetryEvent start = this.telemetry.named(TelemetryEvent.CONNECTION_START).get(0);
		TelemetryEvent ready = this.telemetry.named(TelemetryEvent.CONNECTION_READY).get(0);
		assertThat(ready.span()).isSameAs(start.span());
		assertThat(ready.monotonicTime() - start.monotonicTime()).isNotNegative();
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP).get(0).metadata()).doesNotContainKey("error");
	}

	@Test
	void emitsOneStartAndOneStopWithAnErrorForAFailedHandshake() throws Exception {
		RecordingHandler handler = new RecordingHandler(this.telemetry);
		TlsTransport transport = TlsTransport.builder(this.certificates.serverContext())
			.clientAuth(ClientAuth.NEED)
			.build();
		Server server = start(tcp(handler, transport));
		try (SSLSocket client = connect(this.certificates.clientContextWithUntrustedCertificate(), server, DEFAULTS)) {
			assertRefused(client);
		}
		handler.awaitError();
		assertOneFailedHandshake();
		TelemetryEvent start = this.telemetry.named(TelemetryEvent.CONNECTION_START).get(0);
		TelemetryEvent stop = this.telemetry.named(TelemetryEvent.CONNECTION_STOP).get(0);
		assertThat(stop.span()).isSameAs(start.span());
		assertThat(stop.metadata().get("error")).asString().isNotBlank();
	}

	// Helpers

	private ServerConfig.Builder tcp(Handler<?> handler, Transport transport) {
		return ServerConfig.builder(handler)
			.name("tls-tests")
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(1)
			.transport(transport)
			.telemetryListener(this.telemetry);
	}

	private Server start(ServerConfig.Builder builder) throws IOException {
		Server server = builder.start();
		this.servers.add(server);
		return server;
	}

	/** Waits for the failed connection's stop, then checks its events: one start, one stop with an error, no ready. */
	private void assertOneFailedHandshake() {
		waiting().until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP)
				+ this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION) >= 1);
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_START)).isEqualTo(1);
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_STOP)).isEqualTo(1);
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION)).isZero();
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_READY)).isZero();
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP).get(0).metadata()).containsKey("error");
	}

	private static ConditionFactory waiting() {
		return await().atMost(WAIT).pollInterval(Duration.ofMillis(10));
	}

	private static <T> T awaitNext(BlockingQueue<T> queue) {
		return waiting().until(queue::poll, Objects::nonNull);
	}

	private static long handshaking(Server server) {
		return server.connections()
			.stream()
			.filter((connection) -> connection.state() == Connection.State.HANDSHAKING)
			.count();
	}

	private static SSLSocket connect(SSLContext context, Server server, Consumer<SSLParameters> customizer)
			throws IOException {
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
		try {
			SSLParameters parameters = socket.getSSLParameters();
			customizer.accept(parameters);
			socket.setSSLParameters(parameters);
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()),
					CLIENT_TIMEOUT_MILLIS);
			socket.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
			return socket;
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	private static java.net.Socket connectPlain(Server server) throws IOException {
		java.net.Socket socket = new java.net.Socket();
		socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), CLIENT_TIMEOUT_MILLIS);
		socket.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
		return socket;
	}

	private static void assertEchoes(java.net.Socket client, String text) throws IOException {
		byte[] message = text.getBytes(StandardCharsets.UTF_8);
		OutputStream out = client.getOutputStream();
		out.write(message);
		out.flush();
		assertThat(new String(client.getInputStream().readNBytes(message.length), StandardCharsets.UTF_8))
			.isEqualTo(text);
	}

	/**
	 * Asserts that the server refused the client's handshake. With TLS 1.3 the client may believe
	 * the handshake done before the server has checked its certificate, so the refusal may only
	 * show on the first read: a failure or the end of the stream, never data or a timeout.
	 */
	private static void assertRefused(SSLSocket client) throws IOException {
		try {
			client.startHandshake();
			client.getOutputStream().write('?');
			client.getOutputStream().flush();
			assertThat(client.getInputStream().read()).as("end of stream after a refused handshake").isEqualTo(-1);
		}
		catch (SocketTimeoutException ex) {
			throw new AssertionError("The server neither served nor refused the client", ex);
		}
		catch (IOException ex) {
			// Refused: an alert, a reset or the end of the stream during the handshake.
		}
	}

	/**
	 * Asserts that the server closes a raw client's connection without answering its handshake:
	 * no ServerHello (content type 22), at most TLS alert records (21), then the end of the stream
	 * (or a reset).
	 */
	private static void assertClosedWithAtMostAnAlert(java.net.Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		byte[] header = new byte[5];
		try {
			while (true) {
				int read = in.readNBytes(header, 0, header.length);
				if (read == 0) {
					return;
				}
				assertThat(read).as("a whole record header").isEqualTo(header.length);
				assertThat(header[0]).as("content type of a record from the server").isEqualTo((byte) 0x15);
				int length = ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
				assertThat(in.readNBytes(length)).hasSize(length);
			}
		}
		catch (SocketTimeoutException ex) {
			throw new AssertionError("The server did not close the connection", ex);
		}
		catch (SocketException ex) {
			// A reset: closed as well.
		}
	}

	private static String peerSubject(SSLSocket socket) throws SSLPeerUnverifiedException {
		return subject(socket.getSession().getPeerCertificates()[0]);
	}

	private static String subject(Certificate certificate) {
		return ((X509Certificate) certificate).getSubjectX500Principal().getName();
	}

	/** A TLS 1.1 ClientHello (no supported_versions extension) offering two ECDHE/RSA CBC suites. */
	private static byte[] tls11ClientHello() {
		byte[] random = new byte[32];
		new Random(11).nextBytes(random);
		ByteBuffer body = ByteBuffer.allocate(59);
		body.putShort((short) 0x0302);
		body.put(random);
		body.put((byte) 0);
		body.putShort((short) 4).putShort((short) 0xc009).putShort((short) 0x002f);
		body.put((byte) 1).put((byte) 0);
		body.putShort((short) 14);
		body.putShort((short) 0x000a).putShort((short) 4).putShort((short) 2).putShort((short) 0x0017);
		body.putShort((short) 0x000b).putShort((short) 2).put((byte) 1).put((byte) 0);
		ByteBuffer record = ByteBuffer.allocate(5 + 4 + body.capacity());
		record.put((byte) 0x16).putShort((short) 0x0301).putShort((short) (4 + body.capacity()));
		record.put((byte) 1).put((byte) 0).putShort((short) body.capacity());
		record.put(body.array());
		return record.array();
	}

	/**
	 * Writes {@code size} bytes (a multiple of 1 MiB) of a deterministic pattern: a pseudo-random
	 * mebibyte whose first four bytes carry the block number, so that lost, repeated or reordered
	 * blocks change the checksum.
	 * @return the CRC32 of the file
	 */
	private static long writePatternFile(Path file, long size) throws IOException {
		byte[] block = new byte[1024 * 1024];
		new Random(256).nextBytes(block);
		ByteBuffer buffer = ByteBuffer.wrap(block);
		CRC32 crc = new CRC32();
		try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
			for (int i = 0; i < size / block.length; i++) {
				buffer.clear();
				buffer.putInt(0, i);
				crc.update(block, 0, block.length);
				while (buffer.hasRemaining()) {
					out.write(buffer);
				}
			}
		}
		return crc.getValue();
	}

	/** What a handler saw of its socket. */
	private record Seen(boolean secure, Optional<SSLSession> session, Optional<String> negotiatedProtocol,
			Optional<String> serverName, List<Certificate> peerCertificates, Object localAddress,
			boolean readyBeforeHandleConnection) {

		static Seen of(Socket socket, TelemetryRecorder telemetry) {
			boolean ready = telemetry.named(TelemetryEvent.CONNECTION_READY)
				.stream()
				.anyMatch((event) -> event.span() == socket.telemetrySpan());
			return new Seen(socket.isSecure(), socket.sslSession(), socket.negotiatedProtocol(), socket.serverName(),
					socket.peerCertificates(), socket.localAddress(), ready);
		}

		String protocol() {
			return this.session.orElseThrow().getProtocol();
		}

		List<String> peerSubjects() {
			return this.peerCertificates.stream().map(TlsTransportTests::subject).toList();
		}

		String localSubject() {
			Certificate[] local = this.session.orElseThrow().getLocalCertificates();
			return subject(local[0]);
		}

	}

	/** Echoes, and records what it saw of each connection and each error. */
	private static final class RecordingHandler implements Handler<Void> {

		private final TelemetryRecorder telemetry;

		final BlockingQueue<Seen> connections = new LinkedBlockingQueue<>();

		final BlockingQueue<Seen> data = new LinkedBlockingQueue<>();

		final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();

		final AtomicInteger timeouts = new AtomicInteger();

		RecordingHandler(TelemetryRecorder telemetry) {
			this.telemetry = telemetry;
		}

		@Override
		public Result<Void> handleConnection(Socket socket, Void state) {
			this.connections.add(Seen.of(socket, this.telemetry));
			return Result.continueWith(state);
		}

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			this.data.add(Seen.of(socket, this.telemetry));
			socket.send(data);
			return Result.continueWith(state);
		}

		@Override
		public void handleError(Throwable error, Socket socket, Void state) {
			this.errors.add(error);
		}

		@Override
		public void handleTimeout(Socket socket, Void state) {
			this.timeouts.incrementAndGet();
		}

		Seen awaitConnection() {
			Seen seen = this.connections.poll();
			if (seen != null) {
				return seen;
			}
			return waiting().until(() -> {
				Throwable error = this.errors.peek();
				if (error != null) {
					throw new AssertionError("The connection failed instead", error);
				}
				return this.connections.poll();
			}, Objects::nonNull);
		}

		Throwable awaitError() {
			return awaitNext(this.errors);
		}

		/** The last handleData seen so far; call once the client has its echo. */
		Seen latestData() {
			List<Seen> seen = new ArrayList<>();
			this.data.drainTo(seen);
			assertThat(seen).isNotEmpty();
			return seen.get(seen.size() - 1);
		}

	}

	/**
	 * Speaks plain text until the client says STARTTLS, answers OK and upgrades; echoes after
	 * that. The state says whether the connection was upgraded.
	 */
	private static final class StartTlsHandler implements Handler<Boolean> {

		private final Transport tls;

		final BlockingQueue<Boolean> secureBefore = new LinkedBlockingQueue<>();

		final BlockingQueue<Seen> after = new LinkedBlockingQueue<>();

		final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();

		private final TelemetryRecorder noTelemetry = new TelemetryRecorder();

		StartTlsHandler(Transport tls) {
			this.tls = tls;
		}

		@Override
		public Boolean initialState() {
			return false;
		}

		@Override
		public Result<Boolean> handleData(ByteBuffer data, Socket socket, Boolean upgraded) throws Exception {
			if (upgraded) {
				this.after.add(Seen.of(socket, this.noTelemetry));
				socket.send(data);
				return Result.continueWith(true);
			}
			this.secureBefore.add(socket.isSecure());
			StringBuilder line = new StringBuilder(StandardCharsets.UTF_8.decode(data));
			while (!line.toString().endsWith("\r\n")) {
				line.append(StandardCharsets.UTF_8.decode(socket.recv(0)));
			}
			if (!line.toString().equals("STARTTLS\r\n")) {
				socket.send("ERR\r\n".getBytes(StandardCharsets.UTF_8));
				return Result.close(false);
			}
			socket.send("OK\r\n".getBytes(StandardCharsets.UTF_8));
			return Result.switchTransport(this.tls, true);
		}

		@Override
		public void handleError(Throwable error, Socket socket, Boolean upgraded) {
			this.errors.add(error);
		}

	}

	/**
	 * A blocking TLS client over any {@link SocketChannel} (here a Unix domain socket), driving a
	 * client-mode {@link SSLEngine} by hand. Run it under a preemptive timeout: channel reads have
	 * no timeout of their own.
	 */
	private static final class EngineClient implements Closeable {

		private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

		private final SocketChannel channel;

		private final SSLEngine engine;

		/** Ciphertext received and not yet decrypted, in fill mode. */
		private ByteBuffer netIn;

		/** Plaintext decrypted and not yet read, in fill mode. */
		private ByteBuffer appIn;

		private final ByteBuffer netOut;

		EngineClient(SocketChannel channel, SSLEngine engine) {
			this.channel = channel;
			this.engine = engine;
			SSLSession session = engine.getSession();
			this.netIn = ByteBuffer.allocate(session.getPacketBufferSize());
			this.appIn = ByteBuffer.allocate(session.getApplicationBufferSize());
			this.netOut = ByteBuffer.allocate(session.getPacketBufferSize());
		}

		void handshake() throws IOException {
			this.engine.beginHandshake();
			while (true) {
				switch (this.engine.getHandshakeStatus()) {
					case NEED_WRAP -> wrap(EMPTY);
					case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
						if (unwrap().getStatus() == Status.CLOSED) {
							throw new SSLException("The server closed the connection during the handshake");
						}
					}
					case NEED_TASK -> runTasks();
					case FINISHED, NOT_HANDSHAKING -> {
						return;
					}
				}
			}
		}

		void write(byte[] bytes) throws IOException {
			ByteBuffer source = ByteBuffer.wrap(bytes);
			while (source.hasRemaining()) {
				wrap(source);
			}
		}

		byte[] read(int length) throws IOException {
			while (this.appIn.position() < length) {
				if (unwrap().getStatus() == Status.CLOSED) {
					throw new EOFException("The server closed the connection after " + this.appIn.position() + " of "
							+ length + " bytes");
				}
			}
			this.appIn.flip();
			byte[] bytes = new byte[length];
			this.appIn.get(bytes);
			this.appIn.compact();
			return bytes;
		}

		private void wrap(ByteBuffer source) throws IOException {
			this.netOut.clear();
			SSLEngineResult result = this.engine.wrap(source, this.netOut);
			if (result.getStatus() != Status.OK) {
				throw new SSLException("Unexpected wrap result " + result);
			}
			this.netOut.flip();
			while (this.netOut.hasRemaining()) {
				this.channel.write(this.netOut);
			}
			if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
				runTasks();
			}
		}

		/** Decrypts one record into {@code appIn}, reading from the channel as needed. */
		private SSLEngineResult unwrap() throws IOException {
			while (true) {
				int room = this.engine.getSession().getApplicationBufferSize();
				if (this.appIn.remaining() < room) {
					ByteBuffer larger = ByteBuffer.allocate(this.appIn.position() + room);
					this.appIn.flip();
					this.appIn = larger.put(this.appIn);
				}
				this.netIn.flip();
				SSLEngineResult result;
				try {
					result = this.engine.unwrap(this.netIn, this.appIn);
				}
				finally {
					this.netIn.compact();
				}
				switch (result.getStatus()) {
					case OK, CLOSED -> {
						if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
							runTasks();
						}
						return result;
					}
					case BUFFER_UNDERFLOW -> {
						if (!this.netIn.hasRemaining()) {
							ByteBuffer larger = ByteBuffer.allocate(this.netIn.capacity() * 2);
							this.netIn.flip();
							this.netIn = larger.put(this.netIn);
						}
						if (this.channel.read(this.netIn) < 0) {
							throw new EOFException("The server closed the connection");
						}
					}
					case BUFFER_OVERFLOW -> throw new SSLException("Unexpected unwrap result " + result);
				}
			}
		}

		private void runTasks() {
			Runnable task;
			while ((task = this.engine.getDelegatedTask()) != null) {
				task.run();
			}
		}

		@Override
		public void close() throws IOException {
			this.channel.close();
		}

	}

}
