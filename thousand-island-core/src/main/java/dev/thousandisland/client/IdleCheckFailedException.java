package dev.thousandisland.client;

import java.io.IOException;

/**
 * The peer did not answer the idle check's ping in time, so the client dropped the connection
 * (telemetry reason {@code idle_check_failed}) and reconnects; {@link ClientHandler#handleError}
 * gets this exception.
 */
public final class IdleCheckFailedException extends IOException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates the exception.
	 * @param message what went unanswered, and for how long
	 */
	public IdleCheckFailedException(String message) {
		super(message);
	}

}
