package dev.thousandisland.internal.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.Selector;
import java.time.Duration;

import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.transport.Transport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TCP keep-alive as the client configures it, read back from the connected socket the client's
 * own connector made (a real loopback connection, the options as the kernel reports them).
 */
class KeepAliveOptionsTests {

	@Test
	void keepAliveWithItsTimingIsSetOnTheConnectedSocket() throws IOException {
		ClientConfig config = config().keepAlive(Duration.ofSeconds(7), Duration.ofSeconds(3), 4).build();
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			Connector.Connected connected = connect(config, server);
			try {
				assertThat(connected.socket().getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
				assertThat(connected.socket().getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(7);
				assertThat(connected.socket().getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(3);
				assertThat(connected.socket().getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(4);
			}
			finally {
				connected.socket().close();
			}
		}
	}

	@Test
	void keepAliveIsOffByDefault() throws IOException {
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			Connector.Connected connected = connect(config().build(), server);
			try {
				assertThat(connected.socket().getOption(StandardSocketOptions.SO_KEEPALIVE)).isFalse();
			}
			finally {
				connected.socket().close();
			}
		}
	}

	@Test
	void keepAliveAloneKeepsTheSystemTiming() throws IOException {
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			Connector.Connected plain = connect(config().build(), server);
			Connector.Connected connected = connect(config().keepAlive(true).build(), server);
			try {
				assertThat(connected.socket().getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
				assertThat(connected.socket().getOption(ExtendedSocketOptions.TCP_KEEPIDLE))
					.isEqualTo(plain.socket().getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
			}
			finally {
				connected.socket().close();
				plain.socket().close();
			}
		}
	}

	private static ClientConfig.Builder config() {
		return ClientConfig.builder(Framing.line()).name("keepalive").tcp("127.0.0.1", 1);
	}

	private static Connector.Connected connect(ClientConfig config, ServerSocket server) throws IOException {
		Selector selector = Selector.open();
		SelectorReadiness readiness = new SelectorReadiness(selector, () -> false);
		Connector connector = new Connector(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()),
				Transport.plain(), selector, readiness, new KeepAliveOptions(config.liveness(), config.name()));
		return connector.connect(System.nanoTime() + Duration.ofSeconds(5).toNanos());
	}

}
