package dev.thousandisland;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.transport.Transport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TlsSmokeTests {

	@Test
	void echoesOverTls() throws Exception {
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
			.transport(Transport.tls(certificates.serverContext()))
			.start();
		try (SSLSocket client = (SSLSocket) certificates.clientContext()
			.getSocketFactory()
			.createSocket(InetAddress.getLoopbackAddress(), server.port())) {
			client.setSoTimeout(10_000);
			OutputStream out = client.getOutputStream();
			InputStream in = client.getInputStream();
			for (int i = 0; i < 50; i++) {
				byte[] message = ("hello" + i).repeat(1 + i * 100).getBytes(StandardCharsets.UTF_8);
				out.write(message);
				assertThat(in.readNBytes(message.length)).isEqualTo(message);
			}
			assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.3");
		}
		finally {
			server.stop();
		}
	}

}
