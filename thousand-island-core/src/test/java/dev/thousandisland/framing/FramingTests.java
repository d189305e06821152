package dev.thousandisland.framing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Each built-in framing, fed through a connection's {@link FrameReader} in chunks as reads would
 * bring them: delimiters split across reads, sizes exactly at and one over the maximum, and
 * headers that announce too much.
 */
class FramingTests {

	@Test
	void lineFramingAcceptsLfAndCrlfAndDropsTheCr() throws Exception {
		assertThat(frames(Framing.line(), "one\ntwo\r\n\nthree\r\nfour")).containsExactly("one", "two", "", "three");
	}

	@Test
	void lineFramingFindsACrlfSplitAcrossReads() throws Exception {
		assertThat(frames(Framing.line(), "hel", "lo\r", "\nwor", "ld\r", "\n")).containsExactly("hello", "world");
	}

	@Test
	void crlfFramingKeepsABareLfInTheLine() throws Exception {
		assertThat(frames(Framing.crlf(), "a\nb\r\nc\r", "\n")).containsExactly("a\nb", "c");
	}

	@Test
	void multiByteDelimiterSplitAcrossReadsIsFound() throws Exception {
		Framing framing = Framing.delimiter("||".getBytes(StandardCharsets.US_ASCII));
		assertThat(frames(framing, "ab|", "|cd|", "|", "|", "|e||")).containsExactly("ab", "cd", "", "e");
	}

	@Test
	void lineOfExactlyTheMaximumIsAFrameAndOneByteMoreIsTooLarge() throws Exception {
		Framing framing = Framing.line().withMaxFrameSize(8);
		assertThat(frames(framing, "12345678\r\n", "12345678\n")).containsExactly("12345678", "12345678");
		assertThatExceptionOfType(FrameTooLargeException.class).isThrownBy(() -> frames(framing, "123456789\n"))
			.satisfies((ex) -> assertThat(ex.frameSize()).isEqualTo(9))
			.satisfies((ex) -> assertThat(ex.maxFrameSize()).isEqualTo(8));
	}

	@Test
	void lineWithoutDelimiterIsTooLargeOnceTheCapIsBufferedAndNotBefore() throws Exception {
		Framing framing = Framing.crlf().withMaxFrameSize(8);
		FrameReader reader = new FrameReader(framing);
		reader.offer(ascii("123456789"));
		assertThat(reader.next()).isNull();
		assertThat(reader.buffered()).isEqualTo(9);
		reader.offer(ascii("0"));
		assertThatExceptionOfType(FrameTooLargeException.class).isThrownBy(reader::next)
			.withMessageContaining("10 bytes")
			.withMessageContaining("maximum frame size of 8");
	}

	@Test
	void readerNeverHoldsMoreThanTheCapWhateverAReadBrings() throws Exception {
		Framing framing = Framing.line().withMaxFrameSize(100);
		FrameReader reader = new FrameReader(framing);
		reader.offer(ascii("x".repeat(50)));
		assertThat(reader.next()).isNull();
		reader.offer(ascii("y".repeat(100_000)));
		assertThatExceptionOfType(FrameTooLargeException.class).isThrownBy(reader::next)
			.satisfies((ex) -> assertThat(ex.frameSize()).isEqualTo(framing.maxBufferedBytes()));
	}

	@Test
	void frameSentOneByteAtATimeArrivesWhole() throws Exception {
		String line = "z".repeat(Framing.DEFAULT_MAX_FRAME_SIZE);
		FrameReader reader = new FrameReader(Framing.line());
		for (char c : (line + "\n").toCharArray()) {
			reader.offer(ascii(String.valueOf(c)));
			ByteBuffer frame = reader.next();
			if (frame != null) {
				assertThat(StandardCharsets.US_ASCII.decode(frame).toString()).isEqualTo(line);
				assertThat(reader.buffered()).isZero();
				return;
			}
		}
		throw new AssertionError("The line never arrived");
	}

