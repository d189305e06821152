package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.HandBuiltClientHello.ServerFlight;
import dev.thousandisland.proxy.ProxyProtocolMode;
import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.TlsTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.thousandisland.ProxyTestServer.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A ClientHello the server's own reader would have to give up on is refused, never served from the
 * default context; and SNI through PROXY protocol {@code OPTIONAL} mode, where the first bytes of the
 * ClientHello were read while looking for a header and are replayed into TLS.
 */
// Generous: the first test of a JVM makes the certificates with keytool, slow on a busy machine.
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TlsServerNameCheckTests {

	private final TestCertificates certificates = TestCertificates.get();

	@Test
	void aClientHelloInMoreRecordsThanTheLimitIsRefusedByTheReaderBeforeAnyEngine() throws Exception {
		// A ClientHello of about 12 KB (long ALPN offers) in records of one byte each: the server's
		// reader, which walks it before an engine is chosen, holds it to the same 512-record limit as
		// the engine's channel, so the connection is refused there; the reader never falls back to the
		// default context for a ClientHello the engine could still follow (the check after the
		// handshake, ServerNameSelectionTests, is the second wall).
		try (ProxyTestServer server = new ProxyTestServer(ProxyProtocolMode.OFF,
				(builder) -> builder.transport(sniTransport()))) {
			SSLEngine engine = clientEngine("api.example.com");
			SSLParameters parameters = engine.getSSLParameters();
			String[] protocols = new String[48];
			for (int i = 0; i < protocols.length; i++) {
				protocols[i] = ("p" + i + "-").repeat(100).substring(0, 250);
			}
			parameters.setApplicationProtocols(protocols);
			engine.setSSLParameters(parameters);
			String outcome = handshakeInOneByteRecords(engine, server.server.port());
			assertThat(outcome).as("the server closed instead of serving").startsWith("closed");
			assertThat(server.awaitStopReason(1)).isEqualTo("handshake_failed");
			assertThat(server.telemetry.named(TelemetryEvent.CONNECTION_STOP).get(0).metadata().get("error"))
				.asString()
				.contains("more than 512 TLS records");
			assertThat(server.callbacks).doesNotContain("connection");
		}
	}

	@Test
	void sniPicksTheCertificateThroughProxyOptionalModeWithAndWithoutAHeader() throws Exception {
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.OPTIONAL,
				(builder) -> builder.transport(sniTransport()))) {
			try (SSLSocket client = TlsServerNameAgreementTests.connect(proxied.server,
					new SNIHostName("api.example.com"), this.certificates.clientContext())) {
				assertThat(TlsServerNameAgreementTests.echo(client, "replayed")).isEqualTo("replayed");
				assertThat(TlsServerNameAgreementTests.peerSubject(client)).isEqualTo("CN=api.example.com");
			}
			Socket socket = proxied.connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(socket.serverName()).contains("api.example.com");
			assertThat(socket.proxyHeader()).isEmpty();
			byte[] header = ProxyTestServer.ascii("PROXY TCP4 192.0.2.7 192.0.2.1 5000 443\r\n");
			assertThat(HandBuiltClientHello.sendAfter(header, proxied.server.port(),
					HandBuiltClientHello.serverName("shop.example.org")).certificate()).isEqualTo("CN=*.example.org");
		}
	}

	@Test
	void aRepeatedServerNameIsRefusedThroughProxyOptionalModeWithAndWithoutAHeader() throws Exception {
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.OPTIONAL,
				(builder) -> builder.transport(sniTransport()))) {
			byte[][] repeated = { HandBuiltClientHello.serverName("api.example.com"),
					HandBuiltClientHello.serverName("unknown.test") };
			assertThat(HandBuiltClientHello.send(proxied.server.port(), repeated))
				.isEqualTo(ServerFlight.refused(HandBuiltClientHello.ILLEGAL_PARAMETER));
			byte[] header = ProxyTestServer.ascii("PROXY TCP4 192.0.2.7 192.0.2.1 5000 443\r\n");
			assertThat(HandBuiltClientHello.sendAfter(header, proxied.server.port(), repeated))
				.isEqualTo(ServerFlight.refused(HandBuiltClientHello.ILLEGAL_PARAMETER));
			await().atMost(WAIT).until(() -> proxied.telemetry.count(TelemetryEvent.CONNECTION_STOP) >= 2);
			assertThat(proxied.telemetry.named(TelemetryEvent.CONNECTION_STOP))
				.extracting(TelemetryEvent::metadata)
				.allSatisfy((metadata) -> assertThat(metadata).containsEntry("handshake_reason", "sni_repeated"));
			assertThat(proxied.callbacks).doesNotContain("connection");
		}
	}

	private TlsTransport sniTransport() {
		return TlsTransport.builder(this.certificates.serverContext())
			.serverName("api.example.com", this.certificates.serverContextFor("api.example.com"))
			.serverName("*.example.org", this.certificates.serverContextFor("*.example.org"))
			.build();
	}

	private SSLEngine clientEngine(String serverName) throws Exception {
		SSLContext context = this.certificates.clientContext();
		SSLEngine engine = context.createSSLEngine();
		engine.setUseClientMode(true);
		SSLParameters parameters = engine.getSSLParameters();
		parameters.setProtocols(new String[] { "TLSv1.3" });
		parameters.setServerNames(List.of(new SNIHostName(serverName)));
		engine.setSSLParameters(parameters);
		return engine;
	}

	/**
	 * Sends the engine's ClientHello cut into records of one byte, then runs the rest of the
	 * handshake and one echo.
	 * @return {@code served by <subject>}, or {@code closed: <why>} when the server ended it first
	 */
	private static String handshakeInOneByteRecords(SSLEngine engine, int port) throws Exception {
		int packet = engine.getSession().getPacketBufferSize();
		try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
			ByteBuffer out = ByteBuffer.allocate(packet);
			engine.wrap(ByteBuffer.allocate(0), out);
			byte[] record = Arrays.copyOf(out.array(), out.position());
			ByteBuffer pieces = ByteBuffer.allocate(6 * record.length);
			for (int at = 5; at < record.length; at++) {
				pieces.put(record, 0, 3).putShort((short) 1).put(record[at]);
			}
			pieces.flip();
			while (pieces.hasRemaining()) {
				channel.write(pieces);
			}
			try {
				ByteBuffer in = ByteBuffer.allocate(packet);
				ByteBuffer app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
				FragmentingClient.runHandshake(engine, channel, in, app);
				out.clear();
				engine.wrap(ByteBuffer.wrap(new byte[] { 'x' }), out);
				channel.write(out.flip());
				while (app.position() == 0) {
					SSLEngineResult result = engine.unwrap(in.flip(), app);
					in.compact();
					if (engine.isInboundDone()) {
						return "closed: close_notify";
					}
					if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && channel.read(in) < 0) {
						return "closed: end of stream";
					}
				}
				return "served by " + engine.getSession().getPeerPrincipal().getName();
			}
			catch (IOException ex) {
				return "closed: " + ex;
			}
		}
	}

}
