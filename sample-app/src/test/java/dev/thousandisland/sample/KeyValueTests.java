package dev.thousandisland.sample;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.thousandisland.test.LocalThousandIslandPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The key-value server of the running sample application, over real loopback sockets speaking
 * frames with a 4-byte big-endian length.
 */
@SampleApplicationTest
class KeyValueTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(15);

	@LocalThousandIslandPort("kv")
	private int port;

	@Test
	void aValueSetOnOneConnectionIsReadOnAnother() throws IOException {
		try (Client writer = connect(); Client reader = connect()) {
			assertThat(writer.request("SET greeting h\u00e9llo, w\u00f6rld")).isEqualTo("OK");
			assertThat(reader.request("GET greeting")).isEqualTo("VALUE h\u00e9llo, w\u00f6rld");
			assertThat(reader.request("GET nobody-set-this")).isEqualTo("NONE");
		}
	}

	@Test
	void requestsSentInOneWriteAndAFrameSplitAcrossWritesAreEachAnswered() throws IOException {
		try (Client client = connect()) {
			byte[] set = frame("SET split value");
			byte[] get = frame("GET split");
			byte[] both = new byte[set.length + get.length];
			System.arraycopy(set, 0, both, 0, set.length);
			System.arraycopy(get, 0, both, set.length, get.length);
			client.out.write(both, 0, set.length + 3);
			client.out.flush();
			client.out.write(both, set.length + 3, both.length - set.length - 3);
			client.out.flush();
			assertThat(client.reply()).isEqualTo("OK");
			assertThat(client.reply()).isEqualTo("VALUE value");
		}
	}

	@Test
	void anUnknownCommandGetsAnErrorAndTheConnectionCarriesOn() throws IOException {
		try (Client client = connect()) {
			assertThat(client.request("DELETE everything")).isEqualTo("ERR expected GET key or SET key value");
			assertThat(client.request("SET still here")).isEqualTo("OK");
		}
	}

	@Test
	void aLengthHeaderOverTheMaximumGetsAnErrorAndEndsOnlyThatConnection() throws IOException {
		try (Client offender = connect(); Client bystander = connect()) {
			offender.out.writeInt(Integer.MAX_VALUE);
			offender.out.flush();
			assertThat(offender.reply()).isEqualTo("ERR frame too large (the limit is 65536 bytes)");
			assertThatExceptionOfType(EOFException.class).isThrownBy(offender::reply);
			assertThat(bystander.request("SET bystander fine")).isEqualTo("OK");
		}
	}

	private Client connect() throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), (int) TIMEOUT.toMillis());
		socket.setSoTimeout((int) TIMEOUT.toMillis());
		return new Client(socket);
	}

	private static byte[] frame(String text) {
		byte[] body = text.getBytes(StandardCharsets.UTF_8);
		byte[] frame = new byte[4 + body.length];
		frame[0] = (byte) (body.length >>> 24);
		frame[1] = (byte) (body.length >>> 16);
		frame[2] = (byte) (body.length >>> 8);
		frame[3] = (byte) body.length;
		System.arraycopy(body, 0, frame, 4, body.length);
		return frame;
	}

	/** A blocking client: one frame out, one frame back. */
	private static final class Client implements AutoCloseable {

		private final Socket socket;

		private final DataOutputStream out;

		private final DataInputStream in;

		Client(Socket socket) throws IOException {
			this.socket = socket;
			this.out = new DataOutputStream(socket.getOutputStream());
			this.in = new DataInputStream(socket.getInputStream());
		}

		String request(String text) throws IOException {
			this.out.write(frame(text));
			this.out.flush();
			return reply();
		}

		String reply() throws IOException {
			int length = this.in.readInt();
			assertThat(length).as("reply length").isBetween(0, 1024 * 1024);
			return new String(this.in.readNBytes(length), StandardCharsets.UTF_8);
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}
