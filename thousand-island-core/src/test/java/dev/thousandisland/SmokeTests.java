package dev.thousandisland;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTests {

	@Test
	void echoesOverLoopback() throws Exception {
		Handler<Void> echo = new Handler<>() {
			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				socket.send(data);
				return Result.continueWith(state);
			}
		};
		Server server = ServerConfig.builder(echo).port(0).bindAddress(InetAddress.getLoopbackAddress()).start();
		try (java.net.Socket client = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
			OutputStream out = client.getOutputStream();
			InputStream in = client.getInputStream();
			for (int i = 0; i < 100; i++) {
				out.write(("hello" + i).getBytes(StandardCharsets.UTF_8));
				byte[] reply = in.readNBytes(("hello" + i).length());
				assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("hello" + i);
			}
		}
		finally {
			server.stop();
		}
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
	}

}
