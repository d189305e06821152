package dev.thousandisland;

import java.nio.ByteBuffer;

/**
 * One frame of the lifecycle stress test's protocol. Every frame carries the tag of the client
 * that owns the connection and a sequence number, and its body is a pattern computed from both,
 * so a byte that strays from one connection to another (or is overwritten) is caught wherever it
 * is read, by the server's handler or by the client.
 *
 * <p>Layout: magic (2 bytes), kind (1), padding (1), tag (4), sequence (4), argument (4), body
 * length (4), body.
 *
 * @param kind what the frame asks for or answers
 * @param tag the client that owns the connection
 * @param seq the sequence number, per sender
 * @param argument a number whose meaning depends on the kind
 * @param bodyLength how many pattern bytes follow the header
 */
record StressFrame(Kind kind, int tag, int seq, int argument, int bodyLength) {

	static final int HEADER = 20;

	static final int MAX_BODY = 64 * 1024;

	private static final short MAGIC = 0x5157;

	/** Every kind of frame, client requests first, then what the server sends back. */
	enum Kind {

		HELLO, ECHO, RECV_NEXT, RECV_TIMEOUT, PUSH, TELL, CLOSE_OUTSIDE, FLOOD, IDLE, STARTTLS, CLOSE, FAIL,

		ECHOED, RECV_READY, PUSHED, TOLD, STARTTLS_OK, FLOODED, BYE

	}

	/** The frame's bytes, ready to write. */
	ByteBuffer encode() {
		ByteBuffer buffer = ByteBuffer.allocate(HEADER + this.bodyLength);
		buffer.putShort(MAGIC).put((byte) this.kind.ordinal()).put((byte) 0);
		buffer.putInt(this.tag).putInt(this.seq).putInt(this.argument).putInt(this.bodyLength);
		for (int i = 0; i < this.bodyLength; i++) {
			buffer.put(patternByte(this.tag, this.seq, i));
		}
		return buffer.flip();
	}

	byte[] bytes() {
		return encode().array();
	}

	/**
	 * Reads one frame from {@code input} if a whole one is there, consuming it; otherwise leaves
	 * the buffer as it was and returns {@code null}.
	 * @throws CorruptFrameException if the bytes are not a well-formed frame whose body matches
	 * its header
	 */
	static StressFrame tryRead(ByteBuffer input) {
		if (input.remaining() < HEADER) {
			return null;
		}
		int start = input.position();
		StressFrame frame = header(input.duplicate());
		if (input.remaining() < HEADER + frame.bodyLength) {
			return null;
		}
		for (int i = 0; i < frame.bodyLength; i++) {
			if (input.get(start + HEADER + i) != patternByte(frame.tag, frame.seq, i)) {
				throw new CorruptFrameException("body byte " + i + " of " + frame + " is not the pattern of its tag");
			}
		}
		input.position(start + HEADER + frame.bodyLength);
		return frame;
	}

	/** Parses a header (exactly {@link #HEADER} bytes remaining or more). */
	static StressFrame header(ByteBuffer input) {
		short magic = input.getShort();
		int kind = input.get();
		input.get();
		int tag = input.getInt();
		int seq = input.getInt();
		int argument = input.getInt();
		int length = input.getInt();
		if (magic != MAGIC || kind < 0 || kind >= Kind.values().length || length < 0 || length > MAX_BODY) {
			throw new CorruptFrameException(String.format("not a frame header: magic %04x kind %d tag %d seq %d length %d",
					magic, kind, tag, seq, length));
		}
		return new StressFrame(Kind.values()[kind], tag, seq, argument, length);
	}

	/** Checks a body read separately from its header. */
	void checkBody(ByteBuffer body) {
		for (int i = 0; i < this.bodyLength; i++) {
			if (body.get(body.position() + i) != patternByte(this.tag, this.seq, i)) {
				throw new CorruptFrameException("body byte " + i + " of " + this + " is not the pattern of its tag");
			}
		}
	}

	private static byte patternByte(int tag, int seq, int index) {
		return (byte) (tag * 31 + seq * 7 + index * 13 + (index >>> 8));
	}

	/** Bytes that are not the frame they claim to be: another connection's, or garbage. */
	static final class CorruptFrameException extends RuntimeException {

		CorruptFrameException(String message) {
			super(message);
		}

	}

}
