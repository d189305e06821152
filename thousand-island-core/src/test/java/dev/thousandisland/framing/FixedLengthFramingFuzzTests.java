package dev.thousandisland.framing;

import java.util.Arrays;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Tag;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of {@link FixedLengthFraming} through a connection's
 * {@link FrameReader} fed in reads of fuzzed sizes: the stream comes out as consecutive frames of
 * exactly the length, the rest still buffered, nothing lost, nothing refused.
 *
 * <p>Input layout: bytes 0-1 the frame length minus one, byte 2 the count (low 4 bits) of read
 * sizes that follow, then the stream.
 */
@Tag("fuzz")
class FixedLengthFramingFuzzTests {

	@FuzzTest(maxDuration = "60s")
	void streamIsCutIntoFramesOfTheLength(FuzzedDataProvider data) {
		byte[] input = data.consumeRemainingAsBytes();
		if (input.length < 3) {
			return;
		}
		int length = 1 + (((input[0] & 0xFF) << 8) | (input[1] & 0xFF));
		int sizes = Math.min(input[2] & 0x0F, input.length - 3);
		byte[] readSizes = Arrays.copyOfRange(input, 3, 3 + sizes);
		byte[] stream = Arrays.copyOfRange(input, 3 + sizes, input.length);

		FrameReaderHarness.Outcome seen = FrameReaderHarness.feed(Framing.fixedLength(length), stream, readSizes);

		assertThat(seen.error()).isNull();
		assertThat(seen.frames()).hasSize(stream.length / length);
		for (int i = 0; i < seen.frames().size(); i++) {
			assertThat(seen.frames().get(i)).isEqualTo(Arrays.copyOfRange(stream, i * length, (i + 1) * length));
		}
		assertThat(seen.left()).isEqualTo(Arrays.copyOfRange(stream, stream.length - stream.length % length,
				stream.length));
	}

}
