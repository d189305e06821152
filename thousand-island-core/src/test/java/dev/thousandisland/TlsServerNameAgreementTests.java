package dev.thousandisland;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.HandBuiltClientHello.ServerFlight;
import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.ClientAuth;
import dev.thousandisland.transport.TlsTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.thousandisland.HandBuiltClientHello.DECODE_ERROR;
import static dev.thousandisland.HandBuiltClientHello.ILLEGAL_PARAMETER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The certificate and trust a connection gets and the name its handler sees in
 * {@link Socket#serverName()} are one decision (issue 24, item 1). Each case runs under three
 * setups: names mapped with unknown names getting the default context ({@code DEFAULT}); the same
 * refusing unknown names ({@code STRICT}); and {@code clientAuth(NEED)} where
 * {@code api.example.com}'s context trusts only a tenant's own CA while the others trust the usual
 * one ({@code NEED}). Inputs the JDK's client cannot make go out as {@link HandBuiltClientHello
 * hand-built} TLS 1.2 ClientHellos; the rest through real {@link SSLSocket}s carrying raw name bytes.
 */
// Generous: the first test of a JVM makes the certificates with keytool, slow on a busy machine.
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TlsServerNameAgreementTests {

	private static final String FULLWIDTH_API = "\uFF41pi.example.com";

	private static final String KELVIN_KIOSK = "\u212Aiosk.example.org";

	private final TestCertificates certificates = TestCertificates.get();

	private final List<Server> servers = new ArrayList<>();

	private final Recorder handler = new Recorder();

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	enum Setup {

		DEFAULT, STRICT, NEED

	}

	@AfterEach
	void stopServers() {
		this.servers.forEach((server) -> server.stop(Duration.ofSeconds(2)));
	}

	static Stream<Arguments> refusedClientHellos() {
		List<Arguments> cases = new ArrayList<>();
		Map<String, Object[]> inputs = Map.of(
				"two server_name extensions",
				new Object[] { List.of(sni("api.example.com"), sni("unknown.test")), ILLEGAL_PARAMETER, "sni_repeated" },
				"two host names in one extension",
				new Object[] { List.of(sni("api.example.com", "unknown.test")), ILLEGAL_PARAMETER, "sni_several_names" },
				"a host name and a name of another type",
				new Object[] { List.of(HandBuiltClientHello.extension(0,
						new byte[] { 0, 22, 0, 0, 15, 'a', 'p', 'i', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o',
								'm', 9, 0, 1, 'x' })), ILLEGAL_PARAMETER, "sni_several_names" },
				"UTF-8 fullwidth a", new Object[] { List.of(sni(utf8(FULLWIDTH_API))), ILLEGAL_PARAMETER,
						"sni_invalid_host_name" },
				"UTF-8 Kelvin sign", new Object[] { List.of(sni(utf8(KELVIN_KIOSK))), ILLEGAL_PARAMETER,
						"sni_invalid_host_name" },
				"a trailing dot", new Object[] { List.of(sni("api.example.com.")), ILLEGAL_PARAMETER,
						"sni_invalid_host_name" },
				"an embedded NUL", new Object[] { List.of(sni("api.example.com\0.evil.test")), ILLEGAL_PARAMETER,
						"sni_invalid_host_name" },
				"a 64-byte label", new Object[] { List.of(sni("a".repeat(64) + ".example.org")), ILLEGAL_PARAMETER,
						"sni_invalid_host_name" },
				"an empty name", new Object[] { List.of(sni("")), DECODE_ERROR, "sni_malformed" },
				"an empty name list", new Object[] { List.of(HandBuiltClientHello.extension(0, new byte[] { 0, 0 })),
						DECODE_ERROR, "sni_malformed" });
		for (Setup setup : Setup.values()) {
			inputs.forEach((name, input) -> cases.add(Arguments.of(setup, name, input[0], input[1], input[2])));
		}
		return cases.stream();
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("refusedClientHellos")
	void aClientHelloWithAnUnacceptableServerNameIsRefusedWithAnAlertAndAReason(Setup setup, String description,
			List<byte[]> extensions, int alert, String reason) throws Exception {
		Server server = start(setup);
		ServerFlight flight = HandBuiltClientHello.send(server.port(), extensions.toArray(byte[][]::new));
		assertThat(flight).as(description).isEqualTo(ServerFlight.refused(alert));
		assertThat(awaitStop()).containsEntry("reason", "handshake_failed").containsEntry("handshake_reason", reason);
		assertThat(this.handler.serverNames).isEmpty();
	}

	@ParameterizedTest
	@EnumSource(Setup.class)
	void anUpperCaseNameInAHandBuiltClientHelloGetsItsOwnCertificateAndTrust(Setup setup) throws Exception {
		Server server = start(setup);
		ServerFlight flight = HandBuiltClientHello.send(server.port(), sni("API.Example.COM"));
		assertThat(flight.certificate()).isEqualTo("CN=api.example.com");
		assertThat(flight.acceptedIssuers()).isEqualTo((setup == Setup.NEED) ? List.of("CN=Tenant CA") : List.of());
	}

	@ParameterizedTest
	@EnumSource(Setup.class)
	void aJdkClientSendingRawUtf8NamesIsRefused(Setup setup) throws Exception {
		Server server = start(setup);
		for (String name : List.of(FULLWIDTH_API, KELVIN_KIOSK)) {
			String outcome;
			try (SSLSocket socket = connect(server, new SNIHostName(utf8(name)), clientContext(setup))) {
				echo(socket, "served");
				outcome = "served with " + peerSubject(socket) + ", handler saw "
						+ this.handler.serverNames.poll(10, TimeUnit.SECONDS) + " and client certificate "
						+ this.handler.clientSubjects.poll(1, TimeUnit.SECONDS);
			}
			catch (SSLException ex) {
				outcome = "refused: " + (ex.getMessage().contains("illegal_parameter") ? "illegal_parameter" : ex.getMessage());
			}
			assertThat(outcome).as(name).isEqualTo("refused: illegal_parameter");
		}
		assertThat(this.handler.serverNames).isEmpty();
	}

	@ParameterizedTest
	@EnumSource(Setup.class)
	void anUpperCaseNameIsMatchedAndReportedInLowerCase(Setup setup) throws Exception {
		Server server = start(setup);
		SSLContext client = (setup == Setup.NEED) ? this.certificates.tenantClientContext()
				: this.certificates.clientContext();
		try (SSLSocket socket = connect(server, new SNIHostName("API.Example.COM"), client)) {
			assertThat(echo(socket, "upper")).isEqualTo("upper");
			assertThat(peerSubject(socket)).isEqualTo("CN=api.example.com");
		}
		assertThat(this.handler.serverNames.poll(10, TimeUnit.SECONDS)).isEqualTo("api.example.com");
	}

	@org.junit.jupiter.api.Test
	void aClientCertificateIsCheckedByTheTrustOfTheNameTheHandlerSees() throws Exception {
		Server server = start(Setup.NEED);
		try (SSLSocket socket = connect(server, new SNIHostName("api.example.com"),
				this.certificates.tenantClientContext())) {
			assertThat(echo(socket, "tenant")).isEqualTo("tenant");
		}
		assertThat(this.handler.serverNames.poll(10, TimeUnit.SECONDS)).isEqualTo("api.example.com");
		assertThat(this.handler.clientSubjects.poll(10, TimeUnit.SECONDS)).isEqualTo("CN=Tenant Client");
		// Under TLS 1.3 the client may finish before the server refuses its certificate: an alert or a broken pipe.
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> {
			try (SSLSocket socket = connect(server, new SNIHostName("api.example.com"),
					this.certificates.clientContextWithCertificate())) {
				echo(socket, "refused");
			}
		});
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> {
			try (SSLSocket socket = connect(server, new SNIHostName("x.example.org"),
					this.certificates.tenantClientContext())) {
				echo(socket, "refused");
			}
		});
		assertThat(this.handler.serverNames).isEmpty();
	}

	/**
	 * The reported cross-tenant attack, taken through a whole handshake by a hand-built TLS 1.2
	 * client: two server_name extensions, api's first, and a client certificate only api's context
	 * trusts. Before the fix the handshake was accepted and the handler saw the second name.
	 */
	@org.junit.jupiter.api.Test
	void twoServerNameExtensionsCannotBorrowAnotherNamesTrustForAClientCertificate() throws Exception {
		Server server = start(Setup.NEED);
		assertThat(HandBuiltTls12Client.handshake(server.port(), "tenant-client.p12", "tenant-client",
				sni("api.example.com"))).as("the hand-built client completes an ordinary handshake").isEqualTo("accepted");
		assertThat(this.handler.serverNames.poll(10, TimeUnit.SECONDS)).isEqualTo("api.example.com");
		assertThat(this.handler.clientSubjects.poll(10, TimeUnit.SECONDS)).isEqualTo("CN=Tenant Client");
		String outcome = HandBuiltTls12Client.handshake(server.port(), "tenant-client.p12", "tenant-client",
				sni("api.example.com"), sni("x.example.org"));
		String seen = outcome.equals("accepted") ? this.handler.serverNames.poll(10, TimeUnit.SECONDS) + " with "
				+ this.handler.clientSubjects.poll(10, TimeUnit.SECONDS) : "nothing";
		assertThat(outcome + ", handler saw " + seen).isEqualTo("alert " + ILLEGAL_PARAMETER + ", handler saw nothing");
	}

	@ParameterizedTest
	@org.junit.jupiter.params.provider.ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void aResumedSessionPassesTheCheckAfterTheHandshake(String protocol) throws Exception {
		Server server = start(Setup.DEFAULT);
		SSLContext client = this.certificates.clientContext();
		byte[] firstId = null;
		for (int round = 0; round < 3; round++) {
			try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket()) {
				socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
				socket.setSoTimeout(10_000);
				SSLParameters parameters = socket.getSSLParameters();
				parameters.setServerNames(List.of(new SNIHostName("api.example.com")));
				parameters.setProtocols(new String[] { protocol });
				socket.setSSLParameters(parameters);
				assertThat(echo(socket, "again")).isEqualTo("again");
				assertThat(peerSubject(socket)).isEqualTo("CN=api.example.com");
				if (firstId == null) {
					firstId = socket.getSession().getId();
				}
				else if (protocol.equals("TLSv1.2")) {
					assertThat(socket.getSession().getId()).as("resumed").isEqualTo(firstId);
				}
			}
			assertThat(this.handler.serverNames.poll(10, TimeUnit.SECONDS)).isEqualTo("api.example.com");
		}
	}

	private static byte[] sni(String... names) {
		return HandBuiltClientHello.serverName(names);
	}

	private static byte[] sni(byte[] name) {
		return HandBuiltClientHello.serverName(name);
	}

	private static byte[] utf8(String name) {
		return name.getBytes(StandardCharsets.UTF_8);
	}

	/** A client context that presents the usual CA's client certificate under {@code NEED}. */
	private SSLContext clientContext(Setup setup) {
		return (setup == Setup.NEED) ? this.certificates.clientContextWithCertificate()
				: this.certificates.clientContext();
	}

	private Server start(Setup setup) throws IOException {
		boolean need = setup == Setup.NEED;
		TlsTransport transport = TlsTransport.builder(this.certificates.serverContext())
			.serverName("api.example.com",
					need ? this.certificates.serverContextTrustingTenantFor("api.example.com")
							: this.certificates.serverContextFor("api.example.com"))
			.serverName("*.example.org", this.certificates.serverContextFor("*.example.org"))
			.rejectUnknownServerNames(setup == Setup.STRICT)
			.clientAuth(need ? ClientAuth.NEED : ClientAuth.NONE)
			.build();
		Server server = ServerConfig.builder(this.handler)
			.name("sni-agreement")
			.transport(transport)
			.telemetryListener(this.telemetry)
			.bindAddress(InetAddress.getLoopbackAddress())
			.port(0)
			.start();
		this.servers.add(server);
		return server;
	}

	private Map<String, Object> awaitStop() {
		await().atMost(Duration.ofSeconds(20)).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP) >= 1);
		return this.telemetry.named(TelemetryEvent.CONNECTION_STOP).get(0).metadata();
	}

	static SSLSocket connect(Server server, SNIHostName serverName, SSLContext context) throws IOException {
		SSLSocket client = (SSLSocket) context.getSocketFactory().createSocket();
		client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
		client.setSoTimeout(10_000);
		SSLParameters parameters = client.getSSLParameters();
		parameters.setServerNames(List.of(serverName));
		client.setSSLParameters(parameters);
		client.startHandshake();
		return client;
	}

	static String echo(SSLSocket client, String message) throws IOException {
		byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
		OutputStream out = client.getOutputStream();
		out.write(bytes);
		out.flush();
		return new String(client.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
	}

	static String peerSubject(SSLSocket client) throws IOException {
		return ((X509Certificate) client.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
	}

	/** Echoes, and records the name and client certificate each connection's handler saw. */
	static final class Recorder implements Handler<Void> {

		final BlockingQueue<String> serverNames = new LinkedBlockingQueue<>();

		final BlockingQueue<String> clientSubjects = new LinkedBlockingQueue<>();

		@Override
		public Result<Void> handleConnection(Socket socket, Void state) {
			this.serverNames.add(socket.serverName().orElse("(none)"));
			socket.peerCertificates()
				.stream()
				.findFirst()
				.ifPresent((certificate) -> this.clientSubjects
					.add(((X509Certificate) certificate).getSubjectX500Principal().getName()));
			return Result.continueWith(state);
		}

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

}
