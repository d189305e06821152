package dev.thousandisland.framing;

import java.io.IOException;

/**
 * The bytes a client sent cannot be cut into frames: a length header that makes no sense (a
 * negative length once the adjustment is applied), or bytes left over where none may be (after
 * a frame that asked for a STARTTLS upgrade). Escaping a callback, it ends the connection through
 * {@link FramedHandler#handleError}, as any {@link IOException} would.
 */
public class FramingException extends IOException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates the exception.
	 * @param message what was wrong, with the values involved
	 */
	public FramingException(String message) {
		super(message);
	}

}
