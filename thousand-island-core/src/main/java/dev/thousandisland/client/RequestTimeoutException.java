package dev.thousandisland.client;

/**
 * No reply came within the request's timeout. A request that timed out while still queued was
 * never sent. One that timed out after it was written leaves the connection out of step (its
 * reply may still come and would be taken for the next request's), so the client closes that
 * connection, fails the other requests on it with {@link ConnectionLostException}, and reconnects.
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
