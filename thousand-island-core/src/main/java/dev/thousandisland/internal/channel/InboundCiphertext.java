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
 * start of a record whose rest has not arrived. A full-size buffer (one TLS packet, about 17 KiB)
 * is used only while reading; before the connection waits, what arrived is moved into a buffer
 * of exactly its size, so that a connection parked on a partial record, such as a slowloris
 * client sending one byte at a time, holds only the bytes it actually sent.
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

	/** The bytes, in fill mode; {@code null} when empty. */
	private ByteBuffer buffer;

	/** This buffer's capacity as counted in {@link #held}, or {@link #RELEASED}. */
	private volatile long counted;

	InboundCiphertext(LongAdder held) {
		this.held = held;
	}

	/**
	 * Reads what the socket has, into room for at least a whole packet.
	 * @return what {@link SocketChannel#read} returned
	 */
	int readFrom(SocketChannel socket, int packetSize) throws IOException {
		if (this.buffer == null || this.buffer.capacity() < packetSize) {
			ByteBuffer larger = ByteBuffer.allocate(packetSize);
			if (this.buffer != null) {
				larger.put(this.buffer.flip());
			}
			replace(larger);
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
	 * Returns what has been received, without consuming it.
	 * @return a read-only view from the first byte kept to the last, or {@code null} when empty
	 */
	ByteBuffer received() {
		return (this.buffer != null) ? this.buffer.asReadOnlyBuffer().flip() : null;
	}

	/**
	 * Returns whether a whole record is waiting, judged from its header.
	 * @return whether a whole record has arrived
	 */
	boolean hasWholeRecord() {
		ByteBuffer in = this.buffer;
		if (in == null || in.position() < 5) {
			return false;
		}
		int recordLength = ((in.get(3) & 0xFF) << 8) | (in.get(4) & 0xFF);
		return in.position() >= 5 + recordLength;
	}

	/**
	 * Turns the buffer to drain mode for an unwrap; {@link #afterUnwrap} must follow.
	 * @return the buffer, ready to read, or {@code null} when empty
	 */
	ByteBuffer beforeUnwrap() {
		return (this.buffer != null) ? this.buffer.flip() : null;
	}

	/** Keeps what the unwrap left, back in fill mode. */
	void afterUnwrap() {
		this.buffer.compact();
		dropIfEmpty();
	}

	/** Makes room when a record larger than the buffer is arriving. */
	void growIfFull(int packetSize) {
		if (this.buffer != null && !this.buffer.hasRemaining()) {
			ByteBuffer larger = ByteBuffer.allocate(Math.max(this.buffer.capacity() * 2, packetSize));
			replace(larger.put(this.buffer.flip()));
		}
	}

	/** Before a wait: keeps what arrived in a buffer of exactly its size. */
	void shrinkToContents() {
		if (this.buffer != null && this.buffer.hasRemaining()) {
			replace(ByteBuffer.allocate(this.buffer.position()).put(this.buffer.flip()));
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
			replace(ByteBuffer.allocate(bytes.remaining()).put(bytes));
		}
	}

	private void dropIfEmpty() {
		if (this.buffer != null && this.buffer.position() == 0) {
			replace(null);
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
