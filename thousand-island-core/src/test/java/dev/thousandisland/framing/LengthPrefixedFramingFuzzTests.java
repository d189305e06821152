package dev.thousandisland.framing;

import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of {@link LengthPrefixedFraming} in every configuration, through a
 * connection's {@link FrameReader} fed in reads of fuzzed sizes. The frames, and how the stream
 * ends, must be exactly what a model computed with unbounded integers says: the same frames, a
 * {@link FrameTooLargeException} carrying the announced size for any body over the maximum
 * (whatever the field and adjustment add up to, overflow included), a plain
 * {@link FramingException} only for a negative body, and otherwise every byte after the last
 * frame still buffered, none lost or read twice.
 *
 * <p>Input layout (so that seeds can be written by hand, see the corpus under
 * {@code src/test/resources}): byte 0 the configuration (bits 0-1 the field size 1, 2, 4 or 8;
 * bit 2 little-endian; bit 3 header kept; bits 4-5 the offset 0-3), bytes 1-4 the adjustment
 * (big-endian), bytes 5-6 the maximum frame size minus one, byte 7 the count (low 4 bits) of read
 * sizes that follow, then the stream.
 */
@Tag("fuzz")
class LengthPrefixedFramingFuzzTests {

	private static final int[] FIELD_BYTES = { 1, 2, 4, 8 };

	private static final BigInteger MAX_UNSIGNED_LONG = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

	@FuzzTest(maxDuration = "60s")
	void framesMatchTheModel(FuzzedDataProvider data) {
		byte[] input = data.consumeRemainingAsBytes();
		if (input.length < 8) {
			return;
		}
		int config = input[0] & 0xFF;
		int fieldBytes = FIELD_BYTES[config & 0x03];
		boolean littleEndian = (config & 0x04) != 0;
		boolean keepHeader = (config & 0x08) != 0;
		int offset = (config >> 4) & 0x03;
		int adjustment = ((input[1] & 0xFF) << 24) | ((input[2] & 0xFF) << 16) | ((input[3] & 0xFF) << 8)
				| (input[4] & 0xFF);
		int maxFrameSize = 1 + (((input[5] & 0xFF) << 8) | (input[6] & 0xFF));
		int sizes = Math.min(input[7] & 0x0F, input.length - 8);
		byte[] readSizes = Arrays.copyOfRange(input, 8, 8 + sizes);
		byte[] stream = Arrays.copyOfRange(input, 8 + sizes, input.length);

		LengthPrefixedFraming framing = LengthPrefixedFraming.builder()
			.lengthFieldOffset(offset)
			.lengthFieldBytes(fieldBytes)
			.byteOrder(littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN)
			.lengthAdjustment(adjustment)
			.stripHeader(!keepHeader)
			.maxFrameSize(maxFrameSize)
			.build();
		FrameReaderHarness.Outcome seen = FrameReaderHarness.feed(framing, stream, readSizes);
		Model expected = model(stream, offset, fieldBytes, littleEndian, adjustment, !keepHeader, maxFrameSize);

		String context = framing + " reads " + Arrays.toString(readSizes);
		assertThat(seen.frames()).as(context).hasSameSizeAs(expected.frames);
		for (int i = 0; i < expected.frames.size(); i++) {
			assertThat(seen.frames().get(i)).as(context + " frame " + i).isEqualTo(expected.frames.get(i));
		}
		if (expected.tooLarge != null) {
			assertThat(seen.error()).as(context).isInstanceOf(FrameTooLargeException.class);
			FrameTooLargeException tooLarge = (FrameTooLargeException) seen.error();
			assertThat(new BigInteger(Long.toUnsignedString(tooLarge.frameSize()))).as(context)
				.isEqualTo(expected.tooLarge.min(MAX_UNSIGNED_LONG));
			assertThat(tooLarge.maxFrameSize()).isEqualTo(maxFrameSize);
		}
		else if (expected.negative) {
			assertThat(seen.error()).as(context).isNotNull().isExactlyInstanceOf(FramingException.class);
		}
		else {
			assertThat(seen.error()).as(context).isNull();
			assertThat(seen.left()).as(context + ": bytes after the last frame").isEqualTo(expected.left);
		}
	}

	/** The stream cut by the definition, with unbounded integers: nothing can overflow here. */
	private static Model model(byte[] stream, int offset, int fieldBytes, boolean littleEndian, int adjustment,
			boolean strip, int maxFrameSize) {
		Model model = new Model();
		int header = offset + fieldBytes;
		int at = 0;
		while (true) {
			if (stream.length - at < header) {
				model.left = Arrays.copyOfRange(stream, at, stream.length);
				return model;
			}
			byte[] field = Arrays.copyOfRange(stream, at + offset, at + header);
			if (littleEndian) {
				reverse(field);
			}
			BigInteger body = new BigInteger(1, field).add(BigInteger.valueOf(adjustment));
			if (body.signum() < 0) {
				model.negative = true;
				return model;
			}
			if (body.compareTo(BigInteger.valueOf(maxFrameSize)) > 0) {
				model.tooLarge = body;
				return model;
			}
			int end = at + header + body.intValueExact();
			if (end > stream.length) {
				model.left = Arrays.copyOfRange(stream, at, stream.length);
				return model;
			}
			model.frames.add(Arrays.copyOfRange(stream, strip ? at + header : at, end));
			at = end;
		}
	}

	private static void reverse(byte[] bytes) {
		for (int i = 0, j = bytes.length - 1; i < j; i++, j--) {
			byte swap = bytes[i];
			bytes[i] = bytes[j];
			bytes[j] = swap;
		}
	}

	private static final class Model {

		private final List<byte[]> frames = new ArrayList<>();

		private BigInteger tooLarge;

		private boolean negative;

		private byte[] left;

	}

}