	@Test
	void tenThousandFramesInOneReadComeOutInOrder() throws Exception {
		StringBuilder packet = new StringBuilder();
		for (int i = 0; i < 10_000; i++) {
			packet.append(i).append('\n');
		}
		List<String> frames = frames(Framing.line(), packet.toString());
		assertThat(frames).hasSize(10_000);
		for (int i = 0; i < 10_000; i++) {
			assertThat(frames.get(i)).isEqualTo(Integer.toString(i));
		}
	}

	@Test
	void lengthPrefixedReadsEveryFieldSizeInBothByteOrders() throws Exception {
		for (int bytes : new int[] { 1, 2, 4, 8 }) {
			for (ByteOrder order : new ByteOrder[] { ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN }) {
				LengthPrefixedFraming framing = LengthPrefixedFraming.builder()
					.lengthFieldBytes(bytes)
					.byteOrder(order)
					.build();
				ByteBuffer wire = concat(framing.encode(ascii("hello")), framing.encode(ascii("")),
						framing.encode(ascii("world!")));
				assertThat(wire.remaining()).isEqualTo(3 * bytes + 11);
				assertThat(frames(framing, split(wire, 3))).as(bytes + " bytes " + order)
					.containsExactly("hello", "", "world!");
			}
		}
	}

	@Test
	void lengthPrefixedWithOffsetAdjustmentAndHeaderKept() throws Exception {
		// Two bytes of type, then a 2-byte length that counts the whole frame, header included.
		LengthPrefixedFraming framing = LengthPrefixedFraming.builder()
			.lengthFieldOffset(2)
			.lengthFieldBytes(2)
			.lengthAdjustment(-4)
			.stripHeader(false)
			.build();
		byte[] wire = { 'T', 'Y', 0, 7, 'a', 'b', 'c', 'T', 'Z', 0, 4 };
		assertThat(frames(framing, ByteBuffer.wrap(wire))).containsExactly("TY\0\7abc", "TZ\0\4");
	}

	@Test
	void lengthHeaderOfTwoToTheThirtyFirstIsTooLargeBeforeAnyBodyArrives() throws Exception {
		FrameReader reader = new FrameReader(Framing.lengthPrefixed(4));
		reader.offer(ByteBuffer.wrap(new byte[] { (byte) 0x80, 0, 0, 0 }));
		assertThatExceptionOfType(FrameTooLargeException.class).isThrownBy(reader::next)
			.satisfies((ex) -> assertThat(ex.frameSize()).isEqualTo(1L << 31))
			.withMessageContaining("2147483648 bytes");
	}

	@Test
	void allOnesLengthHeadersAreTooLargeNotNegative() throws Exception {
		FrameReader four = new FrameReader(Framing.lengthPrefixed(4));
		four.offer(ByteBuffer.wrap(new byte[] { -1, -1, -1, -1 }));
		assertThatExceptionOfType(FrameTooLargeException.class).isThrownBy(four::next)
			.satisfies((ex) -> assertThat(ex.frameSize()).isEqualTo(0xFFFFFFFFL));
		FrameReader eight = new FrameReader(Framing.lengthPrefixed(8));
		eight.offer(ByteBuffer.wrap(new byte[] { -1, -1, -1, -1, -1, -1, -1, -1 }));
		assertThatExceptionOfType(FrameTooLargeException.class).isThrownBy(eight::next)
			.withMessageContaining("18446744073709551615 bytes");
	}

	@Test
	void lengthThatTheAdjustmentMakesNegativeIsABadHeader() throws Exception {
		FrameReader reader = new FrameReader(LengthPrefixedFraming.builder().lengthAdjustment(-4).build());
		reader.offer(ByteBuffer.wrap(new byte[] { 0, 0, 0, 3 }));
		assertThatExceptionOfType(FramingException.class).isThrownBy(reader::next)
			.isNotInstanceOf(FrameTooLargeException.class)
			.withMessageContaining("the body would be -1 bytes");
	}

