package dev.thousandisland.internal.proxy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxyHeaderException;
import dev.thousandisland.proxy.ProxyHeaderException.Reason;
import dev.thousandisland.proxy.ProxyTlv;
import org.junit.jupiter.api.Test;

import static dev.thousandisland.internal.proxy.ProxyHeaderReaderV1Tests.ascii;
import static dev.thousandisland.internal.proxy.ProxyHeaderReaderV2Tests.concat;
import static dev.thousandisland.internal.proxy.ProxyHeaderReaderV2Tests.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mutates valid headers at random (a fixed seed, a bounded count) and feeds them in random chunks:
 * every input must give a header, "no header" or a {@link ProxyHeaderException}, never another
 * exception, and the reader must never take a byte past what the header itself declares.
 */
class ProxyHeaderFuzzTests {

	private static final long SEED = 0x7150_16L;

	private static final int ROUNDS = 20_000;

	private static final byte[] TRAILER = ascii("APPLICATION-BYTES");

	private final ProxyHeaderReader reader = new ProxyHeaderReader();

	@Test
	void mutatedHeadersGiveOnlyTypedOutcomesAndNeverAnOverRead() {
		Random random = new Random(SEED);
		List<byte[]> corpus = corpus();
		Map<Reason, Integer> refusals = new EnumMap<>(Reason.class);
		int parsed = 0;
		int absent = 0;
		for (int round = 0; round < ROUNDS; round++) {
			byte[] header = mutate(corpus.get(random.nextInt(corpus.size())), random);
			byte[] input = concat(header, TRAILER);
			ScriptedSource source = ScriptedSource.randomChunks(input, random, random.nextBoolean());
			boolean optional = random.nextBoolean();
			String context = "round " + round + " (" + (optional ? "optional" : "required") + "), input "
					+ HexFormat.of().formatHex(input);
			try {
				ProxyHeader read;
				if (optional) {
					ProxyHeaderOutcome outcome = this.reader.readOptional(source, far());
					if (outcome instanceof ProxyHeaderOutcome.Absent none) {
						assertThat(none.consumed()).as(context).isEqualTo(Arrays.copyOf(input, none.consumed().length));
						assertThat(source.consumed()).as(context).isLessThanOrEqualTo(15);
						absent++;
						continue;
					}
					read = ((ProxyHeaderOutcome.Present) outcome).header();
				}
				else {
					read = this.reader.readRequired(source, far());
				}
				parsed++;
				assertThat(source.consumed()).as(context).isEqualTo(declaredLength(input));
				exerciseAccessors(read);
			}
			catch (ProxyHeaderException ex) {
				refusals.merge(ex.reason(), 1, Integer::sum);
				assertThat(source.consumed()).as(context).isLessThanOrEqualTo(upperBound(input));
			}
		}
		assertThat(parsed).isGreaterThan(ROUNDS / 50);
		assertThat(absent).isGreaterThan(0);
		assertThat(refusals.keySet()).containsAll(List.of(Reason.BAD_SIGNATURE, Reason.BAD_VERSION, Reason.BAD_COMMAND,
				Reason.BAD_FAMILY, Reason.ADDRESS_MISMATCH, Reason.TLV_OVERFLOW, Reason.CHECKSUM_MISMATCH,
				Reason.V1_BAD_FIELD, Reason.TRUNCATED, Reason.TIMEOUT, Reason.LENGTH_EXCEEDS, Reason.V1_TOO_LONG));
	}

	private static long far() {
		return System.nanoTime() + 60_000_000_000L;
	}

	private static void exerciseAccessors(ProxyHeader header) {
		// The typed accessors decode TLVs the reader has already checked: they must not throw.
		header.alpn();
		header.authority();
		header.uniqueId();
		header.ssl().ifPresent((ssl) -> ssl.version());
		header.networkNamespace();
	}

