package dev.thousandisland.internal.channel;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ClientHello server_name reader against real ClientHellos made by the JDK's own client
 * engine, cut into every prefix, re-framed into tiny records, and mutated at random (seeded, so a
 * failure repeats).
 */
class ClientHelloServerNameTests {

	@Test
	void findsTheHostNameInARealTls13ClientHello() throws Exception {
		assertThat(read(clientHello("api.example.com", "TLSv1.3", "TLSv1.2"))).isEqualTo("api.example.com");
	}

	@Test
	void findsTheHostNameInARealTls12OnlyClientHelloInLowerCase() throws Exception {
		assertThat(read(clientHello("Mail.Example.COM", "TLSv1.2"))).isEqualTo("mail.example.com");
	}

	@Test
	void reportsNoNameWhenTheClientSendsNone() throws Exception {
		ClientHelloServerName search = new ClientHelloServerName();
		assertThat(search.offer(ByteBuffer.wrap(clientHello(null, "TLSv1.3")))).isTrue();
		assertThat(search.serverName()).isNull();
	}

	@Test
	void asksForMoreAtEveryPrefixOfTheClientHelloAndNeverReadsPastIt() throws Exception {
		byte[] hello = clientHello("api.example.com", "TLSv1.3");
		byte[] followed = Arrays.copyOf(hello, hello.length + 100);
		ClientHelloServerName search = new ClientHelloServerName();
		for (int length = 1; length < hello.length; length++) {
			assertThat(search.offer(ByteBuffer.wrap(followed, 0, length).slice())).as("prefix of %d bytes", length)
				.isFalse();
		}
		assertThat(search.offer(ByteBuffer.wrap(followed))).isTrue();
		assertThat(search.serverName()).isEqualTo("api.example.com");
	}

	@Test
	void findsTheNameInAClientHelloFragmentedAcrossTinyRecordsArrivingAByteAtATime() throws Exception {
		for (int fragment : List.of(1, 2, 3, 7, 100)) {
			byte[] reframed = reframe(clientHello("api.example.com", "TLSv1.3"), fragment);
			ClientHelloServerName search = new ClientHelloServerName();
			boolean done = false;
			for (int length = 1; length <= reframed.length && !done; length++) {
				done = search.offer(ByteBuffer.wrap(reframed, 0, length).slice());
			}
			assertThat(done).as("fragments of %d bytes", fragment).isTrue();
			assertThat(search.serverName()).isEqualTo("api.example.com");
		}
	}

	@Test
	void givesUpWithNoNameOnWhatIsNotATlsHandshake() {
		for (byte[] garbage : List.of("GET / HTTP/1.1\r\n\r\n".getBytes(), new byte[] { (byte) 0x80, 0x2e, 0x01, 0x03 },
				new byte[] { 22, 3, 1, 0, 0 }, new byte[] { 22, 3, 1, (byte) 0xFF, (byte) 0xFF },
				new byte[] { 22, 3, 1, 0, 4, 2, 0, 0, 0 })) {
			ClientHelloServerName search = new ClientHelloServerName();
			assertThat(search.offer(ByteBuffer.wrap(garbage))).as(Arrays.toString(garbage)).isTrue();
			assertThat(search.serverName()).isNull();
		}
	}

	@Test
	void givesUpOnAClientHelloLargerThanItsLimitAsSoonAsTheLengthIsKnown() {
		int tooLong = ClientHelloServerName.MAX_CLIENT_HELLO + 1;
		byte[] start = { 22, 3, 1, 0, 4, 1, (byte) (tooLong >> 16), (byte) (tooLong >> 8), (byte) tooLong };
		ClientHelloServerName search = new ClientHelloServerName();
		assertThat(search.offer(ByteBuffer.wrap(start))).isTrue();
		assertThat(search.serverName()).isNull();
	}

