package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.thousandisland.Handler;
import dev.thousandisland.telemetry.TelemetryEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client of one of the application's own servers starts once the servers have started, with the
 * address they bound, and stops before they drain: it follows a random port, and it never fails
 * to connect at start-up nor reconnects while the context closes.
 */
class ThousandIslandServerClientsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class))
		.withPropertyValues("thousandisland.address=127.0.0.1", "thousandisland.clients.echo-client.framing.type=line");

	@Test
	void aClientFollowsThePortItsServerPublishes() {
		ConnectFailures failures = new ConnectFailures();
		this.runner.withUserConfiguration(EchoServerConfiguration.class)
			.withBean(ConnectFailures.class, () -> failures)
			.withPropertyValues("thousandisland.servers.echo-server.port=0",
					"thousandisland.clients.echo-client.port=${local.thousandisland.servers.echo-server.port}")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ThousandIslandClient client = context.getBean(ThousandIslandClients.class).get("echo-client");
				assertThat(text(client.request(utf8("ping")))).isEqualTo("ping");
				int port = context.getBean(ThousandIslandServers.class).get("echo-server").orElseThrow().port();
				assertThat(client.definition().address()).endsWith(":" + port);
			});
		assertThat(failures.events).isEmpty();
	}

	@Test
	void aClientOfTheServersFixedPortNeverFailsToConnect() throws IOException {
		int port = freePort();
		ConnectFailures failures = new ConnectFailures();
		this.runner.withUserConfiguration(ShoutConfiguration.class)
			.withBean(ConnectFailures.class, () -> failures)
			.withPropertyValues("thousandisland.servers.shout.port=" + port,
					"thousandisland.clients.echo-client.port=" + port)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ThousandIslandClient client = context.getBean(ThousandIslandClients.class).get("echo-client");
				assertThat(text(client.request(utf8("ping")))).isEqualTo("ping");
			});
		assertThat(failures.events).isEmpty();
	}

	private static ByteBuffer utf8(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	private static String text(ByteBuffer buffer) {
		return StandardCharsets.UTF_8.decode(buffer).toString();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/** Records every failed connect of every client, through the context and after it closed. */
	static final class ConnectFailures implements ClientTelemetryListener {

		final List<TelemetryEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onEvent(TelemetryEvent event) {
			if (TelemetryEvent.CLIENT_CONNECT_FAILED.equals(event.name())) {
				this.events.add(event);
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class EchoServerConfiguration {

		@Bean
		Handler<Void> echoServer() {
			return new EchoHandler();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ShoutConfiguration {

		@Bean
		Handler<Void> shout() {
			return new EchoHandler();
		}

	}

}
