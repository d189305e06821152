package dev.thousandisland;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxyProtocolMode;
import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.thousandisland.ProxyTestServer.WAIT;
import static dev.thousandisland.ProxyTestServer.ascii;
import static dev.thousandisland.ProxyTestServer.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Servers with the PROXY protocol on, over real loopback sockets: the handler sees the client's
 * address from a trusted proxy's header, and every refused header closes the connection before
 * any callback, with a {@code proxy_*} stop reason.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyProtocolTests {

	@Test
	void versionOneFromATrustedPeerGivesTheHandlerTheClientsAddress() throws Exception {
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.REQUIRED, (builder) -> builder);
				TestClient client = proxied.connect()) {
			client.send("PROXY TCP4 203.0.113.7 192.0.2.1 51000 443\r\nhello");
			assertThat(client.read(5)).isEqualTo("hello");
			Socket socket = proxied.connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(socket.remoteAddress()).isEqualTo(new InetSocketAddress("203.0.113.7", 51000));
			assertThat(socket.peerAddress()).isEqualTo(client.socket().getLocalSocketAddress());
			assertThat(socket.connection().remoteAddress()).isEqualTo(socket.remoteAddress());
			ProxyHeader header = socket.proxyHeader().orElseThrow();
			assertThat(header.version()).isEqualTo(ProxyHeader.Version.V1);
			assertThat(header.destination()).isEqualTo(new InetSocketAddress("192.0.2.1", 443));
			assertThat(proxied.start(0).metadata()).containsEntry("remote_address", InetAddress.getByName("203.0.113.7"))
				.containsEntry("remote_port", 51000);
		}
	}

	@Test
	void versionTwoOverIpv6FromATrustedPeerGivesTheHandlerTheClientsAddress() throws Exception {
		InetAddress source = InetAddress.getByName("2001:db8::7");
		InetAddress destination = InetAddress.getByName("2001:db8::1");
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.REQUIRED, (builder) -> builder);
				TestClient client = proxied.connect()) {
			client.send(concat(ProxyTestServer.v2Proxy(source, 40000, destination, 8443), ascii("hello")));
			assertThat(client.read(5)).isEqualTo("hello");
			Socket socket = proxied.connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(socket.remoteAddress()).isEqualTo(new InetSocketAddress(source, 40000));
			assertThat(socket.proxyHeader().orElseThrow().version()).isEqualTo(ProxyHeader.Version.V2);
			assertThat(proxied.start(0).metadata()).containsEntry("remote_address", source);
		}
	}

	@Test
	void aLocalHeaderKeepsTheProxysAddress() throws Exception {
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.REQUIRED, (builder) -> builder);
				TestClient client = proxied.connect()) {
			client.send(concat(ProxyTestServer.v2Local(), ascii("ping")));
			assertThat(client.read(4)).isEqualTo("ping");
			Socket socket = proxied.connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(socket.remoteAddress()).isEqualTo(client.socket().getLocalSocketAddress());
			assertThat(socket.proxyHeader().orElseThrow().command()).isEqualTo(ProxyHeader.Command.LOCAL);
		}
	}

	@Test
	void aHeaderFromAnUntrustedPeerClosesTheConnectionBeforeAnyCallback() throws Exception {
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.REQUIRED,
				(builder) -> builder.proxyTrustedSources(List.of("10.0.0.0/8", "fd00::/8")));
				TestClient client = proxied.connect()) {
			client.send("PROXY TCP4 203.0.113.7 192.0.2.1 51000 443\r\nhello");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
			assertThat(proxied.awaitStopReason(1)).isEqualTo("proxy_untrusted");
			assertThat(proxied.callbacks).isEmpty();
		}
	}

	@Test
	void aRefusalIsLoggedAtDebugWithThePeerAndTheReason() throws Exception {
		Logger logger = Logger.getLogger("dev.thousandisland.internal.connection.PeerErrors");
		List<LogRecord> records = new CopyOnWriteArrayList<>();
		java.util.logging.Handler capture = new java.util.logging.Handler() {

			@Override
			public void publish(LogRecord record) {
				records.add(record);
			}

			@Override
			public void flush() {
			}

			@Override
			public void close() {
			}

		};
		Level previous = logger.getLevel();
		logger.setLevel(Level.FINE);
		logger.addHandler(capture);
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.REQUIRED,
				(builder) -> builder.proxyTrustedSources(List.of("10.0.0.0/8")));
				TestClient client = proxied.connect()) {
			assertThat(client.isClosedByServer(WAIT)).isTrue();
			proxied.awaitStopReason(1);
			assertThat(records).anySatisfy((record) -> {
				assertThat(record.getLevel()).isEqualTo(Level.FINE);
				assertThat(record.getMessage()).contains("ended by the client's error (proxy_untrusted)", "(untrusted)",
						"from 127.0.0.1:" + client.socket().getLocalPort() + " ");
				assertThat(record.getThrown()).isNull();
			});
		}
		finally {
			logger.removeHandler(capture);
			logger.setLevel(previous);
		}
	}

	@Test
	void anUntrustedPeerThatSendsAHeaderInOptionalModeIsClosedToo() throws Exception {
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.OPTIONAL,
				(builder) -> builder.proxyTrustedSources(List.of("192.0.2.0/24")));
				TestClient client = proxied.connect()) {
			client.send(concat(ProxyTestServer.v2Local(), ascii("hello")));
			assertThat(client.isClosedByServer(WAIT)).isTrue();
			assertThat(proxied.awaitStopReason(1)).isEqualTo("proxy_untrusted");
			assertThat(proxied.callbacks).isEmpty();
		}
	}

	@Test
	void aMissingHeaderInRequiredModeClosesTheConnectionBeforeAnyCallback() throws Exception {
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.REQUIRED, (builder) -> builder);
				TestClient client = proxied.connect()) {
			client.send("GET / HTTP/1.1\r\n\r\n");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
			assertThat(proxied.awaitStopReason(1)).isEqualTo("proxy_bad_signature");
			assertThat(proxied.callbacks).isEmpty();
		}
	}

	@Test
	void halfAHeaderIsDroppedAtTheHeaderDeadline() throws Exception {
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.REQUIRED,
				(builder) -> builder.proxyHeaderTimeout(Duration.ofMillis(300)));
				TestClient client = proxied.connect()) {
			client.send("PROXY TCP4 203.0.");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
			assertThat(proxied.awaitStopReason(1)).isEqualTo("proxy_timeout");
			assertThat(proxied.callbacks).isEmpty();
		}
	}

	@Test
	void theHeaderDeadlineIsTheReadTimeoutUnlessSet() throws Exception {
		ServerConfig config = ServerConfig.builder(new Handler<Void>() {
		}).readTimeout(Duration.ofSeconds(7)).build();
		assertThat(config.proxyHeaderTimeout()).isEqualTo(Duration.ofSeconds(7));
		assertThat(config.toBuilder().proxyHeaderTimeout(Duration.ofSeconds(2)).build().proxyHeaderTimeout())
			.isEqualTo(Duration.ofSeconds(2));
		assertThat(config.proxyTrustedSources().sources()).containsExactly("127.0.0.0/8", "::1");
		assertThat(config.proxyProtocol()).isEqualTo(ProxyProtocolMode.OFF);
	}

	@Test
	void aTrustedSourceThatIsNotAnAddressFailsTheBuild() {
		ServerConfig.Builder builder = ServerConfig.builder(new Handler<Void>() {
		}).proxyTrustedSources(List.of("10.0.0.0/8", "proxy.example.com"));
		assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(builder::build)
			.satisfies((ex) -> assertThat(ex.option()).isEqualTo("proxyTrustedSources"))
			.withMessageContaining("proxy.example.com");
	}

	static List<Object[]> malformedHeaders() {
		byte[] signature = ProxyTestServer.V2_SIGNATURE;
		return List.of(new Object[] { "v2 version 3", concat(signature, new byte[] { 0x31, 0x11, 0, 12 }), "proxy_bad_version" },
				new Object[] { "v2 command 2", concat(signature, new byte[] { 0x22, 0x11, 0, 12 }), "proxy_bad_command" },
				new Object[] { "v2 family 5", concat(signature, new byte[] { 0x21, 0x51, 0, 12 }), "proxy_bad_family" },
				new Object[] { "v2 length 65535", concat(signature, new byte[] { 0x21, 0x11, (byte) 0xFF, (byte) 0xFF }),
						"proxy_length_exceeds" },
				new Object[] { "v2 IPv4 block of 4 bytes", concat(signature, new byte[] { 0x21, 0x11, 0, 4, 1, 2, 3, 4 }),
						"proxy_address_mismatch" },
				new Object[] { "v2 TLV past the end",
						concat(signature, new byte[] { 0x21, 0x11, 0, 15, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2, 0x20, 0, 9 }),
						"proxy_tlv_overflow" },
				new Object[] { "v1 without CRLF", ascii("PROXY TCP4 " + "1".repeat(120)), "proxy_v1_too_long" },
				new Object[] { "v1 IPv6 address as TCP4", ascii("PROXY TCP4 ::1 ::1 1 2\r\n"), "proxy_address_mismatch" },
				new Object[] { "v1 port out of range", ascii("PROXY TCP4 1.2.3.4 5.6.7.8 70000 2\r\n"), "proxy_v1_bad_field" });
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedHeaders")
	void aMalformedHeaderClosesOnlyItsConnectionBeforeAnyCallback(String name, byte[] header, String reason)
			throws Exception {
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.OPTIONAL, (builder) -> builder);
				TestClient bystander = proxied.connect()) {
			bystander.send("PROXY TCP4 203.0.113.9 192.0.2.1 1 2\r\nbefore");
			assertThat(bystander.read(6)).isEqualTo("before");
			try (TestClient client = proxied.connect()) {
				client.send(header);
				assertThat(client.isClosedByServer(WAIT)).isTrue();
			}
			assertThat(proxied.awaitStopReason(1)).isEqualTo(reason);
			assertThat(proxied.telemetry.named(TelemetryEvent.CONNECTION_STOP).get(0).metadata()).containsKey("error");
			assertThat(proxied.callbacks).containsExactly("connection", "data");
			bystander.send("after");
			assertThat(bystander.read(5)).isEqualTo("after");
			try (TestClient next = proxied.connect()) {
				next.send("PROXY TCP4 203.0.113.10 192.0.2.1 1 2\r\nnext");
				assertThat(next.read(4)).isEqualTo("next");
			}
			assertThat(proxied.telemetry.count(TelemetryEvent.ACCEPTOR_SPAWN_ERROR)).isZero();
		}
	}

	@Test
	void everyOneByteCorruptionOfAHeaderIsServedOrClosedCleanlyBeforeAnyCallback() throws Exception {
		byte[] valid = ProxyTestServer.v2Proxy(InetAddress.getByName("203.0.113.7"), 51000,
				InetAddress.getByName("192.0.2.1"), 443);
		Random random = new Random(16);
		int served = 0;
		try (ProxyTestServer proxied = new ProxyTestServer(ProxyProtocolMode.REQUIRED,
				(builder) -> builder.proxyHeaderTimeout(Duration.ofMillis(500)))) {
			for (int i = 0; i < 60; i++) {
				byte[] header = valid.clone();
				header[i % header.length] = (byte) random.nextInt(256);
				try (TestClient client = proxied.connect()) {
					client.send(concat(header, ascii("x")));
					client.shutdownOutput();
					String answer;
					try {
						answer = client.readToEnd();
					}
					catch (SocketException ex) {
						// Closed with the client's "x" unread: the kernel resets instead of a FIN.
						answer = "";
					}
					assertThat(answer).isIn("x", "");
					served += answer.length();
				}
				proxied.awaitStopReason(i + 1);
			}
			List<String> reasons = proxied.telemetry.named(TelemetryEvent.CONNECTION_STOP)
				.stream()
				.map((event) -> (String) event.metadata().get("reason"))
				.toList();
			assertThat(reasons).filteredOn((reason) -> reason.startsWith("proxy_")).hasSize(60 - served);
			assertThat(proxied.callbacks.stream().filter("connection"::equals)).hasSize(served);
			assertThat(served).as("corruptions of the addresses leave a valid header").isBetween(1, 59);
			try (TestClient next = proxied.connect()) {
				next.send(concat(valid, ascii("still serving")));
				assertThat(next.read(13)).isEqualTo("still serving");
			}
		}
	}

}