	/** The bytes the header occupies, by its own declaration: what a successful read must take. */
	private static int declaredLength(byte[] input) {
		if (Arrays.equals(input, 0, 12, ProxyHeaderReader.V2_SIGNATURE, 0, 12)) {
			return 16 + (((input[14] & 0xFF) << 8) | (input[15] & 0xFF));
		}
		for (int i = 1; i < input.length; i++) {
			if (input[i - 1] == '\r' && input[i] == '\n') {
				return i + 1;
			}
		}
		throw new AssertionError("A header was read from input without a declared end");
	}

	/** The most any read may take, whatever the outcome. */
	private static int upperBound(byte[] input) {
		if (input.length >= 16 && Arrays.equals(input, 0, 12, ProxyHeaderReader.V2_SIGNATURE, 0, 12)) {
			return 16 + Math.min(ProxyHeaderReader.DEFAULT_MAX_V2_LENGTH, ((input[14] & 0xFF) << 8) | (input[15] & 0xFF));
		}
		if (input.length >= 5 && Arrays.equals(input, 0, 5, ProxyHeaderReader.V1_SIGNATURE, 0, 5)) {
			return ProxyHeaderReader.V1_MAX_LINE;
		}
		return 15;
	}

	private static List<byte[]> corpus() {
		List<byte[]> corpus = new ArrayList<>();
		corpus.add(ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"));
		corpus.add(ascii("PROXY TCP6 2001:db8::1 ::ffff:10.0.0.1 0 65535\r\n"));
		corpus.add(ascii("PROXY UNKNOWN\r\n"));
		corpus.add(ascii("PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ::1 65535 65535\r\n"));
		corpus.add(V2HeaderBytes.proxy(0x11).bytes(new byte[] { 10, 0, 0, 1, 10, 0, 0, 2 }).port(1).port(2).build());
		corpus.add(V2HeaderBytes.proxy(0x21).bytes(new byte[32]).port(80).port(443).tlv(ProxyTlv.ALPN, utf8("h2"))
			.tlv(ProxyTlv.AUTHORITY, utf8("example.org")).tlv(ProxyTlv.UNIQUE_ID, new byte[16])
			.tlv(ProxyTlv.SSL, 1, 0, 0, 0, 0, 0x21, 0, 7, 'T', 'L', 'S', 'v', '1', '.', '3').crc32c().build());
		corpus.add(V2HeaderBytes.proxy(0x31).bytes(new byte[216]).build());
		corpus.add(V2HeaderBytes.local().build());
		corpus.add(V2HeaderBytes.proxy(0x12).bytes(new byte[12]).tlv(ProxyTlv.NOOP, new byte[5]).crc32c().build());
		return corpus;
	}

	private static byte[] mutate(byte[] header, Random random) {
		byte[] bytes = header.clone();
		switch (random.nextInt(8)) {
			case 0 -> {
				return bytes;
			}
			case 1 -> {
				bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
				return bytes;
			}
			case 2 -> {
				int flips = 1 + random.nextInt(4);
				for (int i = 0; i < flips; i++) {
					bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
				}
				return bytes;
			}
			case 3 -> {
				return Arrays.copyOf(bytes, random.nextInt(bytes.length));
			}
			case 4 -> {
				// The fields that steer the parse: version/command, family, length, and v1's text.
				int at = (bytes[0] == 'P') ? 6 + random.nextInt(Math.max(1, bytes.length - 8)) : 12 + random.nextInt(4);
				bytes[Math.min(at, bytes.length - 1)] = (byte) random.nextInt(256);
				return bytes;
			}
			case 5 -> {
				int at = random.nextInt(bytes.length);
				byte[] inserted = new byte[1 + random.nextInt(120)];
				random.nextBytes(inserted);
				return concat(Arrays.copyOf(bytes, at), inserted, Arrays.copyOfRange(bytes, at, bytes.length));
			}
			case 6 -> {
				byte[] noise = new byte[random.nextInt(64)];
				random.nextBytes(noise);
				return concat(Arrays.copyOf(bytes, Math.min(bytes.length, random.nextInt(14))), noise);
			}
			default -> {
				byte[] noise = new byte[1 + random.nextInt(200)];
				random.nextBytes(noise);
				return noise;
			}
		}
	}

}
