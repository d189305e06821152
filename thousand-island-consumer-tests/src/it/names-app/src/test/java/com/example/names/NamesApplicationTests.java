package com.example.names;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.web.context.WebApplicationContext;

import dev.thousandisland.autoconfigure.ServerDefinition;
import dev.thousandisland.autoconfigure.ThousandIslandClients;
import dev.thousandisland.autoconfigure.ThousandIslandServers;
import dev.thousandisland.test.LocalThousandIslandPort;
import dev.thousandisland.test.RandomThousandIslandPorts;
import dev.thousandisland.test.SocketTestClient;

// A default @SpringBootTest (the mock web environment, Spring MVC being on the classpath) with the test support.
@SpringBootTest
@RandomThousandIslandPorts
class NamesApplicationTests {

	@LocalThousandIslandPort("echo-server")
	int echoPort;

	private final int upperPort;

	@Autowired
	ThousandIslandServers servers;

	@Autowired
	ThousandIslandClients clients;

	NamesApplicationTests(@LocalThousandIslandPort("upper-handler") int upperPort) {
		this.upperPort = upperPort;
	}

	@Test
	void theBeansAreServersNamedInKebabCaseAndTheEnvironmentOverridesTheOneServer(
			@Autowired ApplicationContext context) {
		assertThat(context).isInstanceOf(WebApplicationContext.class);
		assertThat(this.servers.definitions()).extracting(ServerDefinition::name)
			.containsExactlyInAnyOrder("echo-server", "upper-handler");
		ServerDefinition echo = this.servers.definitions().stream()
			.filter((definition) -> definition.name().equals("echo-server"))
			.findFirst()
			.orElseThrow();
		// THOUSANDISLAND_SERVERS_ECHOSERVER_READTIMEOUT=7s over application.properties' 30s.
		assertThat(echo.config().readTimeout()).hasSeconds(7);
	}

	@Test
	void theServersListenOnRandomPorts() {
		assertThat(this.echoPort).isNotEqualTo(5100).isEqualTo(this.servers.get("echo-server").orElseThrow().port());
		assertThat(this.upperPort).isNotEqualTo(5101).isEqualTo(this.servers.get("upperHandler").orElseThrow().port());
	}

	@Test
	void theServersServe(@LocalThousandIslandPort("echoServer") int echoPort) {
		try (SocketTestClient echo = SocketTestClient.connect(echoPort);
				SocketTestClient upper = SocketTestClient.connect(this.upperPort)) {
			assertThat(echo.sendLine("hello").readLine()).isEqualTo("hello");
			assertThat(upper.sendLine("hello").readLine()).isEqualTo("HELLO");
		}
	}

	@Test
	void theClientReachesTheApplicationsOwnServerOnItsRandomPort() throws Exception {
		ByteBuffer reply = this.clients.get("upper-client").request(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
		assertThat(StandardCharsets.UTF_8.decode(reply).toString()).isEqualTo("PING");
	}

}
