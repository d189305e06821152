package dev.thousandisland;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.proxy.ProxyProtocolMode;
import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.Readiness;
import dev.thousandisland.transport.Transport;
import dev.thousandisland.transport.TransportChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.thousandisland.ProxyTestServer.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code OPTIONAL} mode over real sockets: a connection without a header is served as if the
 * server did not read headers, the bytes read while looking replayed to the transport first (the
 * handler's first data in the clear, the ClientHello under TLS), and one with a header is
 * served with the client's address.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyProtocolReplayTests {

	@Test
	void withoutAHeaderThePlainHandlerGetsEveryByteFromTheFirst() throws Exception {
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.OPTIONAL, (builder) -> builder);
				TestClient client = proxied.connect()) {
			// "PRO" matches the version 1 signature as far as it goes: the reader takes all three.
			client.send("PRO");
			client.send("TOCOL and more");
			assertThat(client.read(17)).isEqualTo("PROTOCOL and more");
			Socket socket = proxied.connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(socket.proxyHeader()).isEmpty();
			assertThat(socket.remoteAddress()).isEqualTo(client.socket().getLocalSocketAddress());
			assertThat(socket.peerAddress()).isEqualTo(socket.remoteAddress());
		}
	}

	@Test
	void anUntrustedPeerWithoutAHeaderIsServedDirectly() throws Exception {
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.OPTIONAL,
				(builder) -> builder.proxyTrustedSources(List.of())); TestClient client = proxied.connect()) {
			client.send("hello");
			assertThat(client.read(5)).isEqualTo("hello");
		}
	}

	@Test
	void withoutAHeaderTheTlsHandshakeGetsTheReplayedBytes() throws Exception {
		TestCertificates certificates = TestCertificates.get();
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.OPTIONAL,
				(builder) -> builder.transport(Transport.tls(certificates.serverContext())));
				SSLSocket client = (SSLSocket) certificates.clientContext()
					.getSocketFactory()
					.createSocket(InetAddress.getLoopbackAddress(), proxied.server.port())) {
			client.setSoTimeout((int) WAIT.toMillis());
			assertThat(echo(client.getOutputStream(), client.getInputStream(), "over tls")).isEqualTo("over tls");
			Socket socket = proxied.connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(socket.isSecure()).isTrue();
			assertThat(socket.proxyHeader()).isEmpty();
		}
	}

	@Test
	void withAHeaderTheTlsHandshakeStartsRightAfterIt() throws Exception {
		TestCertificates certificates = TestCertificates.get();
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.OPTIONAL,
				(builder) -> builder.transport(Transport.tls(certificates.serverContext())));
				java.net.Socket tcp = new java.net.Socket(InetAddress.getLoopbackAddress(), proxied.server.port())) {
			tcp.getOutputStream().write(ProxyTestServer.ascii("PROXY TCP6 2001:db8::9 2001:db8::1 6000 443\r\n"));
			try (SSLSocket client = (SSLSocket) certificates.clientContext()
				.getSocketFactory()
				.createSocket(tcp, "localhost", proxied.server.port(), true)) {
				client.setSoTimeout((int) WAIT.toMillis());
				assertThat(echo(client.getOutputStream(), client.getInputStream(), "relayed")).isEqualTo("relayed");
			}
			Socket socket = proxied.connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(socket.remoteAddress()).isEqualTo(new InetSocketAddress("2001:db8::9", 6000));
			assertThat(socket.isSecure()).isTrue();
		}
	}

	@Test
	void aStartTlsUpgradeBeforeAnyReadGetsTheReplayedBytesAsTheStartOfItsHandshake() throws Exception {
		TestCertificates certificates = TestCertificates.get();
		Handler<Void> upgradeAtOnce = new Handler<>() {

			@Override
			public Result<Void> handleConnection(Socket socket, Void state) {
				return Result.switchTransport(Transport.tls(certificates.serverContext()), state);
			}

			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws IOException {
				socket.send(data);
				return Result.continueWith(state);
			}

		};
		Server server = ServerConfig.builder(upgradeAtOnce)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.proxyProtocol(ProxyProtocolMode.OPTIONAL)
			.start();
		try (SSLSocket client = (SSLSocket) certificates.clientContext()
			.getSocketFactory()
			.createSocket(InetAddress.getLoopbackAddress(), server.port())) {
			client.setSoTimeout((int) WAIT.toMillis());
			assertThat(echo(client.getOutputStream(), client.getInputStream(), "upgraded")).isEqualTo("upgraded");
		}
		finally {
			server.stop(Duration.ofSeconds(2));
		}
	}

	@Test
	void aCustomTransportThatCannotReplayFailsTheHandshakeWithAClearError() throws Exception {
		Transport custom = new Transport() {

			@Override
			public TransportChannel handshake(SocketChannel socket, Readiness readiness, long deadline)
					throws IOException {
				return Transport.plain().handshake(socket, readiness, deadline);
			}

			@Override
			public boolean isSecure() {
				return false;
			}

			@Override
			public String name() {
				return "custom";
			}

		};
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.OPTIONAL,
				(builder) -> builder.transport(custom)); TestClient client = proxied.connect()) {
			client.send("hello");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
			assertThat(proxied.awaitStopReason(1)).isEqualTo("handshake_failed");
			assertThat(proxied.telemetry.named(TelemetryEvent.CONNECTION_STOP).get(0).metadata().get("error"))
				.asString()
				.contains("cannot take the", "bytes read before its handshake", "override handshake(SocketChannel, Readiness, long, ByteBuffer)");
			assertThat(proxied.callbacks).containsExactly("error");
		}
	}

	private static String echo(OutputStream out, InputStream in, String text) throws IOException {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		out.write(bytes);
		out.flush();
		return new String(in.readNBytes(bytes.length), StandardCharsets.UTF_8);
	}

}
