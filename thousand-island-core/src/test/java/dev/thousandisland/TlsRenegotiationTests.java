package dev.thousandisland;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.transport.TlsTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A TLS 1.2 client that asks to renegotiate after the handshake is refused: a second handshake
 * could carry another server_name (and another client certificate) into a connection whose
 * context, certificate and handler were chosen by the first, which is exactly the disagreement the
 * server-name check exists to prevent. The JDK's engine accepts client-initiated renegotiation
 * unless the JVM-wide {@code jdk.tls.rejectClientInitiatedRenegotiation} is set, so the channel
 * refuses it itself.
 */
// Generous: the first test of a JVM makes the certificates with keytool, slow on a busy machine.
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TlsRenegotiationTests {

	@Test
	void aClientInitiatedRenegotiationEndsTheConnection() throws Exception {
		Handler<Void> echo = new Handler<>() {
			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				socket.send(data);
				return Result.continueWith(state);
			}
		};
		TestCertificates certificates = TestCertificates.get();
		Server server = ServerConfig.builder(echo)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.transport(TlsTransport.builder(certificates.serverContext())
				.serverName("api.example.com", certificates.serverContextFor("api.example.com"))
				.build())
			.start();
		try (SSLSocket client = (SSLSocket) certificates.clientContext()
			.getSocketFactory()
			.createSocket(InetAddress.getLoopbackAddress(), server.port())) {
			client.setSoTimeout(10_000);
			client.setEnabledProtocols(new String[] { "TLSv1.2" });
			SSLParameters parameters = client.getSSLParameters();
			parameters.setServerNames(List.of(new SNIHostName("api.example.com")));
			client.setSSLParameters(parameters);
			OutputStream out = client.getOutputStream();
			InputStream in = client.getInputStream();
			out.write("first".getBytes(StandardCharsets.US_ASCII));
			assertThat(in.readNBytes(5)).asString(StandardCharsets.US_ASCII).isEqualTo("first");
			assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.2");

			parameters.setServerNames(List.of(new SNIHostName("other.example.net")));
			client.setSSLParameters(parameters);
			String outcome;
			try {
				client.startHandshake();
				out.write("second".getBytes(StandardCharsets.US_ASCII));
				byte[] reply = in.readNBytes(6);
				outcome = (reply.length == 6) ? "served after renegotiating: " + new String(reply, StandardCharsets.US_ASCII)
						: "closed";
			}
			catch (IOException ex) {
				outcome = "closed";
			}
			assertThat(outcome).isEqualTo("closed");
		}
		finally {
			server.stop();
		}
	}

}
