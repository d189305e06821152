package dev.thousandisland;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.transport.TlsTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Several certificates on one listener, chosen by the host name the client asks for (SNI), over
 * real loopback sockets with the JDK's {@link SSLSocket} as the client (the equivalent of
 * {@code openssl s_client -servername}), and with {@code openssl s_client} itself where it is
 * installed. Certificates are made at test time; each has its host name as its subject's CN,
 * which is how a test tells which certificate the server presented.
 */
class TlsServerNameTests {

	private static final int CLIENT_TIMEOUT_MILLIS = 10_000;

	private final TestCertificates certificates = TestCertificates.get();

	private final List<Server> servers = new ArrayList<>();

	private final EchoRecorder handler = new EchoRecorder();

	@TempDir
	Path directory;

	@AfterEach
	void stopServers() {
		this.servers.forEach((server) -> server.stop(Duration.ofSeconds(2)));
	}

	@Test
	void servesEachMappedHostNameWithItsOwnCertificate() throws Exception {
		Server server = start(sniTransport().build());
		assertThat(exchange(server, "api.example.com")).isEqualTo("CN=api.example.com");
		assertThat(this.handler.serverNames.poll(10, TimeUnit.SECONDS)).isEqualTo("api.example.com");
		assertThat(exchange(server, "mail.example.com")).isEqualTo("CN=mail.example.com");
		assertThat(this.handler.serverNames.poll(10, TimeUnit.SECONDS)).isEqualTo("mail.example.com");
		assertThat(exchange(server, "API.Example.COM")).as("case does not matter").isEqualTo("CN=api.example.com");
	}

	@Test
	void aWildcardMatchesExactlyOneLabel() throws Exception {
		Server server = start(sniTransport().build());
		assertThat(exchange(server, "shop.example.org")).isEqualTo("CN=*.example.org");
		assertThat(exchange(server, "blog.example.org")).isEqualTo("CN=*.example.org");
		assertThat(exchange(server, "example.org")).isEqualTo(defaultSubject());
		assertThat(exchange(server, "a.b.example.org")).isEqualTo(defaultSubject());
	}

	@Test
	void anExactNameWinsOverAWildcard() throws Exception {
		Server server = start(sniTransport().serverName("www.example.org", context("api.example.com")).build());
		assertThat(exchange(server, "www.example.org")).isEqualTo("CN=api.example.com");
		assertThat(exchange(server, "ftp.example.org")).isEqualTo("CN=*.example.org");
	}

	@Test
	void anUnknownNameGetsTheDefaultCertificateAndIsStillReported() throws Exception {
		Server server = start(sniTransport().build());
		assertThat(exchange(server, "unknown.example.net")).isEqualTo(defaultSubject());
		assertThat(this.handler.serverNames.poll(10, TimeUnit.SECONDS)).isEqualTo("unknown.example.net");
	}

	@Test
	void aClientSendingNoServerNameGetsTheDefaultCertificate() throws Exception {
		Server server = start(sniTransport().build());
		assertThat(exchange(server, null)).isEqualTo(defaultSubject());
		assertThat(this.handler.serverNames.poll(10, TimeUnit.SECONDS)).isEqualTo("(none)");
	}

	@Test
	void rejectingUnknownNamesRefusesThemWithAnUnrecognizedNameAlert() throws Exception {
		Server server = start(sniTransport().rejectUnknownServerNames(true).build());
		assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(() -> exchange(server, "unknown.example.net"))
			.withMessageContaining("unrecognized_name");
		assertThat(exchange(server, "api.example.com")).isEqualTo("CN=api.example.com");
		assertThat(exchange(server, null)).as("no name at all still gets the default").isEqualTo(defaultSubject());
		assertThat(this.handler.serverNames).hasSize(2).doesNotContain("unknown.example.net");
	}

	@Test
	void replacingANamesContextReachesNewConnectionsAndSparesLiveOnes() throws Exception {
		TlsTransport transport = sniTransport().build();
		Server server = start(transport);
		try (SSLSocket live = connect(server, "api.example.com")) {
			assertThat(echo(live, "before")).isEqualTo("before");
			assertThat(peerSubject(live)).isEqualTo("CN=api.example.com");
			transport.serverName("api.example.com", context("renewed.example.com"));
			assertThat(exchange(server, "api.example.com")).isEqualTo("CN=renewed.example.com");
			transport.serverNames(Map.of("*.example.net", context("mail.example.com")));
			assertThat(exchange(server, "api.example.com")).isEqualTo(defaultSubject());
			assertThat(exchange(server, "x.example.net")).isEqualTo("CN=mail.example.com");
			assertThat(echo(live, "after")).isEqualTo("after");
			assertThat(peerSubject(live)).isEqualTo("CN=api.example.com");
		}
		assertThat(transport.serverNames()).containsOnlyKeys("*.example.net");
	}

