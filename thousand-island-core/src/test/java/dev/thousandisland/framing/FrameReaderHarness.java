package dev.thousandisland.framing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives a connection's {@link FrameReader} the way {@link FramingHandler} does, in memory: the
 * stream offered in reads of the given sizes, every whole frame taken after each read. The fuzz
 * targets compare what it saw with what a framing's model says the stream holds.
 */
final class FrameReaderHarness {

	private FrameReaderHarness() {
	}

	/**
	 * Feeds the stream and returns what came out: the frames in order, then the exception that
	 * ended the connection (or {@code null}) and the bytes still buffered (when none ended it).
	 * Checks on the way that the reader never buffers, nor hands out, more than the framing's cap.
	 */
	static Outcome feed(Framing framing, byte[] stream, byte[] readSizes) {
		FrameReader reader = new FrameReader(framing);
		List<byte[]> frames = new ArrayList<>();
		int offered = 0;
		int read = 0;
		try {
			while (offered < stream.length) {
				int size = readSize(readSizes, read++, stream.length - offered);
				reader.offer(ByteBuffer.wrap(Arrays.copyOfRange(stream, offered, offered + size)));
				offered += size;
				ByteBuffer frame;
				while ((frame = reader.next()) != null) {
					// The payload proper is bounded by the maximum; with a header kept, by the cap.
					assertThat(frame.remaining()).as("frame size").isLessThanOrEqualTo(framing.maxBufferedBytes());
					byte[] payload = new byte[frame.remaining()];
					frame.get(payload);
					frames.add(payload);
				}
				assertThat(reader.buffered()).as("bytes held waiting for a frame")
					.isLessThan(framing.maxBufferedBytes());
			}
		}
		catch (FramingException ex) {
			return new Outcome(frames, ex, null);
		}
		ByteBuffer rest = reader.takeRaw(0);
		byte[] left = new byte[rest.remaining()];
		rest.get(left);
		return new Outcome(frames, null, left);
	}

	/** Read sizes cycle through the given bytes (1 to 256 each); none: the whole stream in one read. */
	private static int readSize(byte[] readSizes, int index, int left) {
		if (readSizes.length == 0) {
			return left;
		}
		return Math.min(left, 1 + (readSizes[index % readSizes.length] & 0xFF));
	}

	/**
	 * What the reader produced.
	 * @param frames the payloads, in order
	 * @param error what ended the connection, or {@code null}
	 * @param left the bytes buffered after the last frame (the start of the next one), {@code null}
	 * when an error ended the connection
	 */
	record Outcome(List<byte[]> frames, FramingException error, byte[] left) {
	}

}
