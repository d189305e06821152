package dev.thousandisland.framing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of {@link DelimitedFraming} ({@link Framing#line()},
 * {@link Framing#crlf()}, delimiters of 1 to 4 bytes) through a connection's {@link FrameReader}
 * fed in reads of fuzzed sizes: a delimiter split across reads, the resumed search, the cap. The
 * frames and how the stream ends must be what a plain search of the whole stream says: the same
 * frames, a {@link FrameTooLargeException} for a payload over the maximum or no delimiter within
 * the cap (the cap as its size), and otherwise every byte after the last frame still buffered.
 *
 * <p>Input layout: byte 0 the kind (low 2 bits: 0 line, 1 CRLF, 2 and 3 a delimiter of its own),
 * byte 1 that delimiter's length minus one (low 2 bits), bytes 2-3 the maximum frame size minus
 * one, bytes 4-7 the delimiter's bytes, byte 8 the count (low 4 bits) of read sizes that follow,
 * then the stream.
 */
@Tag("fuzz")
class DelimitedFramingFuzzTests {

	private static final int HEADER = 9;

	@FuzzTest(maxDuration = "60s")
	void framesMatchAPlainSearch(FuzzedDataProvider data) {
		byte[] input = data.consumeRemainingAsBytes();
		if (input.length < HEADER) {
			return;
		}
		int maxFrameSize = 1 + (((input[2] & 0xFF) << 8) | (input[3] & 0xFF));
		DelimitedFraming framing = switch (input[0] & 0x03) {
			case 0 -> Framing.line().withMaxFrameSize(maxFrameSize);
			case 1 -> Framing.crlf().withMaxFrameSize(maxFrameSize);
			default -> Framing.delimiter(Arrays.copyOfRange(input, 4, 4 + 1 + (input[1] & 0x03)))
				.withMaxFrameSize(maxFrameSize);
		};
		boolean stripCarriageReturn = (input[0] & 0x03) == 0;
		int sizes = Math.min(input[8] & 0x0F, input.length - HEADER);
		byte[] readSizes = Arrays.copyOfRange(input, HEADER, HEADER + sizes);
		byte[] stream = Arrays.copyOfRange(input, HEADER + sizes, input.length);

		FrameReaderHarness.Outcome seen = FrameReaderHarness.feed(framing, stream, readSizes);
		Model expected = model(stream, framing.delimiter(), stripCarriageReturn, maxFrameSize,
				framing.maxBufferedBytes());

		String context = framing + " reads " + Arrays.toString(readSizes);
		assertThat(seen.frames()).as(context).hasSameSizeAs(expected.frames);
		for (int i = 0; i < expected.frames.size(); i++) {
			assertThat(seen.frames().get(i)).as(context + " frame " + i).isEqualTo(expected.frames.get(i));
		}
		if (expected.tooLarge >= 0) {
			assertThat(seen.error()).as(context).isInstanceOf(FrameTooLargeException.class);
			assertThat(((FrameTooLargeException) seen.error()).frameSize()).as(context).isEqualTo(expected.tooLarge);
		}
		else {
			assertThat(seen.error()).as(context).isNull();
			assertThat(seen.left()).as(context + ": bytes after the last frame").isEqualTo(expected.left);
		}
	}

	/** The stream cut by searching it whole for the delimiter, frame after frame. */
	private static Model model(byte[] stream, byte[] delimiter, boolean stripCarriageReturn, int maxFrameSize,
			int cap) {
		Model model = new Model();
		int at = 0;
		while (true) {
			int window = Math.min(stream.length - at, cap);
			int found = indexOf(stream, at, at + window, delimiter);
			if (found < 0) {
				if (stream.length - at >= cap) {
					model.tooLarge = cap;
				}
				else {
					model.left = Arrays.copyOfRange(stream, at, stream.length);
				}
				return model;
			}
			int payload = found - at;
			if (stripCarriageReturn && payload > 0 && stream[found - 1] == '\r') {
				payload--;
			}
			if (payload > maxFrameSize) {
				model.tooLarge = payload;
				return model;
			}
			model.frames.add(Arrays.copyOfRange(stream, at, at + payload));
			at = found + delimiter.length;
		}
	}

	private static int indexOf(byte[] stream, int from, int to, byte[] delimiter) {
		for (int i = from; i + delimiter.length <= to; i++) {
			if (Arrays.equals(stream, i, i + delimiter.length, delimiter, 0, delimiter.length)) {
				return i;
			}
		}
		return -1;
	}

	private static final class Model {

		private final List<byte[]> frames = new ArrayList<>();

		private long tooLarge = -1;

		private byte[] left;

	}

}
