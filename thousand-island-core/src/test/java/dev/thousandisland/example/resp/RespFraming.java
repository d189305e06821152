package dev.thousandisland.example.resp;

import java.nio.ByteBuffer;

import dev.thousandisland.framing.FrameTooLargeException;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.framing.FramingException;

/**
 * Redis's RESP2 replies as a {@link Framing}: {@link #nextFrame} says how many bytes make the
 * next whole reply (a simple string, error, integer, bulk string or a nested array of them), or
 * {@link #NEED_MORE}. The example of a reply decoder for a protocol whose replies are not one
 * delimited frame.
 *
 * <p>Lives in the core's test jar (with {@link RespClient}) so that the core's tests against a
 * real redis-server and the client benchmark share one RESP implementation.
 */
public final class RespFraming implements Framing {

	private static final int MAX_REPLY = 1024 * 1024;

	@Override
	public int nextFrame(ByteBuffer buffered, int searched) throws FramingException {
		long end = replyEnd(buffered, buffered.position());
		if (end > MAX_REPLY || (end < 0 && buffered.remaining() > MAX_REPLY)) {
			throw new FrameTooLargeException(Math.max(end, buffered.remaining()), MAX_REPLY, "RESP reply");
		}
		return (end < 0) ? NEED_MORE : (int) (end - buffered.position());
	}

	@Override
	public int maxFrameSize() {
		return MAX_REPLY;
	}

	/** Where the reply starting at {@code at} ends, or -1 if not all of it is buffered. */
	private static long replyEnd(ByteBuffer buffer, int at) throws FramingException {
		int lineEnd = lineEnd(buffer, at);
		if (lineEnd < 0) {
			return -1;
		}
		byte type = buffer.get(at);
		switch (type) {
			case '+', '-', ':' -> {
				return lineEnd + 2;
			}
			case '$' -> {
				long length = number(buffer, at + 1, lineEnd);
				if (length < 0) {
					return lineEnd + 2;
				}
				long end = lineEnd + 2 + length + 2;
				return (end <= buffer.limit()) ? end : -1;
			}
			case '*' -> {
				long count = number(buffer, at + 1, lineEnd);
				long next = lineEnd + 2;
				for (long i = 0; i < count; i++) {
					if (next >= buffer.limit()) {
						return -1;
					}
					next = replyEnd(buffer, (int) next);
					if (next < 0) {
						return -1;
					}
				}
				return next;
			}
			default -> throw new FramingException("Not a RESP reply: starts with byte " + type);
		}
	}

	private static int lineEnd(ByteBuffer buffer, int from) {
		for (int i = from; i + 1 < buffer.limit(); i++) {
			if (buffer.get(i) == '\r' && buffer.get(i + 1) == '\n') {
				return i;
			}
		}
		return -1;
	}

	private static long number(ByteBuffer buffer, int from, int to) throws FramingException {
		boolean negative = buffer.get(from) == '-';
		long value = 0;
		for (int i = negative ? from + 1 : from; i < to; i++) {
			byte digit = buffer.get(i);
			if (digit < '0' || digit > '9') {
				throw new FramingException("Not a RESP length: byte " + digit);
			}
			value = value * 10 + (digit - '0');
			if (value > MAX_REPLY) {
				throw new FrameTooLargeException(value, MAX_REPLY, "RESP length");
			}
		}
		return negative ? -value : value;
	}

}
