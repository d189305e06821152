package dev.thousandisland.framing;

/**
 * A client sent, or announced, a frame over the framing's {@linkplain Framing#maxFrameSize()
 * maximum}. It is found as soon as the size is known (from a length header, before any of the
 * body is buffered; from a delimiter not seen within the maximum), so the connection never
 * buffers more than the maximum. A framed handler's connection then ends:
 * {@link FramedHandler#handleFrameTooLarge} may send a reply, a {@code connection.frame_too_large}
 * telemetry event is emitted, and {@link FramedHandler#handleError} sees this exception.
 */
public class FrameTooLargeException extends FramingException {

	private static final long serialVersionUID = 1L;

	private final long frameSize;

	private final int maxFrameSize;

	/**
	 * Creates the exception.
	 * @param frameSize the frame's size, as announced by its header; for a delimited frame whose
	 * end was not seen, the bytes buffered without finding the delimiter (the frame is at least
	 * that long)
	 * @param maxFrameSize the maximum the framing allows
	 * @param what how the size was found, for the message
	 */
	public FrameTooLargeException(long frameSize, int maxFrameSize, String what) {
		super("Frame too large: " + what + " " + Long.toUnsignedString(frameSize) + " bytes, over the maximum frame size of "
				+ maxFrameSize + " bytes; the connection ends (raise it with withMaxFrameSize if such frames are valid)");
		this.frameSize = frameSize;
		this.maxFrameSize = maxFrameSize;
	}

	/**
	 * Returns the frame's size, or a lower bound of it for a delimited frame whose end was not
	 * seen.
	 * @return the size in bytes (unsigned for an 8-byte length header above 2^63)
	 */
	public long frameSize() {
		return this.frameSize;
	}

	/**
	 * Returns the maximum the framing allows.
	 * @return the maximum frame size in bytes
	 */
	public int maxFrameSize() {
		return this.maxFrameSize;
	}

}
