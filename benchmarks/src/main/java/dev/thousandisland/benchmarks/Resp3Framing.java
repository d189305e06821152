package dev.thousandisland.benchmarks;

import java.nio.ByteBuffer;

import dev.thousandisland.framing.FrameTooLargeException;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.framing.FramingException;

/**
 * Redis's RESP3 replies and pushes as a {@link Framing}, for the push-and-request workload of
 * {@link RedisClientBenchmark}: the RESP2 types of the core's {@code RespFraming} plus RESP3's
 * null ({@code _}), double, boolean and big number lines, blob errors and verbatim strings, and
 * the aggregates a {@code HELLO 3} connection receives: maps ({@code %}), sets ({@code ~}) and
 * pushes ({@code >}). Attributes ({@code |}) are refused, as no command here asks for them.
 */
final class Resp3Framing implements Framing {

	private static final int MAX_REPLY = 1024 * 1024;

	@Override
	public int nextFrame(ByteBuffer buffered, int searched) throws FramingException {
		long end = replyEnd(buffered, buffered.position());
		if (end > MAX_REPLY || (end < 0 && buffered.remaining() > MAX_REPLY)) {
			throw new FrameTooLargeException(Math.max(end, buffered.remaining()), MAX_REPLY, "RESP3 reply");
		}
		return (end < 0) ? NEED_MORE : (int) (end - buffered.position());
	}

	@Override
	public int maxFrameSize() {
		return MAX_REPLY;
	}

	/** Where the value starting at {@code at} ends, or -1 if not all of it is buffered. */
	private static long replyEnd(ByteBuffer buffer, int at) throws FramingException {
		int lineEnd = lineEnd(buffer, at);
		if (lineEnd < 0) {
			return -1;
		}
		byte type = buffer.get(at);
		return switch (type) {
			case '+', '-', ':', '_', ',', '#', '(' -> lineEnd + 2;
			case '$', '!', '=' -> {
				long length = number(buffer, at + 1, lineEnd);
				long end = (length < 0) ? lineEnd + 2 : lineEnd + 2 + length + 2;
				yield (end <= buffer.limit()) ? end : -1;
			}
			case '*', '~', '>' -> elementsEnd(buffer, lineEnd + 2, number(buffer, at + 1, lineEnd));
			case '%' -> elementsEnd(buffer, lineEnd + 2, 2 * number(buffer, at + 1, lineEnd));
			default -> throw new FramingException("Not a RESP3 value this client reads: starts with byte " + type);
		};
	}

	private static long elementsEnd(ByteBuffer buffer, long first, long count) throws FramingException {
		long next = first;
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
				throw new FramingException("Not a RESP3 length: byte " + digit);
			}
			value = value * 10 + (digit - '0');
			if (value > MAX_REPLY) {
				throw new FrameTooLargeException(value, MAX_REPLY, "RESP3 length");
			}
		}
		return negative ? -value : value;
	}

}
