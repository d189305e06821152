package dev.thousandisland.autoconfigure;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.Socket;

import static org.assertj.core.api.Assertions.assertThat;

class ThousandIslandAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class))
		.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1");

	@Test
	void singleHandlerBeanBecomesAServerNamedAfterTheBean() {
		this.runner.withUserConfiguration(EchoConfiguration.class).run((context) -> {
			ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
			assertThat(servers.definitions()).singleElement()
				.satisfies((definition) -> assertThat(definition.name()).isEqualTo("echo"));
			Server server = servers.get("echo").orElseThrow();
			try (java.net.Socket client = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
				client.setSoTimeout(5000);
				OutputStream out = client.getOutputStream();
				InputStream in = client.getInputStream();
				out.write("ping".getBytes(StandardCharsets.UTF_8));
				assertThat(new String(in.readNBytes(4), StandardCharsets.UTF_8)).isEqualTo("ping");
			}
			assertThat(context.getEnvironment().getProperty("local.thousandisland.port", Integer.class))
				.isEqualTo(server.port());
		});
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