	@Test
	void aClientSpeakingGarbageIsClosedWithoutReachingTheHandler() throws Exception {
		Server server = start(sniTransport().build());
		try (java.net.Socket client = new java.net.Socket()) {
			client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), CLIENT_TIMEOUT_MILLIS);
			client.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
			client.getOutputStream().write("GET / HTTP/1.1\r\nHost: api.example.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			InputStream in = client.getInputStream();
			byte[] reply = in.readNBytes(4096);
			assertThat(reply.length).as("at most one alert record, then the close").isLessThan(64);
		}
		assertThat(this.handler.errors.poll(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
		assertThat(this.handler.serverNames).isEmpty();
	}

	@Test
	void findsTheNameInAClientHelloCutIntoTinyRecordsAndSentInPieces() throws Exception {
		Server server = start(sniTransport().build());
		String subject = assertTimeoutPreemptively(Duration.ofSeconds(30),
				() -> FragmentingClient.handshake(this.certificates.clientContext(), server.port(), "api.example.com"));
		assertThat(subject).isEqualTo("CN=api.example.com");
		assertThat(this.handler.serverNames.poll(10, TimeUnit.SECONDS)).isEqualTo("api.example.com");
	}

	@Test
	void opensslSClientGetsTheCertificateOfTheNameItAsksFor() throws Exception {
		assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
		Server server = start(sniTransport().build());
		int port = server.port();
		assertThat(opensslSubject(port, "api.example.com")).containsAnyOf("CN=api.example.com", "CN = api.example.com");
		assertThat(opensslSubject(port, "shop.example.org")).containsAnyOf("CN=*.example.org", "CN = *.example.org");
		assertThat(opensslSubject(port, "unknown.example.net")).containsAnyOf("CN=localhost", "CN = localhost");
	}

	@Test
	void refusesNamesThatAreNotHostNamesAndNamesMappedTwice() {
		SSLContext context = this.certificates.serverContext();
		for (String name : List.of("", "*.com", "a*.example.com", "*.*.example.com", "bad name.example.com",
				"example.com.")) {
			assertThatExceptionOfType(InvalidOptionException.class)
				.isThrownBy(() -> TlsTransport.builder(context).serverName(name, context))
				.as(name)
				.satisfies((ex) -> assertThat(ex.option()).isEqualTo("serverNames"));
		}
		assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(() -> TlsTransport.builder(context)
			.serverName("api.example.com", context)
			.serverName("API.example.com", context)).withMessageContaining("serverNames");
		TlsTransport transport = TlsTransport.builder(context).serverName("Bücher.example", context).build();
		assertThat(transport.serverNames()).containsOnlyKeys("xn--bcher-kva.example");
	}

	private TlsTransport.Builder sniTransport() {
		return TlsTransport.builder(this.certificates.serverContext())
			.serverName("api.example.com", context("api.example.com"))
			.serverName("mail.example.com", context("mail.example.com"))
			.serverName("*.example.org", context("*.example.org"));
	}

	private SSLContext context(String hostName) {
		return this.certificates.serverContextFor(hostName);
	}

	private static String defaultSubject() {
		return "CN=localhost";
	}

	private Server start(TlsTransport transport) throws IOException {
		Server server = ServerConfig.builder(this.handler)
			.name("sni-tests")
			.transport(transport)
			.bindAddress(InetAddress.getLoopbackAddress())
			.port(0)
			.start();
		this.servers.add(server);
		return server;
	}

	/** Connects, asking for {@code serverName} (none when null), echoes once, returns the certificate's subject. */
	private String exchange(Server server, String serverName) throws IOException {
		try (SSLSocket client = connect(server, serverName)) {
			assertThat(echo(client, "hello " + serverName)).isEqualTo("hello " + serverName);
			return peerSubject(client);
		}
	}

	private SSLSocket connect(Server server, String serverName) throws IOException {
		InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
		SSLSocket client = (SSLSocket) this.certificates.clientContext().getSocketFactory().createSocket();
		client.connect(address, CLIENT_TIMEOUT_MILLIS);
		client.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
		SSLParameters parameters = client.getSSLParameters();
		parameters.setServerNames((serverName != null) ? List.of(new SNIHostName(serverName)) : List.of());
		client.setSSLParameters(parameters);
		client.startHandshake();
		return client;
	}

	private static String echo(SSLSocket client, String message) throws IOException {
		byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
		OutputStream out = client.getOutputStream();
		out.write(bytes);
		out.flush();
		return new String(client.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
	}

	private static String peerSubject(SSLSocket client) throws IOException {
		return ((X509Certificate) client.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
	}

	/** Runs {@code openssl s_client -servername} for at most 20 s and returns what it printed. */
	private String opensslSubject(int port, String serverName) throws Exception {
		Path output = this.directory.resolve("s_client-" + serverName + ".txt");
		Process process = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername",
				serverName, "-brief")
			.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		process.getOutputStream().close();
		if (!process.waitFor(20, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError("openssl s_client did not finish in 20 s");
		}
		return Files.readString(output);
	}

	/** Echoes, and records the host name each connection asked for. */
	private static final class EchoRecorder implements Handler<Void> {

		final BlockingQueue<String> serverNames = new LinkedBlockingQueue<>();

		final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();

		@Override
		public Result<Void> handleConnection(Socket socket, Void state) {
			this.serverNames.add(socket.serverName().orElse("(none)"));
			return Result.continueWith(state);
		}

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

		@Override
		public void handleError(Throwable error, Socket socket, Void state) {
			this.errors.add(error);
		}

	}

}
