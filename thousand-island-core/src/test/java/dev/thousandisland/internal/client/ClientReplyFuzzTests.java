package dev.thousandisland.internal.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.thousandisland.ThreadAllocations;
import dev.thousandisland.framing.FrameTooLargeException;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.framing.FramingException;
import dev.thousandisland.framing.LengthPrefixedFraming;
import org.junit.jupiter.api.Tag;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the client's reply path: a server's bytes, in reads of fuzzed sizes
 * as a socket would bring them, through a {@link ReplyBuffer} with a fuzzed reply framing. The
 * replies must be those the framing cuts from the whole stream at once: the same payloads in the
 * same order, the same {@link FramingException} when the stream is bad, a
 * {@link FrameTooLargeException} once as many bytes as the framing's cap wait without a whole
 * reply, and otherwise every byte after the last reply still buffered. The read buffer never
 * grows past the cap, and what the path allocates is linear in the bytes received.
 *
 * <p>Input layout: byte 0 the framing (low 3 bits: line, CRLF, a 2-byte length, a 4-byte length,
 * an 8-byte little-endian length, a fixed length; others line), bytes 1-2 the maximum frame size
 * minus one, bytes 3-6 the length adjustment, byte 7 the count (low 4 bits) of read sizes that
 * follow, then the stream.
 */
@Tag("fuzz")
class ClientReplyFuzzTests {

	private static final int HEADER = 8;

	@FuzzTest(maxDuration = "60s")
	void repliesAreThoseOfTheWholeStream(FuzzedDataProvider data) {
		byte[] input = data.consumeRemainingAsBytes();
		if (input.length < HEADER) {
			return;
		}
		int maxFrameSize = 1 + (((input[1] & 0xFF) << 8) | (input[2] & 0xFF));
		int adjustment = ByteBuffer.wrap(input, 3, 4).getInt();
		Framing framing = switch (input[0] & 0x07) {
			case 1 -> Framing.crlf().withMaxFrameSize(maxFrameSize);
			case 2 -> lengthPrefixed(2, ByteOrder.BIG_ENDIAN, adjustment, maxFrameSize);
			case 3 -> lengthPrefixed(4, ByteOrder.BIG_ENDIAN, adjustment, maxFrameSize);
			case 4 -> lengthPrefixed(8, ByteOrder.LITTLE_ENDIAN, adjustment, maxFrameSize);
			case 5 -> Framing.fixedLength(maxFrameSize);
			default -> Framing.line().withMaxFrameSize(maxFrameSize);
		};
		int sizes = Math.min(input[7] & 0x0F, input.length - HEADER);
		byte[] readSizes = Arrays.copyOfRange(input, HEADER, HEADER + sizes);
		byte[] stream = Arrays.copyOfRange(input, HEADER + sizes, input.length);

		// Twice, measured the second time: the first loads classes and links call sites.
		feed(framing, stream, readSizes);
		Fed seen = feed(framing, stream, readSizes);
		Fed expected = wholeStream(framing, stream);

		String context = framing + " reads " + Arrays.toString(readSizes);
		assertThat(seen.allocated).as(context + ": bytes allocated for " + stream.length + " bytes")
			.isLessThanOrEqualTo(256L * stream.length + 4L * Math.min(framing.maxBufferedBytes(), stream.length)
					+ 64 * 1024);
		assertThat(seen.largestCapacity).as(context + ": read buffer").isLessThanOrEqualTo(framing.maxBufferedBytes());
		assertThat(seen.replies).as(context).hasSameSizeAs(expected.replies);
		for (int i = 0; i < expected.replies.size(); i++) {
			assertThat(seen.replies.get(i)).as(context + " reply " + i).isEqualTo(expected.replies.get(i));
		}
		if (expected.error != null) {
			assertThat(seen.error).as(context).isNotNull().hasSameClassAs(expected.error);
		}
		else {
			assertThat(seen.error).as(context).isNull();
			assertThat(seen.left).as(context + ": bytes after the last reply").isEqualTo(expected.left);
		}
	}

	private static LengthPrefixedFraming lengthPrefixed(int bytes, ByteOrder order, int adjustment, int max) {
		return LengthPrefixedFraming.builder()
			.lengthFieldBytes(bytes)
			.byteOrder(order)
			.lengthAdjustment(adjustment)
			.maxFrameSize(max)
			.build();
	}

	/**
	 * What the client does: each read fills what the buffer has room for (the rest of that read
	 * waits for the next), then the whole replies are cut. One more read is attempted at the end,
	 * as the client does while the connection is open.
	 */
	private static Fed feed(Framing framing, byte[] stream, byte[] readSizes) {
		Fed fed = new Fed(stream.length);
		ReplyBuffer buffer = new ReplyBuffer(framing);
		long before = ThreadAllocations.current();
		int offered = 0;
		int read = 0;
		try {
			while (true) {
				ByteBuffer into = buffer.readInto();
				fed.largestCapacity = Math.max(fed.largestCapacity, buffer.capacity());
				if (offered == stream.length) {
					break;
				}
				int size = (readSizes.length == 0) ? stream.length : 1 + (readSizes[read++ % readSizes.length] & 0xFF);
				int count = Math.min(Math.min(size, stream.length - offered), into.remaining());
				into.put(stream, offered, count);
				offered += count;
				buffer.cut(fed.replies::add);
			}
		}
		catch (IOException ex) {
			fed.error = ex;
		}
		fed.allocated = ThreadAllocations.current() - before;
		if (fed.error == null) {
			fed.left = Arrays.copyOfRange(stream, offered - buffer.buffered(), offered);
			assertThat(offered).isEqualTo(stream.length);
		}
		return fed;
	}

	/** The framing applied to the whole stream in one buffer: the reference. */
	private static Fed wholeStream(Framing framing, byte[] stream) {
		Fed fed = new Fed(stream.length);
		ByteBuffer all = ByteBuffer.wrap(stream);
		try {
			while (true) {
				int length = framing.nextFrame(all, 0);
				if (length == Framing.NEED_MORE) {
					if (all.remaining() >= framing.maxBufferedBytes()) {
						throw new FrameTooLargeException(all.remaining(), framing.maxFrameSize(), "reference");
					}
					fed.left = Arrays.copyOfRange(stream, all.position(), stream.length);
					return fed;
				}
				ByteBuffer payload = framing.payload(all.slice(all.position(), length));
				fed.replies.add(ByteBuffer.allocate(payload.remaining()).put(payload).flip());
				all.position(all.position() + length);
			}
		}
		catch (FramingException ex) {
			fed.error = ex;
			return fed;
		}
	}

	/** What came out of a stream. */
	private static final class Fed {

		private final List<ByteBuffer> replies;

		private Exception error;

		private byte[] left;

		private long allocated;

		private int largestCapacity;

		private Fed(int streamLength) {
			this.replies = new ArrayList<>(streamLength + 1);
		}

	}

}
