package dev.thousandisland.framing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.thousandisland.ThreadAllocations;

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
	 * Checks that the reader never buffers, nor hands out, more than the framing's cap, and that
	 * what it allocated is linear in the bytes received.
	 */
	static Outcome feed(Framing framing, byte[] stream, byte[] readSizes) {
		List<ByteBuffer> reads = new ArrayList<>();
		for (int offered = 0, read = 0; offered < stream.length; read++) {
			int size = readSize(readSizes, read, stream.length - offered);
			reads.add(ByteBuffer.wrap(Arrays.copyOfRange(stream, offered, offered + size)));
			offered += size;
		}
		// Twice over, measured the second time: the first pays for loading classes and linking
		// call sites (an exception's message the first time, for instance), once per JVM.
		run(framing, reads, stream.length);
		Run run = run(framing, reads, stream.length);
		assertThat(run.allocated).as("bytes allocated by the reader for a stream of " + stream.length + " bytes in "
				+ reads.size() + " reads").isLessThanOrEqualTo(allocationBound(framing, stream.length, reads.size()));
		assertThat(run.mostHeld).as("bytes held waiting for a frame").isLessThan(framing.maxBufferedBytes());
		List<byte[]> payloads = new ArrayList<>();
		for (ByteBuffer frame : run.frames) {
			// The payload proper is bounded by the maximum; with a header kept, by the cap.
			assertThat(frame.remaining()).as("frame size").isLessThanOrEqualTo(framing.maxBufferedBytes());
			byte[] payload = new byte[frame.remaining()];
			frame.get(payload);
			payloads.add(payload);
		}
		if (run.error != null) {
			return new Outcome(payloads, run.error, null);
		}
		ByteBuffer rest = run.reader.takeRaw(0);
		byte[] left = new byte[rest.remaining()];
		rest.get(left);
		return new Outcome(payloads, null, left);
	}

	/** Feeds every read to a new reader; nothing but the reader allocates between the two counts. */
	private static Run run(Framing framing, List<ByteBuffer> reads, int streamLength) {
		FrameReader reader = new FrameReader(framing);
		Run run = new Run(reader, new ArrayList<>(streamLength + 1));
		List<ByteBuffer> fresh = new ArrayList<>(reads.size());
		for (ByteBuffer bytes : reads) {
			fresh.add(bytes.duplicate());
		}
		long before = ThreadAllocations.current();
		try {
			for (ByteBuffer bytes : fresh) {
				reader.offer(bytes);
				ByteBuffer frame;
				while ((frame = reader.next()) != null) {
					run.frames.add(frame);
				}
				run.mostHeld = Math.max(run.mostHeld, reader.buffered());
			}
		}
		catch (FramingException ex) {
			run.error = ex;
		}
		run.allocated = ThreadAllocations.current() - before;
		return run;
	}

	/** One pass over the reads. */
	private static final class Run {

		private final FrameReader reader;

		private final List<ByteBuffer> frames;

		private int mostHeld;

		private FramingException error;

		private long allocated;

		private Run(FrameReader reader, List<ByteBuffer> frames) {
			this.reader = reader;
			this.frames = frames;
		}

	}

	/**
	 * Linear in what was received: each byte copied a few times (into the held buffer as it
	 * grows by doubling, then into its frame), a few small objects per read and per frame (at most one frame a byte), plus
	 * the exception's message and stack. A reader that copied its held bytes on every read would
	 * be quadratic and pass this for only the smallest streams.
	 */
	private static long allocationBound(Framing framing, int streamLength, int reads) {
		return 16L * streamLength + 256L * (reads + streamLength) + 4L * Math.min(framing.maxBufferedBytes(), streamLength)
				+ 64 * 1024;
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
