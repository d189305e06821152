package dev.thousandisland.test;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Socket;
import dev.thousandisland.autoconfigure.ThousandIslandServers;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RandomThousandIslandPorts} over configured ports that could not be bound (privileged,
 * and the same for two servers), and {@link LocalThousandIslandPort} on a field, a constructor
 * parameter and a test-method parameter.
 */
@SpringBootTest(properties = { "thousandisland.address=127.0.0.1", "thousandisland.port=1",
		"thousandisland.servers.echo.port=2", "thousandisland.servers.upper-case.port=2",
		"thousandisland.servers.upper-case.handler=upper", "thousandisland.shutdown=immediate" })
@RandomThousandIslandPorts
class RandomThousandIslandPortsTests {

	@LocalThousandIslandPort("echo")
	private int echoPort;

	@LocalThousandIslandPort("upper-case")
	private int upperCasePort;

	@LocalThousandIslandPort("quiet")
	private int quietPort;

	@LocalThousandIslandPort
	private int firstPort;

	private final int echoPortFromConstructor;

	@Autowired
	private ThousandIslandServers servers;

	RandomThousandIslandPortsTests(@LocalThousandIslandPort("echo") int echoPort) {
		this.echoPortFromConstructor = echoPort;
	}

	@Test
	void everyServerListensOnAPortOfItsOwnThatTheSystemPicked() {
		assertThat(this.servers.running()).containsOnlyKeys("echo", "upper-case", "quiet");
		assertThat(this.servers.definitions()).allSatisfy((definition) -> assertThat(definition.config().port())
			.as(definition.name())
			.isZero());
		assertThat(this.servers.get("echo").orElseThrow().port()).isEqualTo(this.echoPort).isGreaterThan(1024);
		assertThat(this.servers.get("upper-case").orElseThrow().port()).isEqualTo(this.upperCasePort)
			.isGreaterThan(1024);
		assertThat(this.servers.get("quiet").orElseThrow().port()).isEqualTo(this.quietPort).isGreaterThan(1024);
		assertThat(this.firstPort).isIn(this.echoPort, this.upperCasePort, this.quietPort);
	}

	@Test
	void thePortReachesConstructorsAndTestMethodParameters(@LocalThousandIslandPort("upper-case") int upperCase) {
		assertThat(this.echoPortFromConstructor).isEqualTo(this.echoPort);
		assertThat(upperCase).isEqualTo(this.upperCasePort);
	}

	@Test
	void theInjectedPortsReachTheServers() {
		try (SocketTestClient echo = SocketTestClient.connect(this.echoPort);
				SocketTestClient upper = SocketTestClient.connect(this.upperCasePort)) {
			assertThat(echo.sendLine("hello").readLine()).isEqualTo("hello");
			assertThat(upper.sendLine("hello").readLine()).isEqualTo("HELLO");
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Servers {

		@Bean
		Handler<Void> echo() {
			return new SocketTestClientTests.EchoHandler();
		}

		@Bean
		Handler<Void> upper() {
			return new Handler<>() {
				@Override
				public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
					byte[] bytes = new byte[data.remaining()];
					data.get(bytes);
					socket.send(new String(bytes).toUpperCase().getBytes());
					return Result.continueWith(state);
				}
			};
		}

		/** Runs on the top-level port, being named by no server property. */
		@Bean
		Handler<Void> quiet() {
			return new Handler<>() {
			};
		}

	}

}
