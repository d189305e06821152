package dev.thousandisland.framing;

import java.nio.ByteBuffer;

/**
 * One connection's frame buffer: cuts the bytes it is offered into whole frames with the
 * framing, and holds the start of an unfinished frame between reads.
 *
 * <p>Two places hold bytes, in stream order: {@code held}, a heap array of this reader's own
 * holding the start of the next frame (never more than {@link Framing#maxBufferedBytes()}), then
 * {@code pending}, the rest of the last buffer offered. Frames are cut straight out of
 * {@code pending} while {@code held} is empty, so a read that brings whole frames is never
 * copied into {@code held}. {@code pending} may be a buffer lent by the server for one callback:
 * the adapter either consumes it (the unfinished tail moves into {@code held}) or
 * {@linkplain #discard() discards} it before the callback returns.
 *
 * <p>An idle connection holds nothing: {@code held} is dropped when it empties and trimmed to
 * its content when a read leaves a partial frame.
 */
final class FrameReader {

	private static final int MIN_CAPACITY = 64;

	private final Framing framing;

	private final int cap;

	private byte[] held;

	private int start;

	private int end;

	/** How many of the held bytes the framing has already searched for the current frame. */
	private int searched;

	private ByteBuffer pending;

	FrameReader(Framing framing) {
		this.framing = framing;
		this.cap = framing.maxBufferedBytes();
	}

	/** Queues bytes to cut frames from; only when all that was offered before is consumed. */
	void offer(ByteBuffer bytes) {
		if (this.pending != null && this.pending.hasRemaining()) {
			throw new IllegalStateException("Offered bytes before the previous ones were consumed");
		}
		this.pending = bytes;
	}

	/**
	 * Returns the next whole frame's payload as a new heap buffer, or {@code null} when the bytes
	 * offered so far hold none (then everything offered is consumed, and the start of the next
	 * frame is held).
	 */
	ByteBuffer next() throws FramingException {
		return (this.start == this.end) ? nextFromPending() : nextFromHeld();
	}

	/** Cuts frames straight out of the offered bytes: nothing is held. */
	private ByteBuffer nextFromPending() throws FramingException {
		ByteBuffer source = this.pending;
		if (source == null || !source.hasRemaining()) {
			this.pending = null;
			return null;
		}
		int length = this.framing.nextFrame(source, 0);
		if (length != Framing.NEED_MORE) {
			return take(source, length);
		}
		if (source.remaining() >= this.cap) {
			throw new FrameTooLargeException(this.cap, this.framing.maxFrameSize(), "no whole frame within");
		}
		this.searched = source.remaining();
		hold(source, source.remaining());
		this.pending = null;
		return null;
	}

	/** Completes the held partial frame with offered bytes, never holding more than the cap. */
	private ByteBuffer nextFromHeld() throws FramingException {
		if (this.pending != null && this.pending.hasRemaining()) {
			hold(this.pending, Math.min(this.pending.remaining(), this.cap - (this.end - this.start)));
		}
		ByteBuffer view = ByteBuffer.wrap(this.held, this.start, this.end - this.start);
		int length = this.framing.nextFrame(view, this.searched);
		if (length != Framing.NEED_MORE) {
			ByteBuffer frame = take(view, length);
			consume(length);
			return frame;
		}
		this.searched = this.end - this.start;
		if (this.searched >= this.cap) {
			throw new FrameTooLargeException(this.searched, this.framing.maxFrameSize(), "no whole frame within");
		}
		// Everything offered fits under the cap and is held now.
		this.pending = null;
		trim();
		return null;
	}

	private ByteBuffer take(ByteBuffer source, int length) {
		ByteBuffer payload = this.framing.payload(source.slice(source.position(), length));
		ByteBuffer frame = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
		source.position(source.position() + length);
		return frame;
	}

	/** Returns up to {@code max} raw bytes from what is buffered (0: all of it), as a new buffer. */
	ByteBuffer takeRaw(int max) {
		int wanted = (max == 0) ? Integer.MAX_VALUE : max;
		int fromHeld = Math.min(wanted, this.end - this.start);
		int fromPending = (this.pending != null) ? Math.min(wanted - fromHeld, this.pending.remaining()) : 0;
		ByteBuffer raw = ByteBuffer.allocate(fromHeld + fromPending);
		if (fromHeld > 0) {
			raw.put(this.held, this.start, fromHeld);
		}
		if (fromPending > 0) {
			raw.put(raw.position(), this.pending, this.pending.position(), fromPending);
			raw.position(raw.position() + fromPending);
			this.pending.position(this.pending.position() + fromPending);
		}
		consume(fromHeld);
		this.searched = 0;
		return raw.flip();
	}

	/** Returns how many bytes are buffered and not yet part of a delivered frame. */
	int buffered() {
		return (this.end - this.start) + ((this.pending != null) ? this.pending.remaining() : 0);
	}

	/** Forgets the offered buffer, which may be lent for one callback only, and what is left of it. */
	void releaseOffered() {
		this.pending = null;
	}

	/** Drops everything buffered, the reference to an offered buffer included. */
	void discard() {
		this.held = null;
		this.start = 0;
		this.end = 0;
		this.searched = 0;
		this.pending = null;
	}

	private void hold(ByteBuffer source, int count) {
		int size = this.end - this.start;
		int needed = size + count;
		if (this.held == null || needed > this.held.length - this.start) {
			// Doubling in long arithmetic: past 2^30 bytes an int would wrap and the buffer would
			// grow by only what each read brings, copying everything held every time.
			int capacity = (this.held == null) ? Math.max(needed, MIN_CAPACITY)
					: Math.max(needed, (int) Math.min(this.cap, Math.max(MIN_CAPACITY, 2L * this.held.length)));
			byte[] grown = new byte[Math.max(capacity, needed)];
			if (size > 0) {
				System.arraycopy(this.held, this.start, grown, 0, size);
			}
			this.held = grown;
			this.start = 0;
			this.end = size;
		}
		source.get(source.position(), this.held, this.end, count);
		source.position(source.position() + count);
		this.end += count;
	}

	private void consume(int count) {
		this.start += count;
		this.searched = 0;
		if (this.start == this.end) {
			this.held = null;
			this.start = 0;
			this.end = 0;
		}
	}

	/** Keeps an idle connection's buffer to the size of the partial frame it holds. */
	private void trim() {
		int size = this.end - this.start;
		if (this.held != null && this.held.length > Math.max(MIN_CAPACITY, 2L * size)) {
			byte[] trimmed = new byte[Math.max(size, MIN_CAPACITY)];
			System.arraycopy(this.held, this.start, trimmed, 0, size);
			this.held = trimmed;
			this.start = 0;
			this.end = size;
		}
	}

}
