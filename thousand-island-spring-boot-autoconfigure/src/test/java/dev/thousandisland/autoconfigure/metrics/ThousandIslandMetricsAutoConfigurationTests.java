package dev.thousandisland.autoconfigure.metrics;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.Socket;
import dev.thousandisland.autoconfigure.ThousandIslandAutoConfiguration;
import dev.thousandisland.autoconfigure.ThousandIslandServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ThousandIslandMetricsAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, ThousandIslandAutoConfiguration.class,
				ThousandIslandMetricsAutoConfiguration.class))
		.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1");

	@Test
	void countsAcceptedConnectionsAndBytesPerServer() {
		this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			Server server = context.getBean(ThousandIslandServers.class).get("echo").orElseThrow();
			for (int i = 0; i < 3; i++) {
				try (java.net.Socket client = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
					client.setSoTimeout(5000);
					OutputStream out = client.getOutputStream();
					InputStream in = client.getInputStream();
					out.write("hello".getBytes(StandardCharsets.UTF_8));
					assertThat(in.readNBytes(5)).hasSize(5);
				}
			}
			await().untilAsserted(() -> assertThat(registry.get("thousandisland.connection.duration")
				.tags("server", "echo", "transport", "tcp")
				.timer()
				.count()).isEqualTo(3));
			assertThat(registry.get("thousandisland.connections.accepted").tags("server", "echo").counter().count())
				.isEqualTo(3);
			assertThat(registry.get("thousandisland.data.received").counter().count()).isEqualTo(15);
			assertThat(registry.get("thousandisland.data.sent").counter().count()).isEqualTo(15);
			// The stop event comes just before the connection leaves the active count.
			await().untilAsserted(() -> assertThat(registry.get("thousandisland.connections.active")
				.tags("server", "echo")
				.gauge()
				.value()).isZero());
		});
	}

	@Test
	void tagsTheMetersOfACamelCaseBeanWithTheServersKebabCaseName() {
		this.runner.withUserConfiguration(EchoServerConfiguration.class).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			Server server = context.getBean(ThousandIslandServers.class).get("echo-server").orElseThrow();
			try (LoopbackClient client = LoopbackClient.connect(server.port())) {
				client.exchange("hello".getBytes(StandardCharsets.UTF_8));
			}
			assertThat(registry.get("thousandisland.connections.accepted")
				.tags("server", "echo-server")
				.counter()
				.count()).isEqualTo(1);
			assertThat(registry.find("thousandisland.connections.accepted").tags("server", "echoServer").counter())
				.isNull();
		});
	}

	@Test
	void activeConnectionsGaugeKeepsReportingAfterAGarbageCollection() {
		this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			Server server = context.getBean(ThousandIslandServers.class).get("echo").orElseThrow();
			System.gc();
			try (LoopbackClient client = LoopbackClient.connect(server.port())) {
				client.exchange("held".getBytes(StandardCharsets.UTF_8));
				assertThat(registry.get("thousandisland.connections.active").gauge().value()).isEqualTo(1);
			}
			await().untilAsserted(
					() -> assertThat(registry.get("thousandisland.connections.active").gauge().value()).isZero());
		});
	}

	@Test
	void aConnectionRefusedByTheLimitCountsOnceAsRejectedAndNotAsAnAcceptorError() {
		this.runner.withUserConfiguration(EchoConfiguration.class)
			.withPropertyValues("thousandisland.acceptors=1", "thousandisland.max-connections-per-acceptor=1",
					"thousandisland.max-connections-retry-count=0")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				Server server = context.getBean(ThousandIslandServers.class).get("echo").orElseThrow();
				try (LoopbackClient admitted = LoopbackClient.connect(server.port())) {
					admitted.exchange("in".getBytes(StandardCharsets.UTF_8));
					try (LoopbackClient refused = LoopbackClient.connect(server.port())) {
						assertThat(refused.receiveUntilClosed()).isZero();
					}
					await().untilAsserted(() -> assertThat(registry.get("thousandisland.connections.rejected")
						.tags("server", "echo", "transport", "tcp", "reason", "limit")
						.counter()
						.count()).isEqualTo(1));
					assertThat(registry.find("thousandisland.acceptor.errors").counters())
						.as("a refusal at the limit is not an acceptor error")
						.allSatisfy((counter) -> assertThat(counter.count()).isZero());
				}
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class EchoServerConfiguration {

		@Bean
		Handler<Void> echoServer() {
			return new EchoConfiguration().echo();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class EchoConfiguration {

		@Bean
		Handler<Void> echo() {
			return new Handler<>() {
				@Override
				public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
					socket.send(data);
					return Result.continueWith(state);
				}
			};
		}

	}

}
