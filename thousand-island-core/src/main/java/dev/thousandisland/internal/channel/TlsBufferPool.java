package dev.thousandisland.internal.channel;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Full-size heap buffers (one TLS record, ciphertext or plaintext) that a transport's
 * {@link TlsChannel}s borrow while they read and decrypt, and give back before they wait. Without
 * it every wake-up of a TLS connection allocated two such buffers, about 35 KB, however few bytes
 * had arrived: a client sending one byte at a time cost the server 35 KB per byte.
 *
 * <p>A buffer is given back only by the connection's own thread, once nothing refers to it: a
 * channel closed from another thread lets its buffers go to the collector instead, so that a
 * buffer is never in two connections at once. Bytes a previous borrower left in it stay beyond
 * the limit and are never read. Thread-safe.
 */
public final class TlsBufferPool {

	/**
	 * The capacity of every pooled buffer: a whole record of any TLS version (5 header bytes and
	 * 16 KiB plus 2 KiB of expansion), which covers the JDK's packet and application buffer sizes.
	 */
	static final int BUFFER_SIZE = 5 + 16_384 + 2048;

	private final AtomicReferenceArray<ByteBuffer> slots;

	/**
	 * Creates an empty pool.
	 * @param slots the most buffers it keeps (each {@value #BUFFER_SIZE} bytes)
	 */
	public TlsBufferPool(int slots) {
		this.slots = new AtomicReferenceArray<>(slots);
	}

	/**
	 * Creates a pool keeping up to four buffers per processor: enough for every carrier thread to
	 * be reading and decrypting at once.
	 */
	public TlsBufferPool() {
		this(4 * Runtime.getRuntime().availableProcessors());
	}

	/**
	 * Borrows a cleared buffer, made if the pool is out of them.
	 * @param minimum the least capacity needed; above {@link #BUFFER_SIZE} (an engine accepting
	 * large fragments) a buffer of that size is made, and not kept when given back
	 * @return a buffer of at least {@code minimum} bytes, in fill mode
	 */
	ByteBuffer take(int minimum) {
		if (minimum > BUFFER_SIZE) {
			return ByteBuffer.allocate(minimum);
		}
		int length = this.slots.length();
		int start = start(length);
		for (int i = 0; i < length; i++) {
			ByteBuffer buffer = this.slots.getAndSet((start + i) % length, null);
			if (buffer != null) {
				return buffer.clear();
			}
		}
		return ByteBuffer.allocate(BUFFER_SIZE);
	}

	/**
	 * Gives a buffer back, by the thread that borrowed it, which does not touch it again. One of
	 * another size, or one the pool has no room for, is left to the collector.
	 * @param buffer the buffer
	 */
	void give(ByteBuffer buffer) {
		if (buffer.capacity() != BUFFER_SIZE || buffer.isReadOnly()) {
			return;
		}
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
