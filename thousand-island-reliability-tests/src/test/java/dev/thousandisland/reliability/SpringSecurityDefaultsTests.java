package dev.thousandisland.reliability;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerStatus;
import dev.thousandisland.autoconfigure.ThousandIslandServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Security defaults of the Spring Boot integration: the {@code thousandisland} actuator endpoint
 * is read-only unless access is granted (suspending a server or closing a connection over HTTP
 * is not possible with the defaults, and works once
 * {@code management.endpoint.thousandisland.access=unrestricted}), it is not exposed over HTTP at
 * all unless exposed, and a server made from an SSL bundle refuses TLS 1.1 and, with
 * {@code ssl.client-auth=need}, clients without a trusted certificate.
 */
class SpringSecurityDefaultsTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	/** One client per test, closed before the contexts: an idle keep-alive connection holds Tomcat's stop up. */
	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	private final List<Socket> clients = new ArrayList<>();

	@AfterEach
	void close() {
		this.clients.forEach(Clients::closeQuietly);
		this.http.shutdownNow();
		this.contexts.forEach(ConfigurableApplicationContext::close);
	}

	/**
	 * With the endpoint exposed over HTTP but its access left at the default, reading works while
	 * POST (suspend) and DELETE (close a connection) are refused: the server keeps listening and
	 * the connection keeps being served.
	 */
	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void actuatorWriteOperationsAreNotReachableWithTheDefaultAccess() throws Exception {
		ConfigurableApplicationContext context = start("management.endpoints.web.exposure.include=thousandisland");
		Server server = server(context);
		Socket client = connectedClient(server);
		long id = server.connections().get(0).id();

		HttpResponse<String> read = get(context, "/actuator/thousandisland/echo");
		assertThat(read.statusCode()).isEqualTo(200);
		// The client's address as a literal: no host name was looked up for it.
		assertThat(read.body()).containsPattern("\"remoteAddress\":\"/?127\\.0\\.0\\.1:\\d+\"")
			.doesNotContain("localhost");

		HttpResponse<String> suspend = post(context, "/actuator/thousandisland/echo", "{\"action\":\"suspend\"}");
		HttpResponse<String> delete = delete(context, "/actuator/thousandisland/echo/" + id);
		assertThat(suspend.statusCode()).as("POST suspend with the default access").isBetween(400, 499);
		assertThat(delete.statusCode()).as("DELETE a connection with the default access").isBetween(400, 499);
		assertThat(server.status()).isEqualTo(ServerStatus.RUNNING);
		try (Socket another = Clients.connect(server.port())) {
			assertThat(Clients.roundTrip(another, "new".getBytes(StandardCharsets.US_ASCII)))
				.asString(StandardCharsets.US_ASCII)
				.isEqualTo("new");
		}
		assertThat(Clients.roundTrip(client, "still".getBytes(StandardCharsets.US_ASCII)))
			.asString(StandardCharsets.US_ASCII)
			.isEqualTo("still");
		Figures.record("security: actuator default access", "HTTP status of POST suspend / DELETE connection",
				suspend.statusCode() + " / " + delete.statusCode());
	}

	/** Granting unrestricted access makes the same requests suspend the server and close the connection. */
	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void actuatorWriteOperationsWorkOnceAccessIsGranted() throws Exception {
		ConfigurableApplicationContext context = start("management.endpoints.web.exposure.include=thousandisland",
				"management.endpoint.thousandisland.access=unrestricted");
		Server server = server(context);
		Socket client = connectedClient(server);
		long id = server.connections().get(0).id();

		assertThat(post(context, "/actuator/thousandisland/echo", "{\"action\":\"suspend\"}").statusCode())
			.isEqualTo(200);
		assertThat(server.status()).isEqualTo(ServerStatus.SUSPENDED);
		assertThat(refuses(server.port())).isTrue();
		assertThat(post(context, "/actuator/thousandisland/echo", "{\"action\":\"resume\"}").statusCode())
			.isEqualTo(200);
		assertThat(server.status()).isEqualTo(ServerStatus.RUNNING);

		assertThat(delete(context, "/actuator/thousandisland/echo/" + id).statusCode()).isEqualTo(200);
		assertThat(Clients.awaitClosed(client, Duration.ofSeconds(10)).closed()).isTrue();
		await().atMost(WAIT).until(() -> server.activeConnections() == 0);
	}

	/** Without {@code management.endpoints.web.exposure.include}, the endpoint has no HTTP mapping at all. */
	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void theEndpointIsNotExposedOverHttpByDefault() throws Exception {
		ConfigurableApplicationContext context = start();
		Server server = server(context);
		assertThat(get(context, "/actuator/thousandisland").statusCode()).isEqualTo(404);
		assertThat(post(context, "/actuator/thousandisland/echo", "{\"action\":\"suspend\"}").statusCode())
			.isBetween(400, 499);
		assertThat(server.status()).isEqualTo(ServerStatus.RUNNING);
	}

	/**
	 * A server made from an SSL bundle that names no protocols answers a hand-made TLS 1.1
	 * ClientHello with a {@code protocol_version} alert and a TLS 1.2 one with a ServerHello; with
	 * {@code ssl.client-auth=need} a client without a certificate is refused and one with the
	 * trusted certificate is served.
	 */
	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void aServerMadeFromAnSslBundleRefusesOldTlsAndClientsWithoutATrustedCertificate() throws Exception {
		TestTls tls = TestTls.get();
		String bundle = "spring.ssl.bundle.jks.reliability.";
		ConfigurableApplicationContext context = start(bundle + "keystore.location=file:" + tls.serverKeyStore(),
				bundle + "keystore.password=" + TestTls.password(), bundle + "keystore.type=PKCS12",
				bundle + "truststore.location=file:" + tls.clientTrustStore(),
				bundle + "truststore.password=" + TestTls.password(), bundle + "truststore.type=PKCS12",
				"thousandisland.servers.echo.ssl.bundle=reliability",
				"thousandisland.servers.echo.ssl.client-auth=need");
		Server server = server(context);
		try (Socket socket = Clients.connect(server.port())) {
			socket.getOutputStream().write(RawClientHello.of(RawClientHello.TLS_1_1));
			RawClientHello.Answer answer = RawClientHello.readAnswer(socket);
			assertThat(answer).isNotNull();
			assertThat(answer.type()).isEqualTo(RawClientHello.ALERT);
			assertThat(answer.second()).isEqualTo(RawClientHello.PROTOCOL_VERSION_ALERT);
		}
		try (Socket socket = Clients.connect(server.port())) {
			socket.getOutputStream().write(RawClientHello.of(RawClientHello.TLS_1_2));
			RawClientHello.Answer answer = RawClientHello.readAnswer(socket);
			assertThat(answer).isNotNull();
			assertThat(answer.type()).isEqualTo(RawClientHello.HANDSHAKE);
			assertThat(answer.first()).isEqualTo(RawClientHello.SERVER_HELLO);
		}
		byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
		boolean withoutCertificate;
		try (SSLSocket socket = Clients.connectTls(tls.clientContext(), server.port())) {
			withoutCertificate = ping.length == Clients.roundTrip(socket, ping).length;
		}
		catch (IOException ex) {
			withoutCertificate = false;
		}
		assertThat(withoutCertificate).as("a client without a certificate was served").isFalse();
		try (SSLSocket socket = Clients.connectTls(tls.clientContextWithCertificate(), server.port())) {
			assertThat(Clients.roundTrip(socket, ping)).isEqualTo(ping);
		}
	}

	private ConfigurableApplicationContext start(String... properties) {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(EchoApplication.class)
			.web(WebApplicationType.SERVLET)
			.properties("spring.main.banner-mode=off", "logging.level.root=WARN", "server.port=0",
					"server.address=127.0.0.1", "thousandisland.port=0", "thousandisland.address=127.0.0.1",
					"thousandisland.acceptors=2")
			.properties(properties)
			.run();
		this.contexts.add(context);
		return context;
	}

	private static Server server(ConfigurableApplicationContext context) {
		return context.getBean(ThousandIslandServers.class).get("echo").orElseThrow();
	}

	private Socket connectedClient(Server server) throws IOException {
		Socket client = Clients.connect(server.port());
		this.clients.add(client);
		assertThat(Clients.roundTrip(client, "hi".getBytes(StandardCharsets.US_ASCII))).hasSize(2);
		await().atMost(WAIT).until(() -> server.connections().size() == 1);
		return client;
	}

	private HttpResponse<String> get(ConfigurableApplicationContext context, String path)
			throws IOException, InterruptedException {
		return send(context, path, HttpRequest.newBuilder().GET());
	}

	private HttpResponse<String> post(ConfigurableApplicationContext context, String path, String json)
			throws IOException, InterruptedException {
		return send(context, path, HttpRequest.newBuilder()
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json)));
	}

	private HttpResponse<String> delete(ConfigurableApplicationContext context, String path)
			throws IOException, InterruptedException {
		return send(context, path, HttpRequest.newBuilder().DELETE());
	}

	private HttpResponse<String> send(ConfigurableApplicationContext context, String path,
			HttpRequest.Builder request) throws IOException, InterruptedException {
		int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		return this.http.send(request.uri(URI.create("http://127.0.0.1:" + port + path))
			.header("Accept", "application/json")
			.timeout(Duration.ofSeconds(10))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static boolean refuses(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(Clients.LOOPBACK, port), 2_000);
			return false;
		}
		catch (ConnectException ex) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class EchoApplication {

		@Bean
		Handler<Void> echo() {
			return new Handler<>() {
				@Override
				public Result<Void> handleData(ByteBuffer data, dev.thousandisland.Socket socket, Void state)
						throws IOException {
					socket.send(data);
					return Result.continueWith(state);
				}
			};
		}

	}

}
