package dev.thousandisland.internal.client;

import java.io.IOException;
import java.nio.ByteBuffer;

import dev.thousandisland.framing.FrameTooLargeException;
import dev.thousandisland.framing.Framing;

/**
 * A client connection's read buffer: what the server sent and the reply framing has not yet cut
 * into replies. It starts small and doubles when a read finds it full, never past the framing's
 * {@link Framing#maxBufferedBytes()}: a server that sends that much without a whole reply ends
 * the connection with a {@link FrameTooLargeException}. Bytes after the last whole reply stay,
 * in order, for the next read.
 */
final class ReplyBuffer {

	private static final int INITIAL_CAPACITY = 512;

	private final Framing framing;

	private ByteBuffer buffered;

	/** How many buffered bytes the framing already searched for the current reply. */
	private int searched;

	ReplyBuffer(Framing framing) {
		this.framing = framing;
		this.buffered = ByteBuffer.allocate(Math.min(INITIAL_CAPACITY, framing.maxBufferedBytes()));
	}

	/**
	 * Returns the buffer the next read fills (from its position to its limit), grown first if the
	 * last reads filled it.
	 * @throws FrameTooLargeException if it is full at the framing's cap with no whole reply
	 */
	ByteBuffer readInto() throws FrameTooLargeException {
		if (!this.buffered.hasRemaining()) {
			grow();
		}
		return this.buffered;
	}

	private void grow() throws FrameTooLargeException {
		int max = this.framing.maxBufferedBytes();
		if (this.buffered.capacity() >= max) {
			throw new FrameTooLargeException(this.buffered.position(), this.framing.maxFrameSize(),
					"reply buffered without a whole reply");
		}
		ByteBuffer larger = ByteBuffer.allocate((int) Math.min(max, this.buffered.capacity() * 2L));
		this.buffered.flip();
		larger.put(this.buffered);
		this.buffered = larger;
	}

	/**
	 * Cuts every whole reply read so far and hands each one's payload, in a buffer of its own
	 * (the read buffer is reused), to {@code replies}, in order.
	 * @throws IOException what the framing or {@code replies} threw; the bytes after the reply
	 * that failed are kept
	 */
	void cut(Replies replies) throws IOException {
		this.buffered.flip();
		try {
			while (this.buffered.hasRemaining()) {
				int length = this.framing.nextFrame(this.buffered, this.searched);
				if (length == Framing.NEED_MORE) {
					this.searched = this.buffered.remaining();
					break;
				}
				this.searched = 0;
				int start = this.buffered.position();
				ByteBuffer frame = this.buffered.slice(start, length);
				this.buffered.position(start + length);
				replies.reply(payloadCopy(frame));
			}
		}
		finally {
			this.buffered.compact();
		}
	}

	/** Returns how many bytes are buffered and not yet part of a reply. */
	int buffered() {
		return this.buffered.position();
	}

	/** Returns the buffer's capacity: what this connection's reads cost in memory. */
	int capacity() {
		return this.buffered.capacity();
	}

	private ByteBuffer payloadCopy(ByteBuffer frame) {
		ByteBuffer payload = this.framing.payload(frame);
		ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
		copy.put(payload).flip();
		return copy;
	}

	/** Where the replies go. */
	@FunctionalInterface
	interface Replies {

		/**
		 * Takes one reply.
		 * @param payload the reply's payload, the receiver's to keep
		 * @throws IOException to end the connection
		 */
		void reply(ByteBuffer payload) throws IOException;

	}

}
