package dev.thousandisland.internal.channel;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.LongAdder;

import dev.thousandisland.transport.TlsTransport;

/**
 * The ciphertext a {@link TlsChannel} has read and not yet decrypted: usually nothing, or the
 * start of a record whose rest has not arrived. Reads go into a full-size buffer (one TLS
 * packet, about 17 KiB) borrowed from the transport's {@link TlsBufferPool} and given back as soon
 * as it is empty. When the connection is about to wait with part of a record in it, that part
 * moves into a buffer of its own of exactly its size, so that a connection parked on a partial
 * record, such as a slowloris client sending one byte at a time, holds only about the bytes it
 * sent. Later bytes of that record are read straight into that buffer, which doubles when full
 * and is never shrunk while nothing is consumed: a parked connection holds at most twice what
 * it has received, and every byte is copied a bounded number of times, so the heap a connection
 * allocates grows linearly with the bytes it receives whatever the size of each read. (Copying
 * the partial record into a full-size buffer at each wake-up and back into an exact one before
 * each wait, as this class did before, cost a slowloris's n-th byte n bytes: quadratic.)
 *
 * <p>Consumed bytes are not compacted away after each record, only when room is needed, so
 * unwrapping many small records out of one read costs no copying either.
 *
 * <p>Every buffer it holds is counted in the transport's {@code held} total, so that the memory
 * idle connections pin can be observed ({@link TlsTransport#heldInboundBytes()}). Reading,
 * growing and shrinking happen on the connection's own thread; {@link #release} may come from any
 * thread, and after it nothing more is counted.
 */
final class InboundCiphertext {

	private static final VarHandle COUNTED;

