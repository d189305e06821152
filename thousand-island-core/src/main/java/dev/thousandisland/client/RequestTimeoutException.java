package dev.thousandisland.client;

/**
 * No reply came within the request's timeout. A request that timed out while still queued was
 * never sent ({@link #wasWritten()} is {@code false}). One that timed out after it was written
 * keeps its place among the requests in flight and its late reply is discarded when it comes
 * ({@link RequestTimeoutAction}); the same exception goes to {@link ClientHandler#handleTimeout}
 * when the connection is given up because late replies did not come.
 *
 * <p>It carries no stack trace: the client's timer thread raises it, and that thread's stack says
 * nothing about the caller, while filling one in for each of many requests timing out together
 * was a large part of what made the last of them end late.
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
	 * Leaves the stack trace empty (see the class description).
	 * @return this exception
	 */
	@Override
	public synchronized Throwable fillInStackTrace() {
		return this;
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
