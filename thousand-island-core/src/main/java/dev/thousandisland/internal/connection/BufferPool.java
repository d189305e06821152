package dev.thousandisland.internal.connection;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

import dev.thousandisland.DataBuffers;

/**
 * The framework's read buffers, borrowed only while bytes are read (and, under
 * {@link DataBuffers#LENT}, while the handler looks at them). An idle connection holds none.
 * Buffers are direct so that socket reads need no extra copy; when every pooled buffer is out, a
 * heap buffer of {@link #OVERFLOW_BUFFER_SIZE} bytes is made instead and left to the garbage
 * collector, so that a burst past the pool costs a fraction of a pooled buffer per read.
 */
public final class BufferPool {

	/**
	 * The size of a buffer made when the pool is empty: large enough for one TLS record's
	 * plaintext (16 KiB and a little), so that TLS decrypts straight into it.
	 */
	public static final int OVERFLOW_BUFFER_SIZE = 17 * 1024;

	private final AtomicReferenceArray<ByteBuffer> slots;

	private final int bufferSize;

	private final AtomicInteger directBuffers = new AtomicInteger();

	private final LongAdder overflows = new LongAdder();

	/**
	 * Creates an empty pool.
	 * @param slots the most buffers it keeps
	 * @param bufferSize the capacity of each buffer
	 */
	BufferPool(int slots, int bufferSize) {
		this.slots = new AtomicReferenceArray<>(slots);
		this.bufferSize = bufferSize;
	}

	/**
	 * Returns the capacity of the pool's buffers.
	 * @return the buffer size
	 */
	int bufferSize() {
		return this.bufferSize;
	}

	/**
	 * Borrows a cleared buffer.
	 * @return a buffer of {@link #bufferSize()} bytes, or a smaller heap one when the pool is out
	 */
	ByteBuffer take() {
		int length = this.slots.length();
		int start = start(length);
		for (int i = 0; i < length; i++) {
			int index = (start + i) % length;
			ByteBuffer buffer = this.slots.get(index);
			if (buffer != null && this.slots.compareAndSet(index, buffer, null)) {
				return buffer;
			}
		}
		// Direct memory is freed late (by a Cleaner), so make no more direct buffers than the
		// pool keeps; a burst beyond that borrows heap buffers the collector reclaims.
		if (this.directBuffers.getAndUpdate((n) -> (n < length) ? n + 1 : n) < length) {
			return ByteBuffer.allocateDirect(this.bufferSize);
		}
		this.overflows.increment();
		return ByteBuffer.allocate(Math.min(this.bufferSize, OVERFLOW_BUFFER_SIZE));
	}

	/**
	 * Gives a buffer back. A buffer the pool did not make, or has no room for, is dropped.
	 * @param buffer the buffer, not used again by the caller
	 */
	void give(ByteBuffer buffer) {
		if (!buffer.isDirect() || buffer.capacity() != this.bufferSize) {
			return;
		}
		buffer.clear();
		int length = this.slots.length();
		int start = start(length);
		for (int i = 0; i < length; i++) {
			if (this.slots.compareAndSet((start + i) % length, null, buffer)) {
				return;
			}
		}
	}

	/**
	 * Returns how many times the pool was empty and a heap buffer was made instead.
	 * @return the count since the pool was made
	 */
	public long overflows() {
		return this.overflows.sum();
	}

	/**
	 * Returns how many direct buffers the pool made that are not at home: borrowed now, or lost.
	 * Zero once every connection thread has ended, unless a buffer leaked.
	 * @return the buffers out
	 */
	public int outstanding() {
		int home = 0;
		for (int i = 0; i < this.slots.length(); i++) {
			home += (this.slots.get(i) != null) ? 1 : 0;
		}
		return this.directBuffers.get() - home;
	}

	private static int start(int length) {
		// Spread threads over the slots so that they rarely race for the same one.
		return (int) Math.floorMod(Thread.currentThread().threadId() * 0x9E3779B9L, (long) length);
	}

}