	static {
		try {
			COUNTED = MethodHandles.lookup().findVarHandle(InboundCiphertext.class, "counted", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private static final long RELEASED = -1;

	private final LongAdder held;

	private final TlsBufferPool pool;

	/** The bytes, in fill mode, from {@link #start} to the position; {@code null} when empty. */
	private ByteBuffer buffer;

	/** Whether {@link #buffer} was borrowed from {@link #pool}. */
	private boolean pooled;

	/** Where in {@link #buffer} the first byte not yet decrypted is. */
	private int start;

	/** This buffer's capacity as counted in {@link #held}, or {@link #RELEASED}. */
	private volatile long counted;

	InboundCiphertext(LongAdder held, TlsBufferPool pool) {
		this.held = held;
		this.pool = pool;
	}

	/**
	 * Reads what the socket has: into a pooled full-size buffer when nothing is waiting, else
	 * after what is waiting, making room if there is none.
	 * @param packetSize the engine's packet size: the least room an empty buffer gets
	 * @return what {@link SocketChannel#read} returned
	 */
	int readFrom(SocketChannel socket, int packetSize) throws IOException {
		if (this.buffer == null) {
			this.pooled = true;
			this.start = 0;
			replace(this.pool.take(packetSize));
		}
		else if (!this.buffer.hasRemaining()) {
			makeRoom(packetSize);
		}
		try {
			return socket.read(this.buffer);
		}
		finally {
			dropIfEmpty();
		}
	}

	/**
	 * Returns whether no byte is waiting.
	 * @return whether it is empty
	 */
	boolean isEmpty() {
		return this.buffer == null;
	}

	/**
	 * Returns what has been received and not consumed, without consuming it.
	 * @return a read-only view from the first byte kept (index 0) to the last, or {@code null}
	 * when empty
	 */
	ByteBuffer received() {
		return (this.buffer != null)
				? this.buffer.asReadOnlyBuffer().slice(this.start, this.buffer.position() - this.start) : null;
	}

	/**
	 * Returns whether a whole record is waiting, judged from its header.
	 * @return whether a whole record has arrived
	 */
	boolean hasWholeRecord() {
		ByteBuffer in = this.buffer;
		int at = this.start;
		if (in == null || in.position() - at < 5) {
			return false;
		}
		int recordLength = ((in.get(at + 3) & 0xFF) << 8) | (in.get(at + 4) & 0xFF);
		return in.position() - at >= 5 + recordLength;
	}

	/**
	 * Turns the buffer to drain mode for an unwrap; {@link #afterUnwrap} must follow.
	 * @return the buffer, ready to read, or {@code null} when empty
	 */
	ByteBuffer beforeUnwrap() {
		return (this.buffer != null) ? this.buffer.limit(this.buffer.position()).position(this.start) : null;
	}

	/** Keeps what the unwrap left, back in fill mode, without moving it. */
	void afterUnwrap() {
		this.start = this.buffer.position();
		this.buffer.position(this.buffer.limit()).limit(this.buffer.capacity());
		dropIfEmpty();
	}

	/** Makes room when a record larger than the buffer is arriving. */
	void growIfFull(int packetSize) {
		if (this.buffer != null && !this.buffer.hasRemaining()) {
			makeRoom(packetSize);
		}
	}

	/**
	 * Before a wait: gives the pooled buffer back, keeping what arrived in a buffer of exactly its
	 * size, and lets go of room that consumed bytes left. A buffer of its own that is at most
	 * twice its contents is kept as it is: replacing it at every wait would cost each wait all
	 * the bytes held.
	 */
	void shrinkToContents() {
		if (this.buffer == null) {
			return;
		}
		int contents = this.buffer.position() - this.start;
		if (this.pooled || this.start > 0 || this.buffer.capacity() > 2 * contents) {
			moveTo(ByteBuffer.allocate(contents));
		}
	}

	/** The channel is closed: stop counting its buffer. Any thread. */
	void release() {
		long counted = (long) COUNTED.getAndSet(this, RELEASED);
		if (counted > 0) {
			this.held.add(-counted);
		}
	}

	/**
	 * Takes bytes read off the socket before the channel existed (while looking for a PROXY
	 * header), as if this buffer had just read them. Before the first read only.
	 */
	void preload(ByteBuffer bytes) {
		if (bytes.hasRemaining()) {
			this.start = 0;
			this.pooled = false;
			replace(ByteBuffer.allocate(bytes.remaining()).put(bytes));
		}
	}

	private void dropIfEmpty() {
		if (this.buffer != null && this.buffer.position() == this.start) {
			ByteBuffer empty = this.buffer;
			boolean wasPooled = this.pooled;
			this.start = 0;
			this.pooled = false;
			replace(null);
			if (wasPooled) {
				this.pool.give(empty);
			}
		}
	}

	/**
	 * Compacts when consumed bytes take at least half the buffer, else doubles it (to at least a
	 * packet): each byte is moved a bounded number of times, however small the reads.
	 */
	private void makeRoom(int packetSize) {
		int contents = this.buffer.position() - this.start;
		if (this.start > 0 && this.start >= this.buffer.capacity() / 2) {
			this.buffer.limit(this.buffer.position()).position(this.start);
			this.buffer.compact();
			this.start = 0;
			return;
		}
		int capacity = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * this.buffer.capacity(), contents + 1L));
		moveTo(ByteBuffer.allocate(this.pooled ? Math.max(capacity, packetSize) : capacity));
	}

	/** Moves the waiting bytes into {@code replacement}, giving a pooled buffer back. */
	private void moveTo(ByteBuffer replacement) {
		ByteBuffer old = this.buffer;
		replacement.put(0, old, this.start, old.position() - this.start).position(old.position() - this.start);
		boolean wasPooled = this.pooled;
		this.start = 0;
		this.pooled = false;
		replace(replacement);
		if (wasPooled) {
			this.pool.give(old);
		}
	}

	private void replace(ByteBuffer replacement) {
		this.buffer = replacement;
		long capacity = (replacement != null) ? replacement.capacity() : 0;
		long counted;
		do {
			counted = this.counted;
			if (counted == RELEASED) {
				return;
			}
		}
		while (!COUNTED.compareAndSet(this, counted, capacity));
		this.held.add(capacity - counted);
	}

}
