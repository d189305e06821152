package dev.thousandisland.internal.proxy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.thousandisland.ThreadAllocations;
import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxyHeaderException;
import org.junit.jupiter.api.Tag;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the PROXY protocol reader, version 1 and version 2 (one target each:
 * the version 2 target starts every input with the 12-byte signature so that the fuzzer spends its
 * time past it). Each input is read in required or optional mode, in chunks of fuzzed sizes,
 * ending in end of stream or a stall, with a fuzzed cap on the version 2 length, and followed by
 * application bytes. The reader's contract: a header, "no header" (optional mode, only without a
 * whole signature) or a {@link ProxyHeaderException}, nothing else; never a byte past the length
 * the header itself declares (exactly that length when a header is returned); a header that says
 * what its bytes say (LOCAL: no addresses, no TLVs); and memory bounded by the header's length.
 *
 * <p>Input layout: byte 0 the options (bit 0 optional mode, bit 1 stall rather than end at the
 * end, bit 2 one byte per read rather than random chunks), byte 1 the chunk sizes' seed, bytes
 * 2-3 the version 2 cap (216 plus the value, at most 65535), then the header bytes (for version
 * 2, those after the signature).
 */
@Tag("fuzz")
class ProxyHeaderReaderFuzzTests {

	private static final byte[] APPLICATION = "APPLICATION".getBytes(StandardCharsets.US_ASCII);

	private static final int OPTIONS = 4;

	@FuzzTest(maxDuration = "60s")
	void versionOne(FuzzedDataProvider data) {
		byte[] input = data.consumeRemainingAsBytes();
		if (input.length < OPTIONS) {
			return;
		}
		check(input, Arrays.copyOfRange(input, OPTIONS, input.length));
	}

	@FuzzTest(maxDuration = "60s")
	void versionTwo(FuzzedDataProvider data) {
		byte[] input = data.consumeRemainingAsBytes();
		if (input.length < OPTIONS) {
			return;
		}
		byte[] header = ByteBuffer.allocate(12 + input.length - OPTIONS)
			.put(ProxyHeaderReader.V2_SIGNATURE)
			.put(input, OPTIONS, input.length - OPTIONS)
			.array();
		check(input, header);
	}

	private static void check(byte[] options, byte[] header) {
		boolean optional = (options[0] & 0x01) != 0;
		boolean stall = (options[0] & 0x02) != 0;
		boolean byteByByte = (options[0] & 0x04) != 0;
		int maxV2Length = Math.min(0xFFFF, 216 + (((options[2] & 0xFF) << 8) | (options[3] & 0xFF)));
		ProxyHeaderReader reader = new ProxyHeaderReader(maxV2Length);
		byte[] stream = ByteBuffer.allocate(header.length + APPLICATION.length).put(header).put(APPLICATION).array();

		// Twice, measured the second time: the first loads classes and links call sites.
		read(reader, source(stream, options[1], stall, byteByByte), optional);
		ScriptedSource source = source(stream, options[1], stall, byteByByte);
		long before = ThreadAllocations.current();
		Object outcome = read(reader, source, optional);
		long allocated = ThreadAllocations.current() - before;

		// From the whole stream: a header cut short takes its length from the bytes that follow.
		int bound = upperBound(stream, maxV2Length);
		assertThat(source.consumed()).as("bytes taken, at most what the header declares").isLessThanOrEqualTo(bound);
		assertThat(allocated).as("bytes allocated reading a header of at most " + bound + " bytes")
			.isLessThanOrEqualTo(4L * bound + 64 * 1024);
		if (outcome instanceof ProxyHeader read) {
			assertThat(source.consumed()).as("a header read takes exactly its bytes").isEqualTo(declared(stream));
			checkAgainstTheBytes(read, stream);
		}
		else if (outcome instanceof ProxyHeaderOutcome.Absent absent) {
			assertThat(optional).isTrue();
			byte[] consumed = absent.consumed();
			assertThat(consumed).isEqualTo(Arrays.copyOf(stream, source.consumed())).hasSizeLessThanOrEqualTo(15);
			assertThat(startsWith(consumed, ProxyHeaderReader.V1_SIGNATURE)
					|| startsWith(consumed, ProxyHeaderReader.V2_SIGNATURE)).as("a whole signature is a header").isFalse();
		}
		else {
			assertThat(outcome).isInstanceOf(ProxyHeaderException.class);
		}
	}

	private static ScriptedSource source(byte[] stream, byte seed, boolean stall, boolean byteByByte) {
		if (byteByByte && !stall) {
			return ScriptedSource.byteByByte(stream);
		}
		return ScriptedSource.randomChunks(stream, new Random(seed), stall);
	}

