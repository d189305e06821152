package dev.thousandisland;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;

import dev.thousandisland.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A handshake cut into tiny records (issue 24, item 2): the JDK's engine copies what it has of a
 * fragmented handshake message at each record, so a message in n one-byte records costs it about
 * n²/2 bytes. The server refuses a client sending more than 512 records in a row without
 * application data, and still serves one that cuts its ClientHello into small records.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsFragmentedHandshakeTests {

	private final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();

	private Server server;

	@BeforeEach
	void start() throws IOException {
		this.server = ServerConfig.builder(new Handler<Void>() {

			@Override
			public void handleError(Throwable error, Socket socket, Void state) {
				TlsFragmentedHandshakeTests.this.errors.add(error);
			}

		})
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.transport(Transport.tls(TestCertificates.get().serverContext()))
			.start();
	}

	@AfterEach
	void stop() {
		this.server.stop();
	}

	@Test
	void aClientHelloInSmallRecordsIsServed() throws Exception {
		assertThat(FragmentingClient.handshake(TestCertificates.get().clientContext(), this.server.port(), "localhost"))
			.contains("CN=");
	}

	@Test
	void aHandshakeMessageInMoreThan512OneByteRecordsIsRefused() throws Exception {
		// A ClientHello declaring 32,000 bytes, one byte per record: 600 records, all whole.
		byte[] hello = { 0x01, 0x00, 0x7D, 0x00, 0x03, 0x03 };
		byte[] records = new byte[600 * 6];
		for (int i = 0; i < 600; i++) {
			byte[] header = { 0x16, 0x03, 0x01, 0x00, 0x01 };
			System.arraycopy(header, 0, records, i * 6, 5);
			records[i * 6 + 5] = (i < hello.length) ? hello[i] : 0;
		}
		try (java.net.Socket client = new java.net.Socket()) {
			client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.server.port()), 10_000);
			client.setSoTimeout(30_000);
			OutputStream out = client.getOutputStream();
			out.write(records);
			out.flush();
			// Not closing: the server must end the connection on its own, long before its
			// handshake timeout.
			assertThat(readUntilClosed(client.getInputStream())).as("server closed the connection").isTrue();
		}
		Throwable error = this.errors.poll(10, TimeUnit.SECONDS);
		assertThat(error).isInstanceOf(SSLHandshakeException.class)
			.hasMessageContaining("more than 512 TLS records in a row without application data");
	}

	private static boolean readUntilClosed(InputStream in) throws IOException {
		byte[] sink = new byte[256];
		try {
			while (in.read(sink) >= 0) {
				// An alert, if any, does not matter.
			}
			return true;
		}
		catch (SocketException ex) {
			return true;
		}
	}

}
