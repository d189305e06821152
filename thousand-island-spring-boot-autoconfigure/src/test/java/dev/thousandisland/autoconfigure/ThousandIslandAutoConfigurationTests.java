package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.thousandisland.DataBuffers;
import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.Socket;
import dev.thousandisland.telemetry.TelemetryEvent;

import static org.assertj.core.api.Assertions.assertThat;

class ThousandIslandAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class))
		.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1");

	@Test
	void singleHandlerBeanBecomesAServerNamedAfterTheBean() {
		this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
			ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
			assertThat(servers.definitions()).singleElement().satisfies((definition) -> {
				assertThat(definition.name()).isEqualTo("echo");
				assertThat(definition.handlerBeanName()).isEqualTo("echo");
				assertThat(definition.propertyPrefix()).isEqualTo("thousandisland.servers.echo");
			});
			Server server = servers.get("echo").orElseThrow();
			try (TestClient client = TestClient.connect(server.port())) {
				assertThat(client.exchange("ping")).isEqualTo("ping");
			}
			assertThat(context.getEnvironment().getProperty("local.thousandisland.port", Integer.class))
				.isEqualTo(server.port());
			assertThat(context.getEnvironment().getProperty("local.thousandisland.servers.echo.port", Integer.class))
				.isEqualTo(server.port());
		});
	}

	@Test
	void everyHandlerBeanGetsAServerOfItsOwn() {
		this.runner.withUserConfiguration(EchoConfiguration.class, UppercaseConfiguration.class)
			.withPropertyValues("thousandisland.servers.echo.port=0", "thousandisland.servers.upper.port=0")
			.run((context) -> {
				ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
				assertThat(servers.definitions()).extracting(ServerDefinition::name)
					.containsExactlyInAnyOrder("echo", "upper");
				int echoPort = localPort(context, "echo");
				int upperPort = localPort(context, "upper");
				assertThat(echoPort).isNotEqualTo(upperPort);
				assertThat(servers.get("echo").orElseThrow().port()).isEqualTo(echoPort);
				assertThat(servers.get("upper").orElseThrow().port()).isEqualTo(upperPort);
				try (TestClient echo = TestClient.connect(echoPort); TestClient upper = TestClient.connect(upperPort)) {
					assertThat(echo.exchange("ping")).isEqualTo("ping");
					assertThat(upper.exchange("ping")).isEqualTo("PING");
				}
			});
	}

	@Test
	void startsNoServerWithoutHandlerBeans() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(ThousandIslandServers.class);
			ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
			assertThat(servers.definitions()).isEmpty();
			assertThat(servers.running()).isEmpty();
			assertThat(context.getEnvironment().getProperty("local.thousandisland.port")).isNull();
		});
	}

	@Test
	void serversInheritTopLevelDefaultsAndOverrideThemWithTheirOwn() {
		this.runner.withUserConfiguration(EchoConfiguration.class, UppercaseConfiguration.class)
			.withPropertyValues("thousandisland.read-timeout=250ms", "thousandisland.servers.upper.read-timeout=5s")
			.run((context) -> {
				assertThat(definition(context, "echo").config().readTimeout()).isEqualTo(Duration.ofMillis(250));
				assertThat(definition(context, "upper").config().readTimeout()).isEqualTo(Duration.ofSeconds(5));
				// Opened first, so it has been idle at least as long as every echo client below.
				try (TestClient upper = TestClient.connect(localPort(context, "upper"))) {
					for (int i = 0; i < 2; i++) {
						try (TestClient echo = TestClient.connect(localPort(context, "echo"))) {
							assertThat(echo.receiveUntilClosed()).isEmpty();
						}
					}
					assertThat(upper.exchange("still here")).isEqualTo("STILL HERE");
				}
			});
	}

	@Test
	void hibernateAfterReachesItsServerWhoseConnectionsKeepServingEitherWay() {
		this.runner.withUserConfiguration(EchoConfiguration.class, UppercaseConfiguration.class)
			.withPropertyValues("thousandisland.servers.upper.hibernate-after=36500d")
			.run((context) -> {
				assertThat(definition(context, "echo").config().hibernateAfter()).isEqualTo(Duration.ZERO);
				assertThat(definition(context, "upper").config().hibernateAfter()).isEqualTo(Duration.ofDays(36500));
				try (TestClient echo = TestClient.connect(localPort(context, "echo"));
						TestClient upper = TestClient.connect(localPort(context, "upper"))) {
					for (int i = 0; i < 3; i++) {
						assertThat(echo.exchange("again " + i)).isEqualTo("again " + i);
						assertThat(upper.exchange("again " + i)).isEqualTo("AGAIN " + i);
					}
				}
			});
	}

	@Test
	void callbacksOnPollerReachesItsServerOnlyWhoseConnectionsKeepServing() {
		this.runner.withUserConfiguration(EchoConfiguration.class, UppercaseConfiguration.class)
			.withPropertyValues("thousandisland.servers.upper.callbacks-on-poller=true",
					"thousandisland.servers.upper.poller-callback-limit=250ms")
			.run((context) -> {
				assertThat(definition(context, "echo").config().callbacksOnPoller()).isFalse();
				assertThat(definition(context, "upper").config().callbacksOnPoller()).isTrue();
				assertThat(definition(context, "upper").config().pollerCallbackLimit()).isEqualTo(Duration.ofMillis(250));
				try (TestClient upper = TestClient.connect(localPort(context, "upper"))) {
					for (int i = 0; i < 3; i++) {
						assertThat(upper.exchange("again " + i)).isEqualTo("AGAIN " + i);
					}
				}
			});
	}

	@Test
	void maxAcceptBackoffReachesItsServerOnly() {
		this.runner.withUserConfiguration(EchoConfiguration.class, UppercaseConfiguration.class)
			.withPropertyValues("thousandisland.servers.echo.max-accept-backoff=250ms")
			.run((context) -> {
				assertThat(definition(context, "echo").config().maxAcceptBackoff()).isEqualTo(Duration.ofMillis(250));
				assertThat(definition(context, "upper").config().maxAcceptBackoff()).isEqualTo(Duration.ofMillis(100));
			});
	}

	@Test
	void dataBuffersAndReadBufferPoolSizeReachTheServer() {
		this.runner.withUserConfiguration(EchoConfiguration.class, UppercaseConfiguration.class)
			.withPropertyValues("thousandisland.servers.echo.data-buffers=lent-checked",
					"thousandisland.read-buffer-pool-size=8")
			.run((context) -> {
				assertThat(definition(context, "echo").config().dataBuffers()).isEqualTo(DataBuffers.LENT_CHECKED);
				assertThat(definition(context, "upper").config().dataBuffers()).isEqualTo(DataBuffers.OWNED);
				assertThat(definition(context, "echo").config().readBufferPoolSize()).isEqualTo(8);
				try (TestClient echo = TestClient.connect(localPort(context, "echo"))) {
					assertThat(echo.exchange("lent")).isEqualTo("lent");
				}
			});
	}

	@Test
	void disabledServerIsNotStarted() {
		this.runner.withUserConfiguration(EchoConfiguration.class, UppercaseConfiguration.class)
			.withPropertyValues("thousandisland.servers.upper.enabled=false")
			.run((context) -> {
				ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
				assertThat(servers.definitions()).extracting(ServerDefinition::name).containsExactly("echo");
				assertThat(servers.running()).containsOnlyKeys("echo");
				assertThat(context.getEnvironment().getProperty("local.thousandisland.servers.upper.port")).isNull();
			});
	}

	@Test
	void serverRunsTheHandlerBeanItNamesInsteadOfADefaultServerForThatBean() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("thousandisland.servers.mirror.handler=echo")
			.run((context) -> {
				ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
				assertThat(servers.definitions()).singleElement().satisfies((definition) -> {
					assertThat(definition.name()).isEqualTo("mirror");
					assertThat(definition.handlerBeanName()).isEqualTo("echo");
					assertThat(definition.config().handler()).isSameAs(context.getBean("echo"));
				});
				try (TestClient client = TestClient.connect(localPort(context, "mirror"))) {
					assertThat(client.exchange("ping")).isEqualTo("ping");
				}
			});
	}

	@Test
	void twoConfiguredServersCanRunTheSameHandlerBean() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("thousandisland.servers.echo.port=0", "thousandisland.servers.mirror.handler=echo")
			.run((context) -> {
				ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
				assertThat(servers.definitions()).extracting(ServerDefinition::name)
					.containsExactlyInAnyOrder("echo", "mirror");
				for (String name : List.of("echo", "mirror")) {
					try (TestClient client = TestClient.connect(localPort(context, name))) {
						assertThat(client.exchange(name)).isEqualTo(name);
					}
				}
			});
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnServers() {
		this.runner.withUserConfiguration(EchoConfiguration.class, CustomServersConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ThousandIslandServers.class);
			ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
			assertThat(servers).isSameAs(context.getBean("customServers"));
			assertThat(servers.running()).containsOnlyKeys("custom");
			try (TestClient client = TestClient.connect(servers.get("custom").orElseThrow().port())) {
				assertThat(client.exchange("ping")).isEqualTo("ping");
			}
		});
	}

	@Test
	void appliesServerCustomizerBeans() {
		this.runner.withUserConfiguration(EchoConfiguration.class, ConnectionStartsConfiguration.class)
			.run((context) -> {
				ConnectionStarts starts = context.getBean(ConnectionStarts.class);
				assertThat(starts.servers).isEmpty();
				try (TestClient client = TestClient.connect(localPort(context, "echo"))) {
					assertThat(client.exchange("ping")).isEqualTo("ping");
				}
				assertThat(starts.servers).containsExactly("echo");
			});
	}

	@Test
	void publishesServerStartedEventWithTheBoundAddress() {
		this.runner.withUserConfiguration(EchoConfiguration.class, StartedEventsConfiguration.class)
			.run((context) -> {
				Server server = context.getBean(ThousandIslandServers.class).get("echo").orElseThrow();
				assertThat(context.getBean(StartedEvents.class).events).singleElement().satisfies((event) -> {
					assertThat(event.getServerName()).isEqualTo("echo");
					assertThat(event.getServer()).isSameAs(server);
					assertThat(event.getTransport()).isEqualTo("tcp");
					assertThat(event.getAddress())
						.isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), server.port()));
				});
			});
	}

	@Test
	void unixSocketServerPublishesItsPath(@TempDir Path directory) {
		Path path = directory.resolve("echo.sock");
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class))
			.withUserConfiguration(EchoConfiguration.class, StartedEventsConfiguration.class)
			.withPropertyValues("thousandisland.servers.echo.unix-path=" + path)
			.run((context) -> {
				assertThat(context.getEnvironment().getProperty("local.thousandisland.servers.echo.unix-path"))
					.isEqualTo(path.toString());
				assertThat(context.getEnvironment().getProperty("local.thousandisland.port")).isNull();
				assertThat(definition(context, "echo").endpoint()).isEqualTo("unix:" + path);
				assertThat(context.getBean(StartedEvents.class).events).singleElement()
					.satisfies((event) -> assertThat(event.getAddress()).isEqualTo(UnixDomainSocketAddress.of(path)));
				try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
					channel.connect(UnixDomainSocketAddress.of(path));
					channel.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
					String reply = CompletableFuture.supplyAsync(() -> readFully(channel, 4)).get(10, TimeUnit.SECONDS);
					assertThat(reply).isEqualTo("ping");
				}
			});
	}

	private static int localPort(AssertableApplicationContext context, String server) {
		Integer port = context.getEnvironment()
			.getProperty("local.thousandisland.servers." + server + ".port", Integer.class);
		assertThat(port).as("local.thousandisland.servers.%s.port", server).isNotNull().isPositive();
		return port;
	}

	private static ServerDefinition definition(AssertableApplicationContext context, String name) {
		return context.getBean(ThousandIslandServers.class)
			.definitions()
			.stream()
			.filter((definition) -> definition.name().equals(name))
			.findFirst()
			.orElseThrow();
	}

	private static String readFully(SocketChannel channel, int length) {
		ByteBuffer buffer = ByteBuffer.allocate(length);
		try {
			while (buffer.hasRemaining() && channel.read(buffer) != -1) {
				// keep reading
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
	}

	@Configuration(proxyBeanMethods = false)
	static class EchoConfiguration {

		@Bean
		Handler<Void> echo() {
			return new EchoHandler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UppercaseConfiguration {

		@Bean
		Handler<Void> upper() {
			return new Handler<>() {
				@Override
				public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
					String text = StandardCharsets.UTF_8.decode(data).toString();
					socket.send(text.toUpperCase().getBytes(StandardCharsets.UTF_8));
					return Result.continueWith(state);
				}
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomServersConfiguration {

		@Bean
		ThousandIslandServers customServers(Handler<?> echo) {
			ServerConfig config = ServerConfig.builder(echo)
				.name("custom")
				.port(0)
				.bindAddress(InetAddress.getLoopbackAddress())
				.build();
			return new ThousandIslandServers(List.of(new ServerDefinition("custom", "echo", "custom", config, null)));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ConnectionStartsConfiguration {

		@Bean
		ConnectionStarts connectionStarts() {
			return new ConnectionStarts();
		}

		@Bean
		ThousandIslandServerCustomizer connectionStartsCustomizer(ConnectionStarts starts) {
			return (serverName, builder) -> builder.telemetryListener((event) -> {
				if (event.name().equals(TelemetryEvent.CONNECTION_START)) {
					starts.servers.add(serverName);
				}
			});
		}

	}

	static class ConnectionStarts {

		final List<String> servers = new CopyOnWriteArrayList<>();

	}

	@Configuration(proxyBeanMethods = false)
	static class StartedEventsConfiguration {

		@Bean
		StartedEvents startedEvents() {
			return new StartedEvents();
		}

	}

	static class StartedEvents implements ApplicationListener<ServerStartedEvent> {

		final List<ServerStartedEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(ServerStartedEvent event) {
			this.events.add(event);
		}

	}

}