	/** The header, the "no header" outcome, or the refusal; anything else thrown escapes as a finding. */
	private static Object read(ProxyHeaderReader reader, ScriptedSource source, boolean optional) {
		long deadline = System.nanoTime() + 60_000_000_000L;
		try {
			if (!optional) {
				return reader.readRequired(source, deadline);
			}
			ProxyHeaderOutcome outcome = reader.readOptional(source, deadline);
			return (outcome instanceof ProxyHeaderOutcome.Present present) ? present.header() : outcome;
		}
		catch (ProxyHeaderException ex) {
			return ex;
		}
	}

	/** What the bytes (the header and what follows) say, checked field by field against the header read. */
	private static void checkAgainstTheBytes(ProxyHeader read, byte[] header) {
		read.alpn();
		read.authority();
		read.uniqueId();
		read.networkNamespace();
		read.ssl().ifPresent((ssl) -> ssl.version());
		if (read.version() == ProxyHeader.Version.V1) {
			assertThat(startsWith(header, ProxyHeaderReader.V1_SIGNATURE)).isTrue();
			String line = new String(header, 0, declared(header) - 2, StandardCharsets.ISO_8859_1);
			String[] fields = line.split(" ", -1);
			if (read.hasAddresses()) {
				assertThat(fields).hasSize(6);
				assertThat(fields[1]).isEqualTo((read.family() == ProxyHeader.Family.INET) ? "TCP4" : "TCP6");
				assertThat(((InetSocketAddress) read.source()).getPort()).isEqualTo(Integer.parseInt(fields[4]));
				assertThat(((InetSocketAddress) read.destination()).getPort()).isEqualTo(Integer.parseInt(fields[5]));
			}
			else {
				assertThat(fields[1]).isEqualTo("UNKNOWN");
			}
			return;
		}
		int command = header[12] & 0x0F;
		if (command == 0) {
			assertThat(read.command()).isEqualTo(ProxyHeader.Command.LOCAL);
			assertThat(read.hasAddresses()).isFalse();
			assertThat(read.tlvs()).isEmpty();
			return;
		}
		assertThat(read.command()).isEqualTo(ProxyHeader.Command.PROXY);
		assertThat(read.family().ordinal()).isEqualTo((header[13] >> 4) & 0x0F);
		assertThat(read.protocol().ordinal()).isEqualTo(header[13] & 0x0F);
		if (read.hasAddresses() && read.family() == ProxyHeader.Family.INET) {
			InetSocketAddress source = (InetSocketAddress) read.source();
			assertThat(source.getAddress().getAddress()).isEqualTo(Arrays.copyOfRange(header, 16, 20));
			assertThat(source.getPort()).isEqualTo(((header[24] & 0xFF) << 8) | (header[25] & 0xFF));
		}
		int tlvBytes = 0;
		for (var tlv : read.tlvs()) {
			tlvBytes += 3 + tlv.value().length;
		}
		int addressBytes = switch (read.family()) {
			case UNSPEC -> 0;
			case INET -> 12;
			case INET6 -> 36;
			case UNIX -> 216;
		};
		assertThat(16 + addressBytes + tlvBytes).as("address block and TLVs fill the header").isEqualTo(declared(header));
	}

	/** The bytes the header occupies by its own declaration (a read header must take exactly these). */
	private static int declared(byte[] header) {
		if (startsWith(header, ProxyHeaderReader.V2_SIGNATURE)) {
			return 16 + (((header[14] & 0xFF) << 8) | (header[15] & 0xFF));
		}
		for (int i = 1; i < header.length; i++) {
			if (header[i - 1] == '\r' && header[i] == '\n') {
				return i + 1;
			}
		}
		throw new AssertionError("A header was read without a declared end");
	}

	/** The most any read may take, whatever the outcome. */
	private static int upperBound(byte[] header, int maxV2Length) {
		if (header.length >= 16 && startsWith(header, ProxyHeaderReader.V2_SIGNATURE)) {
			return 16 + Math.min(maxV2Length, ((header[14] & 0xFF) << 8) | (header[15] & 0xFF));
		}
		if (startsWith(header, ProxyHeaderReader.V2_SIGNATURE)) {
			return 16;
		}
		if (startsWith(header, ProxyHeaderReader.V1_SIGNATURE)) {
			return ProxyHeaderReader.V1_MAX_LINE;
		}
		return 15;
	}

	private static boolean startsWith(byte[] bytes, byte[] prefix) {
		return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
	}

}
