package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.ThousandIsland;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.client.ClientPool;
import dev.thousandisland.client.ClientState;
import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.client.NotConnectedException;
import dev.thousandisland.client.PoolSize;
import dev.thousandisland.client.RequestTimeoutAction;
import dev.thousandisland.client.RequestTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Clients of {@code thousandisland.clients.*} in a whole Spring Boot application, talking over
 * loopback (or a Unix socket) to a Thousand Island echo server started by the test.
 */
class ThousandIslandClientsIntegrationTests {

	@Test
	void clientBeanSendsLinesAndGetsTheRepliesInOrder() throws Exception {
		Server server = echoServer(0);
		try (ConfigurableApplicationContext context = application("thousandisland.clients.echo.port=" + server.port(),
				"thousandisland.clients.echo.framing.type=line").run()) {
			ThousandIslandClient echo = context.getBean(ThousandIslandClients.class).get("echo");
			assertThat(text(echo.request(utf8("hello")))).isEqualTo("hello");
			List<CompletableFuture<ByteBuffer>> replies = new ArrayList<>();
			for (int i = 0; i < 100; i++) {
				replies.add(echo.requestAsync(utf8("line " + i), Duration.ofSeconds(5)));
			}
			for (int i = 0; i < 100; i++) {
				assertThat(text(replies.get(i).get())).isEqualTo("line " + i);
			}
			assertThat(echo.connection().state()).isEqualTo(ClientState.CONNECTED);
		}
		finally {
			server.stop();
		}
	}

	@Test
	void poolOfThreeSpreadsRequestsOverConnectedMembers() throws Exception {
		Server server = echoServer(0);
		try (ConfigurableApplicationContext context = application("thousandisland.clients.echo.port=" + server.port(),
				"thousandisland.clients.echo.framing.type=line", "thousandisland.clients.echo.pool-size=3").run()) {
			ThousandIslandClient echo = context.getBean(ThousandIslandClients.class).get("echo");
			await().atMost(Duration.ofSeconds(10)).until(() -> echo.pool().orElseThrow().connected() == 3);
			assertThat(text(echo.request(utf8("pooled")))).isEqualTo("pooled");
			assertThat(echo.connections()).hasSize(3);
		}
		finally {
			server.stop();
		}
	}

