package dev.thousandisland.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.ClientAuth;
import dev.thousandisland.transport.TlsTransport;
import dev.thousandisland.transport.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Security defaults of the core, each checked over real sockets: TLS below 1.2 is refused unless
 * asked for, client-auth {@code need} admits only clients with a trusted certificate, accepting
 * a connection never resolves the client's host name, and a failing handler never sends the
 * client a stack trace (or anything else).
 */
class SecurityDefaultsTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	/**
	 * A TLS 1.1 ClientHello, built by hand because the JDK's client will not send one, is answered
	 * with a fatal {@code protocol_version} alert and no ServerHello by a server with the default
	 * TLS transport; the same hello offering TLS 1.2 gets a ServerHello, which shows that the
	 * version alone made the difference.
	 */
	@Test
	@Timeout(value = 60, unit = TimeUnit.SECONDS)
	void tlsOlderThanOnePointTwoIsRefusedByDefault() throws Exception {
		assertThat(TlsTransport.DEFAULT_PROTOCOLS).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
		SpanAudit audit = SpanAudit.recording();
		Server server = ServerConfig.builder(new EchoHandler())
			.name("tls-defaults")
			.port(0)
			.bindAddress(Clients.LOOPBACK)
			.transport(Transport.tls(TestTls.get().serverContext()))
			.telemetryListener(audit)
			.start();
		try {
			RawClientHello.Answer refused = answerTo(server.port(), RawClientHello.of(RawClientHello.TLS_1_1));
			assertThat(refused).as("the answer to a TLS 1.1 ClientHello").isNotNull();
			assertThat(refused.type()).isEqualTo(RawClientHello.ALERT);
			assertThat(refused.first()).as("alert level").isEqualTo(2);
			assertThat(refused.second()).as("alert description").isEqualTo(RawClientHello.PROTOCOL_VERSION_ALERT);

			RawClientHello.Answer accepted = answerTo(server.port(), RawClientHello.of(RawClientHello.TLS_1_2));
			assertThat(accepted).as("the answer to a TLS 1.2 ClientHello").isNotNull();
			assertThat(accepted.type()).isEqualTo(RawClientHello.HANDSHAKE);
			assertThat(accepted.version()).isEqualTo(RawClientHello.TLS_1_2);

			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			List<TelemetryEvent> failed = audit.named(TelemetryEvent.CONNECTION_STOP)
				.stream()
				.filter((event) -> "handshake_failed".equals(event.metadata().get("reason")))
				.toList();
			assertThat(failed).isNotEmpty();
			assertThat(String.valueOf(failed.get(0).metadata().get("error"))).startsWith("SSLHandshakeException")
				.contains("TLSv1.1");
			audit.assertBalanced();
		}
		finally {
			server.stop(Duration.ZERO);
		}
	}

	/**
	 * With client-auth {@code need}, a client presenting no certificate and a client presenting one
	 * the server does not trust are both refused before the handler sees them; a client with a
	 * trusted certificate is served.
	 */
	@Test
	@Timeout(value = 60, unit = TimeUnit.SECONDS)
	void clientAuthNeedRefusesClientsWithoutATrustedCertificate() throws Exception {
		TestTls tls = TestTls.get();
		Queue<String> handled = new ConcurrentLinkedQueue<>();
		Handler<Void> handler = new Handler<>() {
			@Override
			public Result<Void> handleConnection(dev.thousandisland.Socket socket, Void state) {
				handled.add(socket.peerCertificates().isEmpty() ? "no certificate" : "certificate");
				return Result.continueWith(state);
			}

			@Override
			public Result<Void> handleData(ByteBuffer data, dev.thousandisland.Socket socket, Void state)
					throws IOException {
				socket.send(data);
				return Result.continueWith(state);
			}
		};
		SpanAudit audit = SpanAudit.counting();
		Server server = ServerConfig.builder(handler)
			.name("client-auth")
			.port(0)
			.bindAddress(Clients.LOOPBACK)
			.transport(TlsTransport.builder(tls.serverContext()).clientAuth(ClientAuth.NEED).build())
			.telemetryListener(audit)
			.start();
		try {
			assertThat(served(tls.clientContext(), server.port())).as("a client without a certificate").isFalse();
			assertThat(served(tls.clientContextWithUntrustedCertificate(), server.port()))
				.as("a client with an untrusted certificate")
				.isFalse();
			assertThat(served(tls.clientContextWithCertificate(), server.port()))
				.as("a client with a trusted certificate")
				.isTrue();
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			assertThat(handled).containsExactly("certificate");
			assertThat(audit.countWithReason(TelemetryEvent.CONNECTION_STOP, "handshake_failed")).isEqualTo(2);
			audit.assertBalanced();
		}
		finally {
			server.stop(Duration.ZERO);
		}
	}

	/**
	 * Accepting a connection resolves no host name: the {@code remote_address} of
	 * {@code connection.start} is an {@link InetAddress} whose {@code toString()} starts with "/"
	 * (an address that was looked up would read {@code localhost/127.0.0.1}), and so is every
	 * remote address the server hands out, checked after the connection has ended, when anything
	 * that looked the name up would have done so.
	 */
	@Test
	@Timeout(value = 60, unit = TimeUnit.SECONDS)
	void acceptingAConnectionNeverLooksUpTheClientsHostName() throws Exception {
		Queue<SocketAddress> seenByHandler = new ConcurrentLinkedQueue<>();
		Handler<Void> handler = new Handler<>() {
			@Override
			public Result<Void> handleConnection(dev.thousandisland.Socket socket, Void state) {
				seenByHandler.add(socket.remoteAddress());
				seenByHandler.add(socket.connection().remoteAddress());
				return Result.continueWith(state);
			}

			@Override
			public Result<Void> handleData(ByteBuffer data, dev.thousandisland.Socket socket, Void state)
					throws IOException {
				socket.send(data);
				return Result.continueWith(state);
			}

			@Override
			public void handleClose(dev.thousandisland.Socket socket, Void state) {
				seenByHandler.add(socket.remoteAddress());
			}
		};
		SpanAudit audit = SpanAudit.recording();
		Server server = ServerConfig.builder(handler)
			.name("no-dns")
			.port(0)
			.bindAddress(Clients.LOOPBACK)
			.telemetryListener(audit)
			.start();
		List<SocketAddress> listed;
		try (Socket client = Clients.connect(server.port())) {
			assertThat(Clients.roundTrip(client, new byte[] { 1, 2, 3 })).containsExactly(1, 2, 3);
			listed = server.connections().stream().map(dev.thousandisland.Connection::remoteAddress).toList();
		}
		finally {
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			server.stop(Duration.ZERO);
		}
		List<TelemetryEvent> starts = audit.named(TelemetryEvent.CONNECTION_START);
		assertThat(starts).hasSize(1);
		Object remote = starts.get(0).metadata().get("remote_address");
		assertThat(remote).isInstanceOf(InetAddress.class);
		assertThat(remote.toString()).as("remote_address of connection.start").startsWith("/");
		assertThat(seenByHandler).hasSize(3).allSatisfy((address) -> {
			assertThat(address).isInstanceOf(InetSocketAddress.class);
			assertThat(address.toString()).as("a remote address the handler saw").startsWith("/127.0.0.1:");
		});
		assertThat(listed).hasSize(1)
			.allSatisfy((address) -> assertThat(address.toString()).as("Server.connections()").startsWith("/"));
		audit.assertBalanced();
		for (TelemetryEvent event : audit.events()) {
			for (Object value : event.metadata().values()) {
				if (value instanceof InetAddress address) {
					assertThat(address.toString()).as("%s in %s", address, event.name()).startsWith("/");
				}
			}
		}
	}

	/**
	 * A handler that throws (in handleConnection, in handleData, or by returning an error result)
	 * ends the connection with nothing sent: the client reads end of stream and no byte, so no
	 * exception text or stack frame reaches it; over TLS it reads no application data either.
	 */
	@Test
	@Timeout(value = 60, unit = TimeUnit.SECONDS)
	@SuppressWarnings("try") // the resource only scopes the quieter logging
	void aFailingHandlerSendsTheClientNothingButTheEndOfTheStream() throws Exception {
		Handler<Void> failing = new Handler<>() {
			@Override
			public Result<Void> handleData(ByteBuffer data, dev.thousandisland.Socket socket, Void state) {
				String command = StandardCharsets.US_ASCII.decode(data).toString();
				if (command.startsWith("THROW")) {
					throw new IllegalStateException("secret internal detail at dev.thousandisland.Secret");
				}
				return Result.error(new IOException("secret error result"), state);
			}
		};
		Handler<Void> failingOnConnect = new Handler<>() {
			@Override
			public Result<Void> handleConnection(dev.thousandisland.Socket socket, Void state) {
				throw new IllegalStateException("secret failure on connect");
			}
		};
		TestTls tls = TestTls.get();
		SpanAudit plainAudit = SpanAudit.counting();
		SpanAudit onConnectAudit = SpanAudit.counting();
		SpanAudit secureAudit = SpanAudit.counting();
		Server plain = start(failing, Transport.plain(), plainAudit);
		Server onConnect = start(failingOnConnect, Transport.plain(), onConnectAudit);
		Server secure = start(failing, Transport.tls(tls.serverContext()), secureAudit);
		try (QuietLogs quiet = QuietLogs.connections()) {
			for (String command : List.of("THROW\n", "ERROR\n")) {
				try (Socket client = Clients.connect(plain.port())) {
					client.getOutputStream().write(command.getBytes(StandardCharsets.US_ASCII));
					assertNothingButEnd(Clients.awaitClosed(client, Duration.ofSeconds(10)));
				}
				try (SSLSocket client = Clients.connectTls(tls.clientContext(), secure.port())) {
					client.getOutputStream().write(command.getBytes(StandardCharsets.US_ASCII));
					client.getOutputStream().flush();
					assertNothingButEnd(Clients.awaitClosed(client, Duration.ofSeconds(10)));
				}
			}
			try (Socket client = Clients.connect(onConnect.port())) {
				assertNothingButEnd(Clients.awaitClosed(client, Duration.ofSeconds(10)));
			}
			await().atMost(WAIT).until(() -> plain.activeConnections() + onConnect.activeConnections()
					+ secure.activeConnections() == 0);
			assertThat(plainAudit.count(TelemetryEvent.CONNECTION_EXCEPTION)).isEqualTo(1);
			assertThat(secureAudit.count(TelemetryEvent.CONNECTION_EXCEPTION)).isEqualTo(1);
			assertThat(onConnectAudit.count(TelemetryEvent.CONNECTION_EXCEPTION)).isEqualTo(1);
			plainAudit.assertBalanced();
			onConnectAudit.assertBalanced();
			secureAudit.assertBalanced();
		}
		finally {
			plain.stop(Duration.ZERO);
			onConnect.stop(Duration.ZERO);
			secure.stop(Duration.ZERO);
		}
	}

	private static void assertNothingButEnd(Clients.Closure closure) {
		assertThat(closure.closed()).isTrue();
		assertThat(closure.text()).doesNotContain("Exception").doesNotContain("at dev.").doesNotContain("secret");
		assertThat(closure.received()).isEmpty();
	}

	private static Server start(Handler<?> handler, Transport transport, SpanAudit audit) throws IOException {
		return ServerConfig.builder(handler)
			.name("failing")
			.port(0)
			.bindAddress(Clients.LOOPBACK)
			.transport(transport)
			.telemetryListener(audit)
			.start();
	}

	private static RawClientHello.Answer answerTo(int port, byte[] hello) throws IOException {
		try (Socket socket = Clients.connect(port)) {
			socket.getOutputStream().write(hello);
			return RawClientHello.readAnswer(socket);
		}
	}

	/** Whether a TLS client with this context completes an echo round trip. */
	private static boolean served(SSLContext context, int port) {
		try (SSLSocket socket = Clients.connectTls(context, port)) {
			byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
			socket.getOutputStream().write(ping);
			socket.getOutputStream().flush();
			InputStream in = socket.getInputStream();
			byte[] reply = in.readNBytes(ping.length);
			return Arrays.equals(reply, ping);
		}
		catch (IOException ex) {
			return false;
		}
	}

}
