package dev.thousandisland.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.thousandisland.autoconfigure.ThousandIslandServers;
import dev.thousandisland.test.LocalThousandIslandPort;
import dev.thousandisland.test.SocketTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The sample application, started for real: echo and daytime over loopback sockets, and the
 * actuator over HTTP.
 */
@SampleApplicationTest
class SampleApplicationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(15);

	@LocalThousandIslandPort("echo")
	private int echoPort;

	@LocalThousandIslandPort("daytime")
	private int daytimePort;

	@LocalThousandIslandPort("chat")
	private int chatPort;

	@LocalServerPort
	private int httpPort;

	@Autowired
	private ThousandIslandServers servers;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

	@Test
	void theFourServersRunOnThePortsPublishedInTheEnvironment() {
		assertThat(this.servers.running()).containsOnlyKeys("echo", "daytime", "chat", "kv");
		assertThat(this.servers.get("echo"))
			.hasValueSatisfying((server) -> assertThat(server.port()).isEqualTo(this.echoPort));
		assertThat(this.servers.get("daytime"))
			.hasValueSatisfying((server) -> assertThat(server.port()).isEqualTo(this.daytimePort));
	}

	@Test
	void echoSendsBackEveryPayloadExactlyOnOneConnection() throws Exception {
		byte[] everyByte = new byte[256];
		for (int i = 0; i < everyByte.length; i++) {
			everyByte[i] = (byte) i;
		}
		byte[] mebibyte = new byte[1024 * 1024];
		new Random(42).nextBytes(mebibyte);
		List<byte[]> payloads = List.of("hello\n".getBytes(StandardCharsets.US_ASCII), new byte[] { 0 },
				"h\u00e9llo w\u00f6rld \u2603\r\n".getBytes(StandardCharsets.UTF_8), everyByte,
				new byte[] { (byte) 0xC3, (byte) 0x28, (byte) 0xFF, 0, '\n', (byte) 0x80 }, mebibyte);
		try (SocketTestClient client = connect(this.echoPort)) {
			for (byte[] payload : payloads) {
				assertThat(client.exchange(payload)).isEqualTo(payload);
			}
		}
	}

	@Test
	void echoServesSeveralClientsAtOnce() throws Exception {
		List<CompletableFuture<Void>> clients = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			byte[] payload = ("client " + i + " says hello\n").repeat(100).getBytes(StandardCharsets.US_ASCII);
			clients.add(CompletableFuture.runAsync(() -> {
				try (SocketTestClient client = connect(this.echoPort)) {
					assertThat(client.exchange(payload)).isEqualTo(payload);
				}
			}, (task) -> Thread.ofVirtual().start(task)));
		}
		CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
	}

	@Test
	void daytimeSendsTheCurrentTimeAsOneCrLfLineThenCloses() throws Exception {
		try (SocketTestClient client = connect(this.daytimePort)) {
			String text = new String(client.readUntilClosed(), StandardCharsets.US_ASCII);
			assertThat(text).endsWith("\r\n");
			String line = text.substring(0, text.length() - 2);
			assertThat(line).doesNotContain("\r").doesNotContain("\n");
			ZonedDateTime time = ZonedDateTime.parse(line, DateTimeFormatter.RFC_1123_DATE_TIME);
			assertThat(time.toInstant()).isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
		}
	}

	@Test
	void healthIsUpWithOneComponentPerServer() throws Exception {
		HttpResponse<String> response = get("/actuator/health");
		assertThat(response.statusCode()).isEqualTo(200);
		String body = response.body();
		assertThat(JsonPath.<String>read(body, "$.status")).isEqualTo("UP");
		assertThat(JsonPath.<String>read(body, "$.components.thousandisland.status")).isEqualTo("UP");
		Map<String, Object> servers = JsonPath.read(body, "$.components.thousandisland.components");
		assertThat(servers).containsOnlyKeys("echo", "daytime", "chat", "kv");
		for (String server : servers.keySet()) {
			assertThat(JsonPath.<String>read(body, "$.components.thousandisland.components." + server + ".status"))
				.as(server)
				.isEqualTo("UP");
		}
		assertThat(JsonPath.<String>read(body, "$.components.thousandisland.components.echo.details.transport"))
			.isEqualTo("tcp");
		Map<String, Object> components = JsonPath.read(body, "$.components");
		assertThat(components).as("Spring Data Redis is on the classpath, but standalone nothing checks a Redis")
			.doesNotContainKey("redis");
	}

	@Test
	void chatEndpointCountsEachRoomsMembersOnThisInstance() throws Exception {
		try (ChatClient alice = ChatClient.connect(this.chatPort); ChatClient bob = ChatClient.connect(this.chatPort)) {
			alice.join("endpoint-room");
			bob.join("endpoint-room");
			HttpResponse<String> response = get("/actuator/chat");
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(JsonPath.<String>read(response.body(), "$.adapter")).isEqualTo("local");
			assertThat(JsonPath.<Integer>read(response.body(), "$.rooms.endpoint-room")).isEqualTo(2);
			assertThat(alice.name()).as("standalone, a name has no node name").matches("user\\d+");
		}
	}

	@Test
	void prometheusCountsAcceptedConnectionsPerServerAndTransport() throws Exception {
		try (SocketTestClient client = connect(this.echoPort)) {
			assertThat(client.sendLine("count me").readLine()).isEqualTo("count me");
		}
		HttpResponse<String> response = get("/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		String series = "thousandisland_connections_accepted_total{server=\"echo\",transport=\"tcp\"}";
		String line = response.body()
			.lines()
			.filter((candidate) -> candidate.startsWith(series + " "))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No echo accepted counter in:\n" + response.body()));
		double accepted = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
		assertThat(accepted).isGreaterThanOrEqualTo(1.0);
	}

	@Test
	void thousandislandEndpointListsTheFourServers() throws Exception {
		HttpResponse<String> response = get("/actuator/thousandisland");
		assertThat(response.statusCode()).isEqualTo(200);
		String body = response.body();
		Map<String, Object> servers = JsonPath.read(body, "$.servers");
		assertThat(servers).containsOnlyKeys("echo", "daytime", "chat", "kv");
		assertThat(JsonPath.<String>read(body, "$.servers.echo.status")).isEqualTo("running");
		assertThat(JsonPath.<String>read(body, "$.servers.echo.handler")).isEqualTo("echo");
		assertThat(JsonPath.<String>read(body, "$.servers.chat.handler")).isEqualTo("chat");
		assertThat(JsonPath.<String>read(body, "$.servers.daytime.transport")).isEqualTo("tcp");
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.httpPort + path))
			.timeout(TIMEOUT)
			.GET()
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private static SocketTestClient connect(int port) {
		return SocketTestClient.builder(port).timeout(TIMEOUT).connect();
	}

}
