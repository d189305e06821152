package dev.thousandisland.internal.proxy;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxySsl;
import dev.thousandisland.proxy.ProxyTlv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Interoperability with the reference implementation: a real {@code haproxy} process, started here
 * with a generated configuration on free loopback ports, relays test clients to a listener of the
 * test's own with {@code send-proxy} (version 1) and {@code send-proxy-v2} (with unique id, CRC32C,
 * and for a TLS frontend the SSL, certificate and authority TLVs), and sends its health checks
 * with a {@code LOCAL} header; the reader must parse what HAProxy wrote and leave the client's
 * bytes after it.
 *
 * <p>Without {@code haproxy} installed the tests are skipped locally but fail in CI ({@code CI} set,
 * as {@code .ci/run} does, and installs Debian's {@code haproxy} when it is missing).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HaproxyInteropTests {

	private static final String SNI = "app.example";

	@TempDir
	static Path directory;

	private static Process haproxy;

	private static ServerSocketChannel backend;

	private static ServerSocketChannel checked;

	private static Map<String, Integer> frontends;

	private static SSLContext clientTls;

	private final ProxyHeaderReader reader = new ProxyHeaderReader();

	@BeforeAll
	static void startHaproxy() throws Exception {
		Path executable = haproxyExecutable();
		if (executable == null) {
			if (System.getenv("CI") != null) {
				fail("haproxy is not installed; CI must install it (.ci/run does) so that this test runs");
			}
			assumeTrue(false, "haproxy is not installed (apt-get install haproxy); skipped outside CI");
		}
		Path pem = proxyCertificate();
		backend = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		backend.socket().setSoTimeout(10_000);
		checked = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		checked.socket().setSoTimeout(10_000);
		frontends = Map.of("v1", freePort(), "v2", freePort(), "tls", freePort());
		Path config = directory.resolve("haproxy.cfg");
		Files.writeString(config,
				configuration(pem, backend.socket().getLocalPort(), checked.socket().getLocalPort()));
		run(List.of(executable.toString(), "-c", "-f", config.toString()));
		haproxy = new ProcessBuilder(executable.toString(), "-db", "-f", config.toString()).redirectErrorStream(true)
			.redirectOutput(directory.resolve("haproxy.log").toFile())
			.start();
		for (int port : frontends.values()) {
			awaitListening(port);
		}
	}

	@AfterAll
	static void stopHaproxy() throws Exception {
		if (haproxy != null) {
			haproxy.destroy();
			if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
				haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		if (backend != null) {
			backend.close();
		}
		if (checked != null) {
			checked.close();
		}
	}

	@Test
	void readsTheVersion1LineHaproxySends() throws Exception {
		try (Socket client = new Socket(InetAddress.getLoopbackAddress(), frontends.get("v1"))) {
			send(client, "hello over v1");
			Relayed relayed = acceptRelayedFrom(client, "hello over v1".length());

			assertThat(relayed.header.version()).isEqualTo(ProxyHeader.Version.V1);
			assertThat(relayed.header.family()).isEqualTo(ProxyHeader.Family.INET);
			assertThat(relayed.header.destination())
				.isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), frontends.get("v1")));
			assertThat(relayed.application).isEqualTo("hello over v1");
		}
	}

	@Test
	void readsTheVersion2HeaderHaproxySendsWithUniqueIdAndChecksum() throws Exception {
		try (Socket client = new Socket(InetAddress.getLoopbackAddress(), frontends.get("v2"))) {
			send(client, "hello over v2");
			Relayed relayed = acceptRelayedFrom(client, "hello over v2".length());

			assertThat(relayed.header.version()).isEqualTo(ProxyHeader.Version.V2);
			assertThat(relayed.header.command()).isEqualTo(ProxyHeader.Command.PROXY);
			assertThat(relayed.header.protocol()).isEqualTo(ProxyHeader.Protocol.STREAM);
			assertThat(relayed.header.uniqueId().map((id) -> new String(id, StandardCharsets.US_ASCII)))
				.hasValue("plain-" + client.getLocalPort());
			assertThat(relayed.header.tlv(ProxyTlv.CRC32C)).isPresent();
			assertThat(relayed.application).isEqualTo("hello over v2");
		}
	}

	@Test
	void readsTheTlsDetailsHaproxySendsForATlsClient() throws Exception {
		try (SSLSocket client = (SSLSocket) clientTls.getSocketFactory()
			.createSocket(InetAddress.getLoopbackAddress(), frontends.get("tls"))) {
			SSLParameters parameters = client.getSSLParameters();
			parameters.setServerNames(List.of(new SNIHostName(SNI)));
			parameters.setApplicationProtocols(new String[] { "h2" });
			client.setSSLParameters(parameters);
			client.startHandshake();
			send(client, "hello over tls");
			Relayed relayed = acceptRelayedFrom(client, "hello over tls".length());

			ProxyHeader header = relayed.header;
			assertThat(header.version()).isEqualTo(ProxyHeader.Version.V2);
			assertThat(header.authority()).hasValue(SNI);
			assertThat(header.alpn()).hasValue("h2");
			assertThat(header.uniqueId().map((id) -> new String(id, StandardCharsets.US_ASCII)))
				.hasValue("tls-" + client.getLocalPort());
			assertThat(header.tlv(ProxyTlv.CRC32C)).isPresent();
			ProxySsl ssl = header.ssl().orElseThrow();
			assertThat(ssl.clientConnectedOverTls()).isTrue();
			assertThat(ssl.clientCertificateOnConnection()).isFalse();
			assertThat(ssl.version()).hasValue(client.getSession().getProtocol());
			assertThat(ssl.cipher()).isPresent();
			assertThat(ssl.signatureAlgorithm()).isPresent();
			assertThat(ssl.keyAlgorithm()).hasValueSatisfying((algorithm) -> assertThat(algorithm).startsWith("RSA"));
			assertThat(relayed.application).isEqualTo("hello over tls");
		}
	}

	@Test
	void readsTheLocalHeaderOfHaproxysHealthCheck() throws Exception {
		try (SocketChannel accepted = checked.socket().accept().getChannel(); Selector selector = Selector.open()) {
			accepted.configureBlocking(false);
			accepted.register(selector, SelectionKey.OP_READ);
			ChannelByteSource source = new ChannelByteSource(accepted, new SelectorReadiness(selector));

			ProxyHeader header = this.reader.readRequired(source, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));

			assertThat(header.version()).isEqualTo(ProxyHeader.Version.V2);
			assertThat(header.command()).isEqualTo(ProxyHeader.Command.LOCAL);
			assertThat(header.hasAddresses()).isFalse();
		}
	}

	/**
	 * Accepts HAProxy's connections until the one relaying this client (HAProxy may open others,
	 * for instance while the test waited for it to listen), then reads the header and exactly the
	 * client's bytes after it.
	 */
	private Relayed acceptRelayedFrom(Socket client, int applicationLength) throws IOException {
		for (int attempt = 0; attempt < 10; attempt++) {
			try (SocketChannel accepted = backend.socket().accept().getChannel(); Selector selector = Selector.open()) {
				accepted.configureBlocking(false);
				accepted.register(selector, SelectionKey.OP_READ);
				ChannelByteSource source = new ChannelByteSource(accepted, new SelectorReadiness(selector));
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
				ProxyHeader header;
				try {
					header = this.reader.readRequired(source, deadline);
				}
				catch (IOException ex) {
					continue;
				}
				if (!(header.source() instanceof InetSocketAddress from) || from.getPort() != client.getLocalPort()) {
					continue;
				}
				assertThat(header.source())
					.isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), client.getLocalPort()));
				ByteBuffer application = ByteBuffer.allocate(applicationLength);
				while (application.hasRemaining() && source.read(application, deadline) >= 0) {
					// Read until the client's bytes are all here.
				}
				return new Relayed(header, new String(application.array(), StandardCharsets.US_ASCII));
			}
		}
		throw new AssertionError("HAProxy did not relay the client's connection; log:\n" + haproxyLog());
	}

	private static void send(Socket client, String text) throws IOException {
		OutputStream out = client.getOutputStream();
		out.write(text.getBytes(StandardCharsets.US_ASCII));
		out.flush();
	}

	private static String configuration(Path pem, int backendPort, int checkedPort) {
		String loopback = "127.0.0.1";
		return """
				global
				    maxconn 64
				defaults
				    mode tcp
				    timeout connect 5s
				    timeout client 30s
				    timeout server 30s
				frontend plain_v1
				    bind %1$s:%2$d
				    default_backend app_v1
				frontend plain_v2
				    bind %1$s:%3$d
				    unique-id-format plain-%%cp
				    default_backend app_v2
				frontend tls_v2
				    bind %1$s:%4$d ssl crt %5$s alpn h2,http/1.1
				    unique-id-format tls-%%cp
				    default_backend app_tls
				backend app_v1
				    server app %1$s:%6$d send-proxy
				backend app_v2
				    server app %1$s:%6$d send-proxy-v2 proxy-v2-options unique-id,crc32c
				backend app_tls
				    server app %1$s:%6$d send-proxy-v2 proxy-v2-options ssl,cert-cn,ssl-cipher,cert-sig,cert-key,authority,unique-id,crc32c
				backend health_checked
				    server app %1$s:%7$d send-proxy-v2 check check-send-proxy inter 500ms proxy-v2-options crc32c
				""".formatted(loopback, frontends.get("v1"), frontends.get("v2"), frontends.get("tls"), pem,
				backendPort, checkedPort);
	}

	/** A self-signed certificate for HAProxy's TLS frontend (PEM) and a client context trusting it. */
	private static Path proxyCertificate() throws Exception {
		Path store = directory.resolve("proxy.p12");
		char[] password = "changeit".toCharArray();
		run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias",
				"proxy", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=" + SNI, "-ext",
				"SAN=dns:" + SNI, "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass",
				new String(password)));
		KeyStore keyStore = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(store)) {
			keyStore.load(in, password);
		}
		Base64.Encoder pem = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
		String text = "-----BEGIN CERTIFICATE-----\n"
				+ pem.encodeToString(keyStore.getCertificate("proxy").getEncoded()) + "\n-----END CERTIFICATE-----\n"
				+ "-----BEGIN PRIVATE KEY-----\n" + pem.encodeToString(keyStore.getKey("proxy", password).getEncoded())
				+ "\n-----END PRIVATE KEY-----\n";
		Path file = directory.resolve("proxy.pem");
		Files.writeString(file, text);
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(keyStore);
		clientTls = SSLContext.getInstance("TLS");
		clientTls.init(null, trust.getTrustManagers(), null);
		return file;
	}

	private static Path haproxyExecutable() {
		List<Path> candidates = new ArrayList<>();
		for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			if (!entry.isEmpty()) {
				candidates.add(Path.of(entry, "haproxy"));
			}
		}
		candidates.add(Path.of("/usr/sbin/haproxy"));
		return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static void awaitListening(int port) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
		while (true) {
			try {
				new Socket(InetAddress.getLoopbackAddress(), port).close();
				return;
			}
			catch (IOException ex) {
				if (!haproxy.isAlive() || System.nanoTime() - deadline > 0) {
					throw new IllegalStateException("HAProxy is not listening on " + port + "; log:\n" + haproxyLog(), ex);
				}
				Thread.sleep(50);
			}
		}
	}

	private static void run(List<String> command) throws Exception {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
			throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
		}
	}

	private static String haproxyLog() {
		try {
			return Files.readString(directory.resolve("haproxy.log"));
		}
		catch (IOException ex) {
			return "(no log: " + ex + ")";
		}
	}

	private record Relayed(ProxyHeader header, String application) {
	}

}
