package dev.thousandisland.client;

/**
 * The request was not sent: the client is not connected and will not queue it, because its queue
 * size is 0, it gave up reconnecting ({@link Backoff#maxAttempts()}), or it is stopping or stopped.
 */
public final class NotConnectedException extends RequestFailedException {

	/**
	 * Creates the exception.
	 * @param message what the client was doing, and what to change
	 * @param cause the last connect failure, or {@code null}
	 */
	public NotConnectedException(String message, Throwable cause) {
		super(message, cause);
	}

}