	@Test
	void poolMaxSizeMakesAPoolThatGrowsUnderLoadAndShrinksBackToPoolSize() throws Exception {
		Server server = echoServer(0);
		try (ConfigurableApplicationContext context = application("thousandisland.clients.echo.port=" + server.port(),
				"thousandisland.clients.echo.framing.type=line", "thousandisland.clients.echo.pool.max-size=3",
				"thousandisland.clients.echo.pool.idle-timeout=200ms").run()) {
			ThousandIslandClient echo = context.getBean(ThousandIslandClients.class).get("echo");
			assertThat(echo.definition().pool()).isEqualTo(PoolSize.growing(1, 3, Duration.ofMillis(200)));
			ClientPool pool = echo.pool().orElseThrow();
			await().atMost(Duration.ofSeconds(10)).until(() -> pool.connected() == 1);
			List<ClientPool.Lease> leases = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				leases.add(pool.borrow(Duration.ofSeconds(10)));
			}
			assertThat(echo.connections()).extracting((member) -> member.config().name())
				.containsExactly("echo-0", "echo-1", "echo-2");
			assertThat(text(leases.get(2).client().request(utf8("grown")))).isEqualTo("grown");
			leases.forEach(ClientPool.Lease::close);
			await().atMost(Duration.ofSeconds(10)).until(() -> echo.connections().size() == 1);
			assertThat(text(echo.request(utf8("shrunk")))).isEqualTo("shrunk");
		}
		finally {
			server.stop();
		}
	}

	@Test
	void poolMaxSizeBelowPoolSizeFailsStartUpNamingTheProperty() {
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> application("thousandisland.clients.echo.port=6379",
					"thousandisland.clients.echo.framing.type=line", "thousandisland.clients.echo.pool-size=4",
					"thousandisland.clients.echo.pool.max-size=2")
				.run()
				.close())
			.havingRootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.withMessageContaining("thousandisland.clients.echo.pool.max-size")
			.withMessageContaining("at least pool-size (4)");
	}

	@Test
	void nonPositivePoolIdleTimeoutFailsStartUpNamingTheProperty() {
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> application("thousandisland.clients.echo.port=6379",
					"thousandisland.clients.echo.framing.type=line", "thousandisland.clients.echo.pool.max-size=2",
					"thousandisland.clients.echo.pool.idle-timeout=0s")
				.run()
				.close())
			.havingRootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.withMessageContaining("thousandisland.clients.echo.pool.idle-timeout");
	}

	@Test
	void clientOverAUnixSocketSendsLinesThroughItsPool(@TempDir Path directory) throws Exception {
		Path path = directory.resolve("echo.sock");
		Server server = ServerConfig.builder(new EchoHandler()).unixPath(path).start();
		try (ConfigurableApplicationContext context = application("thousandisland.clients.echo.unix-path=" + path,
				"thousandisland.clients.echo.framing.type=line", "thousandisland.clients.echo.pool-size=2").run()) {
			ThousandIslandClient echo = context.getBean(ThousandIslandClients.class).get("echo");
			await().atMost(Duration.ofSeconds(10)).until(() -> echo.pool().orElseThrow().connected() == 2);
			assertThat(echo.connections()).allSatisfy((member) -> assertThat(member.config().address()).isEqualTo(UnixDomainSocketAddress.of(path)));
			for (int i = 0; i < 10; i++) {
				assertThat(text(echo.request(utf8("over unix " + i)))).isEqualTo("over unix " + i);
			}
		}
		finally {
			server.stop();
		}
	}

	@Test
	void contextStartsWhileThePeerIsDownAndTrafficFlowsOnceItIsUp() throws Exception {
		int port = freePort();
		try (ConfigurableApplicationContext context = application("thousandisland.clients.echo.port=" + port,
				"thousandisland.clients.echo.framing.type=line", "thousandisland.clients.echo.backoff.initial=20ms",
				"thousandisland.clients.echo.backoff.max=100ms").run()) {
			ThousandIslandClient echo = context.getBean(ThousandIslandClients.class).get("echo");
			assertThat(echo.connection().isConnected()).isFalse();
			// While the peer is down a request waits in the queue, then times out.
			assertThatExceptionOfType(RequestTimeoutException.class)
				.isThrownBy(() -> echo.request(utf8("early"), Duration.ofMillis(200)));
			Server server = echoServer(port);
			try {
				await().atMost(Duration.ofSeconds(10)).until(() -> echo.connection().isConnected());
				assertThat(text(echo.request(utf8("late")))).isEqualTo("late");
			}
			finally {
				server.stop();
			}
		}
	}

	@Test
	void closingTheContextStopsTheClient() throws Exception {
		Server server = echoServer(0);
		ThousandIslandClient echo;
		try (ConfigurableApplicationContext context = application("thousandisland.clients.echo.port=" + server.port(),
				"thousandisland.clients.echo.framing.type=line").run()) {
			echo = context.getBean(ThousandIslandClients.class).get("echo");
			assertThat(text(echo.request(utf8("before")))).isEqualTo("before");
		}
		finally {
			server.stop();
		}
		assertThat(echo.connection().state()).isEqualTo(ClientState.STOPPED);
		assertThatExceptionOfType(NotConnectedException.class).isThrownBy(() -> echo.request(utf8("after")));
	}

	@Test
	void clientHandlerBeanNamedByTheHandlerPropertyIsToldOfTheConnect() throws Exception {
		Server server = echoServer(0);
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(HandlerApplication.class)
			.web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "thousandisland.clients.echo.host=127.0.0.1",
					"thousandisland.clients.echo.port=" + server.port(), "thousandisland.clients.echo.framing.type=line",
					"thousandisland.clients.echo.handler=connects")
			.run()) {
			ConnectRecorder connects = context.getBean(ConnectRecorder.class);
			await().atMost(Duration.ofSeconds(10)).until(() -> !connects.kinds.isEmpty());
			assertThat(connects.kinds).containsExactly(ConnectKind.FIRST);
		}
		finally {
			server.stop();
		}
	}

	@Test
	void missingHandlerBeanFailsStartUpNamingTheProperty() {
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> application("thousandisland.clients.echo.port=6379",
					"thousandisland.clients.echo.framing.type=line", "thousandisland.clients.echo.handler=nothing")
				.run()
				.close())
			.havingRootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.withMessageContaining("thousandisland.clients.echo.handler");
	}

	@Test
	void requestTimeoutPropertiesReachTheClientConfig() throws Exception {
		Server server = echoServer(0);
		try (ConfigurableApplicationContext context = application("thousandisland.clients.echo.port=" + server.port(),
				"thousandisland.clients.echo.framing.type=line",
				"thousandisland.clients.echo.on-request-timeout=drop-connection",
				"thousandisland.clients.echo.max-late-replies=3", "thousandisland.clients.echo.late-reply-timeout=12s")
			.run()) {
			ClientConfig config = context.getBean(ThousandIslandClients.class).get("echo").definition().config();
			assertThat(config.onRequestTimeout()).isEqualTo(RequestTimeoutAction.DROP_CONNECTION);
			assertThat(config.maxLateReplies()).isEqualTo(3);
			assertThat(config.lateReplyTimeout()).isEqualTo(Duration.ofSeconds(12));
		}
		finally {
			server.stop();
		}
	}

	@Test
	void maxLateRepliesBelowOneFailsStartUpNamingTheProperty() {
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> application("thousandisland.clients.echo.port=6379",
					"thousandisland.clients.echo.framing.type=line", "thousandisland.clients.echo.max-late-replies=0")
				.run()
				.close())
			.havingRootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.withMessageContaining("thousandisland.clients.echo.max-late-replies");
	}

	@Test
	void missingPortFailsStartUpNamingTheProperty() {
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> application("thousandisland.clients.echo.framing.type=line").run().close())
			.havingRootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.withMessageContaining("thousandisland.clients.echo.port");
	}

	@Test
	void missingFramingFailsStartUpNamingTheProperty() {
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> application("thousandisland.clients.echo.port=6379").run().close())
			.havingRootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.withMessageContaining("thousandisland.clients.echo.framing.type");
	}

	@Test
	void badBackoffFailsStartUpNamingTheProperty() {
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> application("thousandisland.clients.echo.port=6379",
					"thousandisland.clients.echo.framing.type=line", "thousandisland.clients.echo.backoff.jitter=2")
				.run()
				.close())
			.havingRootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.withMessageContaining("thousandisland.clients.echo.backoff.jitter");
	}

	static Server echoServer(int port) throws IOException {
		return ThousandIsland.start(
				ServerConfig.builder(new EchoHandler()).port(port).bindAddress(InetAddress.getLoopbackAddress()).build());
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	static ByteBuffer utf8(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	static String text(ByteBuffer buffer) {
		return StandardCharsets.UTF_8.decode(buffer).toString();
	}

	private static SpringApplicationBuilder application(String... properties) {
		return new SpringApplicationBuilder(ClientApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "thousandisland.clients.echo.host=127.0.0.1")
			.properties(properties);
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ClientApplication {

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class HandlerApplication {

		@Bean
		ConnectRecorder connects() {
			return new ConnectRecorder();
		}

	}

	/** Records the kind of every connect. */
	static class ConnectRecorder implements ClientHandler {

		final List<ConnectKind> kinds = new CopyOnWriteArrayList<>();

		@Override
		public void handleConnection(ClientConnection client, ConnectKind kind) {
			this.kinds.add(kind);
		}

	}

}