	@Test
	void lengthPrefixedBodyOfExactlyTheMaximumIsAFrameAndOneMoreIsTooLarge() throws Exception {
		LengthPrefixedFraming framing = Framing.lengthPrefixed(2).withMaxFrameSize(4);
		assertThat(frames(framing, ByteBuffer.wrap(new byte[] { 0, 4, 'a', 'b', 'c', 'd' }))).containsExactly("abcd");
		assertThatExceptionOfType(FrameTooLargeException.class)
			.isThrownBy(() -> frames(framing, ByteBuffer.wrap(new byte[] { 0, 5 })));
		assertThatIllegalArgumentException().isThrownBy(() -> framing.encode(ascii("abcde")));
	}

	@Test
	void oneByteLengthFieldRefusesToEncodeMoreThan255() {
		LengthPrefixedFraming framing = Framing.lengthPrefixed(1);
		assertThatIllegalArgumentException().isThrownBy(() -> framing.encode(ByteBuffer.allocate(256)))
			.withMessageContaining("1-byte length field");
	}

	@Test
	void fixedLengthCutsEveryNBytes() throws Exception {
		assertThat(frames(Framing.fixedLength(3), "ab", "cdefg", "hi")).containsExactly("abc", "def", "ghi");
		assertThatIllegalArgumentException().isThrownBy(() -> Framing.fixedLength(3).encode(ascii("ab")));
	}

	@Test
	void delimitedEncodingAppendsTheDelimiterWithoutCopyingThePayload() {
		ByteBuffer payload = ascii("hi");
		ByteBuffer[] wire = Framing.crlf().encode(payload);
		assertThat(wire[0]).isSameAs(payload);
		assertThat(StandardCharsets.US_ASCII.decode(concat(wire)).toString()).isEqualTo("hi\r\n");
	}

	@Test
	void builtInFramingsRefuseNonsenseSettings() {
		assertThatIllegalArgumentException().isThrownBy(() -> Framing.delimiter());
		assertThatIllegalArgumentException().isThrownBy(() -> Framing.line().withMaxFrameSize(0));
		assertThatIllegalArgumentException().isThrownBy(() -> Framing.lengthPrefixed(3));
		assertThatIllegalArgumentException().isThrownBy(() -> Framing.fixedLength(0));
	}

	private static List<String> frames(Framing framing, String... reads) throws FramingException {
		ByteBuffer[] buffers = new ByteBuffer[reads.length];
		for (int i = 0; i < reads.length; i++) {
			buffers[i] = ascii(reads[i]);
		}
		return frames(framing, buffers);
	}

	private static List<String> frames(Framing framing, ByteBuffer... reads) throws FramingException {
		FrameReader reader = new FrameReader(framing);
		List<String> frames = new ArrayList<>();
		for (ByteBuffer read : reads) {
			reader.offer(read);
			ByteBuffer frame;
			while ((frame = reader.next()) != null) {
				assertThat(frame.hasArray()).isTrue();
				assertThat(frame.position()).isZero();
				frames.add(StandardCharsets.ISO_8859_1.decode(frame).toString());
			}
		}
		return frames;
	}

	private static ByteBuffer ascii(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
	}

	private static ByteBuffer concat(ByteBuffer... parts) {
		int size = 0;
		for (ByteBuffer part : parts) {
			size += part.remaining();
		}
		ByteBuffer all = ByteBuffer.allocate(size);
		for (ByteBuffer part : parts) {
			all.put(part.duplicate());
		}
		return all.flip();
	}

	private static ByteBuffer concat(ByteBuffer[] first, ByteBuffer[] second, ByteBuffer[] third) {
		List<ByteBuffer> all = new ArrayList<>(List.of(first));
		all.addAll(List.of(second));
		all.addAll(List.of(third));
		return concat(all.toArray(ByteBuffer[]::new));
	}

	/** Cuts the bytes into reads of {@code size} bytes, as a slow network would deliver them. */
	private static ByteBuffer[] split(ByteBuffer wire, int size) {
		List<ByteBuffer> reads = new ArrayList<>();
		while (wire.hasRemaining()) {
			int length = Math.min(size, wire.remaining());
			reads.add(wire.slice(wire.position(), length));
			wire.position(wire.position() + length);
		}
		return reads.toArray(ByteBuffer[]::new);
	}

}
