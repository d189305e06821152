package dev.thousandisland.client;

/**
 * No reply came within the request's timeout. A request that timed out while still queued was
 * never sent ({@link #wasWritten()} is {@code false}). One that timed out after it was written
 * keeps its place among the requests in flight and its late reply is discarded when it comes
 * ({@link RequestTimeoutAction}); the same exception goes to {@link ClientHandler#handleTimeout}
 * when the connection is given up because late replies did not come.
 */
public final class RequestTimeoutException extends RequestFailedException {

	private final boolean written;

	/**
	 * Creates the exception.
	 * @param message the timeout, and whether the request had been sent
	 * @param written whether the request's bytes had been handed to the connection
	 */
	public RequestTimeoutException(String message, boolean written) {
		super(message, null);
		this.written = written;
	}

	/**
	 * Returns whether the request had been written when it timed out: if so, the server may have
	 * executed it; if not, it never left the client.
	 * @return whether it was written
	 */
	public boolean wasWritten() {
		return this.written;
	}

}
