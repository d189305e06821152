package dev.thousandisland.client;

/**
 * No reply came within the request's timeout. A request that timed out while still queued was
 * never sent. One that timed out after it was written keeps its place among the requests in
 * flight and its late reply is discarded when it comes ({@link RequestTimeoutAction}); the same
 * exception goes to {@link ClientHandler#handleTimeout} when the connection is given up because
 * late replies did not come.
 */
public final class RequestTimeoutException extends RequestFailedException {

	/**
	 * Creates the exception.
	 * @param message the timeout, and whether the request had been sent
	 */
	public RequestTimeoutException(String message) {
		super(message, null);
	}

}
