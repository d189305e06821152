package dev.thousandisland.internal.proxy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A byte source that plays an exact byte sequence, in chunks no larger than a given size (or
 * random sizes), then either ends the stream or stalls until the deadline. It counts what the
 * reader took, so a test can check that not one byte after the header was consumed.
 */
final class ScriptedSource implements ProxyByteSource {

	private final byte[] bytes;

	private final int chunk;

	private final RandomGenerator random;

	private final boolean stallAtEnd;

	private int consumed;

	private ScriptedSource(byte[] bytes, int chunk, RandomGenerator random, boolean stallAtEnd) {
		this.bytes = bytes.clone();
		this.chunk = chunk;
		this.random = random;
		this.stallAtEnd = stallAtEnd;
	}

	/** All bytes available at once, then end of stream. */
	static ScriptedSource of(byte[] bytes) {
		return new ScriptedSource(bytes, Integer.MAX_VALUE, null, false);
	}

	/** The bytes one at a time, then end of stream. */
	static ScriptedSource byteByByte(byte[] bytes) {
		return new ScriptedSource(bytes, 1, null, false);
	}

	/** All bytes available at once, then nothing more until the deadline. */
	static ScriptedSource stalling(byte[] bytes) {
		return new ScriptedSource(bytes, Integer.MAX_VALUE, null, true);
	}

	/** Random chunk sizes from the generator; at the end, end of stream or a stall. */
	static ScriptedSource randomChunks(byte[] bytes, RandomGenerator random, boolean stallAtEnd) {
		return new ScriptedSource(bytes, 0, random, stallAtEnd);
	}

	@Override
	public int read(ByteBuffer dst, long deadline) throws IOException {
		if (this.consumed == this.bytes.length) {
			if (this.stallAtEnd) {
				throw new SocketTimeoutException("scripted stall");
			}
			return -1;
		}
		int size = (this.random != null) ? 1 + this.random.nextInt(8) : this.chunk;
		int count = Math.min(Math.min(size, dst.remaining()), this.bytes.length - this.consumed);
		dst.put(this.bytes, this.consumed, count);
		this.consumed += count;
		return count;
	}

	/** How many bytes the reader took. */
	int consumed() {
		return this.consumed;
	}

	/** The bytes the reader has not taken. */
	byte[] unread() {
		return Arrays.copyOfRange(this.bytes, this.consumed, this.bytes.length);
	}

}
