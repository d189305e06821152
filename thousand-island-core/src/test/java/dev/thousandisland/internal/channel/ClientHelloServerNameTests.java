package dev.thousandisland.internal.channel;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import dev.thousandisland.transport.ServerNameRefusedException.Reason;
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

	@Test
	void checksHostNamesAtTheBoundariesOfTheirSyntax() {
		String label63 = "a".repeat(63);
		String name253 = String.join(".", label63, label63, label63, "b".repeat(61));
		for (String accepted : List.of("a", "localhost", label63 + ".example.org", name253, "xn--bcher-kva.example",
				"123.45", "a-b.c-d")) {
			assertThat(read(helloWithServerName(hostName(accepted.getBytes(StandardCharsets.US_ASCII)))))
				.as(accepted)
				.isEqualTo(accepted);
		}
		for (String refused : List.of("a".repeat(64) + ".example.org", name253 + "c", "-a.example", "a-.example",
				"a..example", ".example", "example.", "a_b.example", "a b", "a\0b", "a*.example")) {
			assertThat(refusal(helloWithServerName(hostName(refused.getBytes(StandardCharsets.US_ASCII)))))
				.as(refused).isEqualTo(Reason.INVALID_HOST_NAME);
		}
		assertThat(read(helloWithServerName(hostName("Mixed.CASE.Example".getBytes(StandardCharsets.US_ASCII)))))
			.isEqualTo("mixed.case.example");
	}

	@Test
	void refusesServerNameExtensionsThatBreakTheRules() {
		byte[] api = hostName("api.example.com".getBytes(StandardCharsets.US_ASCII));
		assertThat(refusal(helloWithServerName(api, api))).isEqualTo(Reason.REPEATED);
		assertThat(refusal(helloWithServerName(list(entry(0, "a.example"), entry(0, "b.example")))))
			.isEqualTo(Reason.SEVERAL_NAMES);
		assertThat(refusal(helloWithServerName(list(entry(0, "a.example"), entry(7, "b")))))
			.isEqualTo(Reason.SEVERAL_NAMES);
		assertThat(refusal(helloWithServerName(list(entry(7, "a.example"))))).isEqualTo(Reason.INVALID_HOST_NAME);
		assertThat(refusal(helloWithServerName(list(entry(0, ""))))).isEqualTo(Reason.MALFORMED);
		assertThat(refusal(helloWithServerName(new byte[] { 0, 0 }))).isEqualTo(Reason.MALFORMED);
		assertThat(refusal(helloWithServerName(new byte[0]))).isEqualTo(Reason.MALFORMED);
		assertThat(refusal(helloWithServerName(new byte[] { 0, 9, 0, 0, 3, 'a', 'b', 'c', 0, 0, 9 })))
			.isEqualTo(Reason.MALFORMED);
		assertThat(refusal(helloWithServerName(new byte[] { 0, 7, 0, 0, 3, 'a', 'b', 'c', 0 })))
			.as("a declared list length past the extension").isEqualTo(Reason.MALFORMED);
	}

	/**
	 * The reader's contract against the JDK's own reading of a name: whatever host name bytes the
	 * reader accepts, the JDK's {@link SNIHostName} accepts too and reports as the same name but
	 * for case. Bytes are drawn mostly from the host name alphabet, with dots, hyphens, upper case,
	 * UTF-8 and control bytes mixed in (seeded, so a failure repeats).
	 */
	@Test
	void everyNameTheReaderAcceptsIsTheJdksNameInLowerCase() {
		Random random = new Random(1035);
		byte[] alphabet = "abcxyzABCXYZ0189-.-..".getBytes(StandardCharsets.US_ASCII);
		byte[] rare = { 0, ' ', '_', '*', (byte) 0xC3, (byte) 0xBC, (byte) 0xEF, (byte) 0xBD, (byte) 0x81, (byte) 0xE2,
				(byte) 0x84, (byte) 0xAA, 0x7F };
		int accepted = 0;
		for (int round = 0; round < 50_000; round++) {
			byte[] name = new byte[1 + random.nextInt((round % 10 == 0) ? 300 : 30)];
			for (int i = 0; i < name.length; i++) {
				name[i] = (random.nextInt(40) == 0) ? rare[random.nextInt(rare.length)]
						: alphabet[random.nextInt(alphabet.length)];
			}
			ClientHelloServerName search = new ClientHelloServerName();
			assertThat(search.offer(ByteBuffer.wrap(helloWithServerName(hostName(name))))).isTrue();
			if (search.serverName() != null) {
				accepted++;
				assertThat(new SNIHostName(name).getAsciiName().toLowerCase(java.util.Locale.ROOT))
					.as("%s", Arrays.toString(name))
					.isEqualTo(search.serverName());
			}
			else {
				assertThat(search.refusal()).isNotNull();
			}
		}
		assertThat(accepted).as("names accepted, of 50,000").isGreaterThan(5_000);
	}

	private static Reason refusal(byte[] hello) {
		ClientHelloServerName search = new ClientHelloServerName();
		assertThat(search.offer(ByteBuffer.wrap(hello))).isTrue();
		assertThat(search.serverName()).isNull();
		return (search.refusal() != null) ? search.refusal().reason() : null;
	}

	/** A server_name extension's data holding one host_name entry. */
	private static byte[] hostName(byte[] name) {
		return list(entry(0, name));
	}

	private static byte[] entry(int type, String name) {
		return entry(type, name.getBytes(StandardCharsets.US_ASCII));
	}

	private static byte[] entry(int type, byte[] name) {
		return ByteBuffer.allocate(3 + name.length).put((byte) type).putShort((short) name.length).put(name).array();
	}

	private static byte[] list(byte[]... entries) {
		int length = Arrays.stream(entries).mapToInt((entry) -> entry.length).sum();
		ByteBuffer list = ByteBuffer.allocate(2 + length).putShort((short) length);
		Arrays.stream(entries).forEach(list::put);
		return list.array();
	}

	/** A whole ClientHello record with one server_name extension per data block given, then one other extension. */
	static byte[] helloWithServerName(byte[]... serverNameData) {
		ByteBuffer extensions = ByteBuffer.allocate(16 + Arrays.stream(serverNameData).mapToInt((d) -> 4 + d.length).sum());
		for (byte[] data : serverNameData) {
			extensions.putShort((short) 0).putShort((short) data.length).put(data);
		}
		extensions.putShort((short) 0x000b).putShort((short) 2).put((byte) 1).put((byte) 0);
		extensions.flip();
		ByteBuffer body = ByteBuffer.allocate(2 + 32 + 1 + 4 + 2 + 2 + extensions.remaining());
		body.put((byte) 3).put((byte) 3).put(new byte[32]).put((byte) 0).putShort((short) 2).putShort((short) 0xC02B);
		body.put((byte) 1).put((byte) 0).putShort((short) extensions.remaining()).put(extensions);
		int length = body.position();
		ByteBuffer record = ByteBuffer.allocate(9 + length);
		record.put((byte) 22).put((byte) 3).put((byte) 1).putShort((short) (4 + length));
		record.put((byte) 1).put((byte) 0).putShort((short) length).put(body.array(), 0, length);
		return record.array();
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
