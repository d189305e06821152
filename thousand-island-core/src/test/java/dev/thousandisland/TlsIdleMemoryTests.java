package dev.thousandisland;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.transport.TlsTransport;
import dev.thousandisland.transport.Transport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What idle TLS connections pin: a connection waiting for the rest of a TLS record holds the bytes
 * of it that arrived, not a full-size record buffer, whether it hibernates or not (issue 12,
 * item 8): exactly those bytes when they arrived in one read, at most twice as many as later
 * bytes arrive (its buffer doubles when full rather than being copied at every wake-up, issue 24,
 * item 2). Observed through {@link TlsTransport#heldInboundBytes()}, which counts the capacity of
 * every buffer holding undecrypted ciphertext.
 */
class TlsIdleMemoryTests {

	/** Raise with {@code -Dtls.idle.connections=5000} to look at a larger crowd. */
	static final int CONNECTIONS = Integer.getInteger("tls.idle.connections", 50);

	/** The first three bytes of an application-data record header, the rest never sent. */
	static final byte[] PARTIAL_RECORD = { 0x17, 0x03, 0x03 };

	@ParameterizedTest(name = "hibernating={0}")
	@ValueSource(booleans = { false, true })
	void connectionParkedOnAPartialRecordHoldsOnlyTheBytesItReceived(boolean hibernating) throws Exception {
		TlsTransport tls = Transport.tls(TestCertificates.get().serverContext());
		Server server = ServerConfig.builder(new Handler<Void>() {
		})
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.transport(tls)
			// However slowly the clients connect, the first must still be waiting when the last is.
			.readTimeout(ServerConfig.NO_TIMEOUT)
			.hibernateAfter(hibernating ? Duration.ZERO : ServerConfig.NO_TIMEOUT)
			.start();
		List<java.net.Socket> clients = new ArrayList<>();
		try {
			for (int i = 0; i < CONNECTIONS; i++) {
				java.net.Socket raw = new java.net.Socket();
				clients.add(raw);
				raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
				raw.setSoTimeout(10_000);
				SSLSocket client = (SSLSocket) TestCertificates.get()
					.clientContext()
					.getSocketFactory()
					.createSocket(raw, "localhost", server.port(), true);
				client.startHandshake();
				// Past TLS, straight onto the wire: the start of a record that never completes.
				raw.getOutputStream().write(PARTIAL_RECORD);
			}
			// Three bytes each, exactly, when they came in one read; a 3-byte header that came in two
			// reads may sit in a buffer of 4.
			awaitHeld(tls, 3);
			// A slowloris adds one byte of the header at a time: the memory follows the bytes, the
			// buffer doubling when full.
			for (java.net.Socket raw : clients) {
				OutputStream out = raw.getOutputStream();
				out.write(0x00);
			}
			awaitHeld(tls, 4);
			for (java.net.Socket raw : clients) {
				raw.getOutputStream().write(0x10);
			}
			awaitHeld(tls, 5);
			assertThat(server.activeConnections()).isEqualTo(CONNECTIONS);
		}
		finally {
			for (java.net.Socket client : clients) {
				client.close();
			}
			server.stop();
		}
		assertThat(tls.heldInboundBytes()).as("held after every connection closed").isZero();
	}

	/** Each connection holds at least the bytes it received and at most twice as many. */
	private static void awaitHeld(TlsTransport tls, long received) {
		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(tls.heldInboundBytes()).isBetween(CONNECTIONS * received,
					CONNECTIONS * 2 * received));
	}

}
