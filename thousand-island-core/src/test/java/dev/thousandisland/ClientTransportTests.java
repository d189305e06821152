package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import dev.thousandisland.ClientConnectionTests.RecordingHandler;
import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.ClientAuth;
import dev.thousandisland.transport.TlsTransport;
import dev.thousandisland.transport.Transport;

import static dev.thousandisland.ScriptedLineServer.line;
import static dev.thousandisland.ScriptedLineServer.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A client over TLS (client mode: host name verification, SNI, client certificates) and Unix
 * sockets, against this project's servers, and the telemetry a client emits while it connects,
 * fails and backs off.
 */
class ClientTransportTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final Backoff FAST = ClientTestPeers.FAST;

	private final TestCertificates certificates = TestCertificates.get();

	@RegisterExtension
	final ClientTestPeers peers = new ClientTestPeers();

	private final RecordingHandler handler = new RecordingHandler();

	private final List<TelemetryEvent> events = new CopyOnWriteArrayList<>();

	@Test
	void tlsClientVerifiesTheServersHostNameAndSendsItWithSni() throws Exception {
		Server server = server(Transport.tls(this.certificates.serverContext()));
		ClientConnection client = client(server.port(),
				TlsTransport.builder(this.certificates.clientContext()).clientMode("localhost").build());
		assertThat(text(client.request(line("sni"), WAIT))).isEqualTo("localhost");
		assertThat(text(client.request(line("echo secret"), WAIT))).isEqualTo("secret");
	}

	@Test
	void tlsClientRefusesACertificateForAnotherHostAndKeepsRetrying() throws Exception {
		Server server = server(Transport.tls(this.certificates.serverContext()));
		ClientConnection client = client(server.port(),
				TlsTransport.builder(this.certificates.clientContext()).clientMode("db.example.org").build());
		assertThatExceptionOfType(RequestTimeoutException.class)
			.isThrownBy(() -> client.request(line("echo secret"), Duration.ofMillis(500)))
			.withMessageContaining("never sent");
		await().atMost(WAIT).until(() -> this.handler.errors.size() >= 2);
		assertThat(this.handler.errors).allSatisfy((ex) -> assertThat(ex).isInstanceOf(SSLHandshakeException.class));
		assertThat(this.handler.kinds).isEmpty();
	}

	@Test
	void tlsClientPresentsItsCertificateWhenTheServerNeedsOne() throws Exception {
		Server server = server(TlsTransport.builder(this.certificates.serverContext()).clientAuth(ClientAuth.NEED).build());
		ClientConnection client = client(server.port(),
				TlsTransport.builder(this.certificates.clientContextWithCertificate()).clientMode("localhost").build());
		assertThat(text(client.request(line("echo mutual"), WAIT))).isEqualTo("mutual");
	}

	@Test
	void aServerThatAcceptsButNeverAnswersTheHandshakeHitsTheConnectTimeoutThenBacksOff() throws Exception {
		// A plain server never answers a ClientHello: the TLS handshake can only time out.
		Server silent = ServerConfig.builder(new Handler<Void>() {
		}).port(0).bindAddress(InetAddress.getLoopbackAddress()).readTimeout(ServerConfig.NO_TIMEOUT).start();
		this.peers.servers.add(silent);
		ClientConnection client = client(silent.port(),
				TlsTransport.builder(this.certificates.clientContext()).clientMode("localhost").build());
		await().atMost(WAIT).until(() -> count(TelemetryEvent.CLIENT_BACKOFF) >= 2);
		assertThat(this.handler.errors).isNotEmpty()
			.allSatisfy((ex) -> assertThat(ex).isInstanceOf(SocketTimeoutException.class));
		List<TelemetryEvent> failed = named(TelemetryEvent.CLIENT_CONNECT_FAILED);
		assertThat(failed).isNotEmpty()
			.allSatisfy((event) -> assertThat(event.measurement("duration")).isGreaterThanOrEqualTo(
					Duration.ofMillis(300).toNanos()));
		List<TelemetryEvent> backoffs = named(TelemetryEvent.CLIENT_BACKOFF);
		assertThat(backoffs.get(0).metadata()).containsEntry("attempt", 1);
		assertThat(backoffs.get(1).metadata()).containsEntry("attempt", 2);
		assertThat(backoffs).allSatisfy((event) -> assertThat(event.measurement("delay")).isPositive());
		assertThat(client.isConnected()).isFalse();
	}

	@Test
	void clientSpeaksOverAUnixSocketAndEmitsItsSpanAndRequestEvents(@TempDir Path directory) throws Exception {
		Path path = directory.resolve("scripted.sock");
		Server server = ServerConfig.builder(ScriptedLineServer.handler()).unixPath(path).start();
		this.peers.servers.add(server);
		ClientConfig config = ClientConfig.builder(Framing.line())
			.name("unix-client")
			.unix(path)
			.requestFraming(Framing.line())
			.backoff(FAST)
			.telemetryListeners(List.of(this.events::add))
			.build();
		ClientConnection client = ClientConnection.start(config);
		await().atMost(WAIT).until(client::isConnected);
		assertThat(text(client.request(line("echo local"), WAIT))).isEqualTo("local");
		assertThat(client.stop(WAIT)).isTrue();
		assertThat(Files.exists(path)).isTrue();
		assertThat(this.events.stream().map(TelemetryEvent::name)).containsExactly(TelemetryEvent.CLIENT_START,
				TelemetryEvent.CLIENT_CONNECT, TelemetryEvent.CLIENT_REQUEST_START, TelemetryEvent.CLIENT_REQUEST_STOP,
				TelemetryEvent.CLIENT_DISCONNECT, TelemetryEvent.CLIENT_STOP);
		assertThat(named(TelemetryEvent.CLIENT_CONNECT).get(0).metadata()).containsEntry("kind", "first");
		assertThat(named(TelemetryEvent.CLIENT_REQUEST_STOP).get(0).measurement("reply_bytes")).isEqualTo(5);
		assertThat(named(TelemetryEvent.CLIENT_DISCONNECT).get(0).metadata()).containsEntry("reason", "stopped");
		assertThat(named(TelemetryEvent.CLIENT_START).get(0).metadata()).containsEntry("name", "unix-client");
	}

	private Server server(Transport transport) throws IOException {
		Server server = ServerConfig.builder(ScriptedLineServer.handler())
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.transport(transport)
			.start();
		this.peers.servers.add(server);
		return server;
	}

	private ClientConnection client(int port, Transport transport) {
		ClientConfig config = ClientConfig.builder(Framing.line())
			.tcp("127.0.0.1", port)
			.transport(transport)
			.requestFraming(Framing.line())
			.backoff(FAST)
			.connectTimeout(Duration.ofMillis(300))
			.handler(this.handler)
			.telemetryListeners(List.of(this.events::add))
			.build();
		ClientConnection client = ClientConnection.start(config);
		this.peers.clients.add(client);
		return client;
	}

	private List<TelemetryEvent> named(String name) {
		return this.events.stream().filter((event) -> event.name().equals(name)).toList();
	}

	private long count(String name) {
		return named(name).size();
	}

}
