package dev.thousandisland.autoconfigure;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.framing.Framing;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a client's address reads in its health, the endpoint and logs: host and port as the user
 * wrote them, never Java's {@code 127.0.0.1/<unresolved>:5040}.
 */
class ClientDefinitionAddressTests {

	@Test
	void anIpv4AddressReadsAsHostColonPort() {
		assertThat(address(ClientConfig.builder(Framing.line()).tcp("127.0.0.1", 5040))).isEqualTo("127.0.0.1:5040");
	}

	@Test
	void aHostNameIsKeptAsWrittenWithoutALookup() {
		assertThat(address(ClientConfig.builder(Framing.line()).tcp("localhost", 5040))).isEqualTo("localhost:5040");
	}

	@Test
	void anIpv6AddressIsBracketed() {
		assertThat(address(ClientConfig.builder(Framing.line()).tcp("::1", 5040))).isEqualTo("[::1]:5040");
	}

	@Test
	void aUnixSocketReadsAsUnixAndItsPath() {
		assertThat(address(ClientConfig.builder(Framing.line()).unix(Path.of("/run/app.sock"))))
			.isEqualTo("unix:/run/app.sock");
	}

	private static String address(ClientConfig.Builder builder) {
		return new ClientDefinition("client", builder.build(), 1).address();
	}

}
