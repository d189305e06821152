package dev.thousandisland;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Read buffers lent to connections only while data is being handled. An idle connection holds
 * none; a busy one borrows one for a read and the callback that follows, then gives it back.
 * Buffers are direct so that socket reads and writes need no extra copy; when every pooled buffer
 * is out, a heap buffer is made instead and left to the garbage collector.
 */
final class BufferPool {

	private final AtomicReferenceArray<ByteBuffer> slots;

	private final int bufferSize;

	private final AtomicInteger directBuffers = new AtomicInteger();

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
	 * @return a buffer of {@link #bufferSize()} bytes
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
		return ByteBuffer.allocate(this.bufferSize);
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

	private static int start(int length) {
		// Spread threads over the slots so that they rarely race for the same one.
		return (int) Math.floorMod(Thread.currentThread().threadId() * 0x9E3779B9L, (long) length);
	}

}
