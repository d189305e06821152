package dev.thousandisland;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS 1.3 key updates (RFC 8446 4.6.3) on a live connection. A JDK client sends one, asking for
 * an update in return, each time {@link SSLSocket#startHandshake()} is called after the
 * handshake. The server decrypts with the client's new keys from then on, and answers with a
 * key update of its own while it reads, without waiting for the handler to send.
 */
class TlsKeyUpdateTests {

	private static final int CLIENT_TIMEOUT_MILLIS = 10_000;

	/** TLS 1.3 wraps every encrypted record, a key update too, as application data. */
	private static final int APPLICATION_DATA = 23;

	private final List<Throwable> errors = new CopyOnWriteArrayList<>();

	private Server server;

	@AfterEach
	void stopServer() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	@Test
	void echoesOnThroughSeveralKeyUpdatesTheClientAsksFor() throws Exception {
		this.server = start();
		try (SSLSocket client = connect(new java.net.Socket())) {
			assertEchoes(client, "before any key update");
			for (int update = 1; update <= 3; update++) {
				client.startHandshake();
				assertEchoes(client, "after key update " + update);
			}
		}
		assertThat(this.errors).isEmpty();
	}

	@Test
	void answersAKeyUpdateRequestAtOnceThoughTheHandlerSendsNothing() throws Exception {
		this.server = start();
		java.net.Socket raw = new java.net.Socket();
		try (SSLSocket client = connect(raw)) {
			// Read through TLS once: what the handshake left on the wire (session tickets) is taken.
			assertEchoes(client, "before the key update");
			assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.3");
			client.startHandshake();
			// Beneath the client's TLS: the client sends no data, so the handler sends nothing, and
			// a record can only be the server's own key update.
			DataInputStream wire = new DataInputStream(raw.getInputStream());
			assertThat(wire.readUnsignedByte()).as("record type").isEqualTo(APPLICATION_DATA);
			assertThat(wire.readUnsignedShort()).as("record version").isEqualTo(0x0303);
			int length = wire.readUnsignedShort();
			assertThat(length).as("record length").isPositive();
			wire.readFully(new byte[length]);
		}
		assertThat(this.errors).isEmpty();
	}

	private Server start() throws IOException {
		return ServerConfig.builder(new Handler<Void>() {

			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				socket.send(data);
				return Result.continueWith(state);
			}

			@Override
			public void handleError(Throwable error, Socket socket, Void state) {
				TlsKeyUpdateTests.this.errors.add(error);
			}

		})
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.transport(Transport.tls(TestCertificates.get().serverContext()))
			.start();
	}

	private SSLSocket connect(java.net.Socket raw) throws IOException {
		raw.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.server.port()), CLIENT_TIMEOUT_MILLIS);
		raw.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
		SSLSocket client = (SSLSocket) TestCertificates.get()
			.clientContext()
			.getSocketFactory()
			.createSocket(raw, "localhost", this.server.port(), true);
		SSLParameters parameters = client.getSSLParameters();
		parameters.setProtocols(new String[] { "TLSv1.3" });
		client.setSSLParameters(parameters);
		client.startHandshake();
		return client;
	}

	private static void assertEchoes(SSLSocket client, String text) throws IOException {
		OutputStream out = client.getOutputStream();
		out.write(text.getBytes(StandardCharsets.UTF_8));
		out.flush();
		byte[] echoed = client.getInputStream().readNBytes(text.getBytes(StandardCharsets.UTF_8).length);
		assertThat(new String(echoed, StandardCharsets.UTF_8)).isEqualTo(text);
	}

}