	@Test
	void givesUpOnceTheRawBytesReachTheirBoundWithoutAWholeClientHello() {
		// A ClientHello announcing the most it may, in records of one byte each: 6 raw bytes per byte.
		int announced = ClientHelloServerName.MAX_CLIENT_HELLO;
		byte[] handshake = new byte[4 + announced];
		handshake[0] = 1;
		handshake[1] = (byte) (announced >> 16);
		handshake[2] = (byte) (announced >> 8);
		handshake[3] = (byte) announced;
		byte[] raw = reframe(handshake, 1);
		ClientHelloServerName search = new ClientHelloServerName();
		int chunk = 4096;
		int offered = 0;
		boolean done = false;
		while (!done && offered < raw.length) {
			offered = Math.min(raw.length, offered + chunk);
			done = search.offer(ByteBuffer.wrap(raw, 0, offered).slice());
		}
		assertThat(done).isTrue();
		assertThat(offered).isLessThanOrEqualTo(ClientHelloServerName.MAX_RAW_BYTES + chunk);
		assertThat(search.serverName()).isNull();
	}

	@Test
	void survivesRandomMutationsOfRealClientHellos() throws Exception {
		Random random = new Random(16);
		List<byte[]> hellos = List.of(clientHello("api.example.com", "TLSv1.3"), clientHello(null, "TLSv1.2"),
				reframe(clientHello("shop.example.org", "TLSv1.3"), 50));
		int found = 0;
		for (int round = 0; round < 20_000; round++) {
			byte[] mutated = hellos.get(round % hellos.size()).clone();
			for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
				mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
			}
			int length = (random.nextInt(4) == 0) ? random.nextInt(mutated.length) + 1 : mutated.length;
			ClientHelloServerName search = new ClientHelloServerName();
			int step = 1 + random.nextInt(600);
			boolean done = false;
			for (int offered = Math.min(step, length); !done; offered = Math.min(length, offered + step)) {
				done = search.offer(ByteBuffer.wrap(mutated, 0, offered).slice());
				if (offered == length) {
					break;
				}
			}
			String name = search.serverName();
			if (name != null) {
				assertThat(done).isTrue();
				assertThat(name).matches("[!-~]+").isEqualTo(name.toLowerCase());
				found++;
			}
		}
		assertThat(found).as("most mutations leave the server_name intact").isGreaterThan(1000);
	}

	@Test
	void survivesRandomBytes() {
		Random random = new Random(6066);
		for (int round = 0; round < 20_000; round++) {
			byte[] garbage = new byte[1 + random.nextInt(300)];
			random.nextBytes(garbage);
			if (random.nextBoolean()) {
				garbage[0] = 22;
			}
			ClientHelloServerName search = new ClientHelloServerName();
			search.offer(ByteBuffer.wrap(garbage));
			String name = search.serverName();
			assertThat(name).satisfiesAnyOf((value) -> assertThat(value).isNull(),
					(value) -> assertThat(value).matches("[!-~]+"));
		}
	}

	private static String read(byte[] hello) {
		ClientHelloServerName search = new ClientHelloServerName();
		assertThat(search.offer(ByteBuffer.wrap(hello))).isTrue();
		return search.serverName();
	}

	/** The first flight of a JDK client engine: one record holding its ClientHello. */
	private static byte[] clientHello(String serverName, String... protocols) throws Exception {
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, null, null);
		SSLEngine engine = context.createSSLEngine();
		engine.setUseClientMode(true);
		SSLParameters parameters = engine.getSSLParameters();
		parameters.setProtocols(protocols);
		parameters.setServerNames((serverName != null) ? List.of(new SNIHostName(serverName)) : List.of());
		engine.setSSLParameters(parameters);
		ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
		engine.wrap(ByteBuffer.allocate(0), out);
		return Arrays.copyOf(out.array(), out.position());
	}

	/** Re-frames handshake bytes (a whole record's payload, or bare) into records of {@code size} bytes. */
	static byte[] reframe(byte[] recordOrHandshake, int size) {
		boolean isRecord = recordOrHandshake[0] == 22 && recordOrHandshake.length > 5;
		byte[] handshake = isRecord ? Arrays.copyOfRange(recordOrHandshake, 5, recordOrHandshake.length)
				: recordOrHandshake;
		ByteBuffer out = ByteBuffer.allocate(handshake.length + 5 * (handshake.length / size + 1));
		for (int at = 0; at < handshake.length; at += size) {
			int length = Math.min(size, handshake.length - at);
			out.put((byte) 22).put((byte) 3).put((byte) 1).putShort((short) length).put(handshake, at, length);
		}
		return Arrays.copyOf(out.array(), out.position());
	}

}
