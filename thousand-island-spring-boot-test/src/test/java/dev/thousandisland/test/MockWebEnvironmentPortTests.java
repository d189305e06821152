package dev.thousandisland.test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.context.WebApplicationContext;

import dev.thousandisland.Handler;
import dev.thousandisland.autoconfigure.ThousandIslandClients;
import dev.thousandisland.autoconfigure.ThousandIslandServers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LocalThousandIslandPort} and {@link RandomThousandIslandPorts} in a plain
 * {@code @SpringBootTest}: Spring MVC is on the classpath, so the context is the default mock web
 * one. The handler bean is named in camelCase, the server in its kebab form, and a client of the
 * application's own server follows that server's random port.
 */
@SpringBootTest(properties = { "thousandisland.address=127.0.0.1", "thousandisland.shutdown=immediate",
		"thousandisland.clients.echo-client.port=${local.thousandisland.servers.echo-server.port}",
		"thousandisland.clients.echo-client.framing.type=line" })
@RandomThousandIslandPorts
class MockWebEnvironmentPortTests {

	@LocalThousandIslandPort("echo-server")
	private int port;

	@LocalThousandIslandPort("echoServer")
	private int portByBeanName;

	private final int portFromConstructor;

	@Autowired
	private ThousandIslandServers servers;

	@Autowired
	private ThousandIslandClients clients;

	MockWebEnvironmentPortTests(@LocalThousandIslandPort("echo-server") int port) {
		this.portFromConstructor = port;
	}

	@Test
	void theContextIsTheMockWebOne(@Autowired ApplicationContext context) {
		assertThat(context).isInstanceOf(WebApplicationContext.class);
	}

	@Test
	void thePortReachesFieldsConstructorsAndTestMethodParameters(@LocalThousandIslandPort("echo-server") int port) {
		int bound = this.servers.get("echo-server").orElseThrow().port();
		assertThat(this.port).isEqualTo(bound).isGreaterThan(1024);
		assertThat(this.portByBeanName).isEqualTo(bound);
		assertThat(this.portFromConstructor).isEqualTo(bound);
		assertThat(port).isEqualTo(bound);
		try (SocketTestClient client = SocketTestClient.connect(this.port)) {
			assertThat(client.sendLine("hello").readLine()).isEqualTo("hello");
		}
	}

	@Test
	void aClientOfTheApplicationsOwnServerFollowsItsRandomPort() throws Exception {
		ByteBuffer reply = this.clients.get("echo-client")
			.request(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
		assertThat(StandardCharsets.UTF_8.decode(reply).toString()).isEqualTo("ping");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Servers {

		@Bean
		Handler<Void> echoServer() {
			return new SocketTestClientTests.EchoHandler();
		}

	}

}
