package dev.thousandisland.client;

/**
 * The request was not sent: the client already holds {@code queueSize} requests that are waiting
 * to be written or waiting for their reply.
 */
public final class QueueFullException extends RequestFailedException {

	/**
	 * Creates the exception.
	 * @param message how full, and which option bounds it
	 */
	public QueueFullException(String message) {
		super(message, null);
	}

}
