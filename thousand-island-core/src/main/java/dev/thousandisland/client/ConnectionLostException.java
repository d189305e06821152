package dev.thousandisland.client;

/**
 * The connection ended while the request was written or waiting for its reply: the peer closed,
 * the socket failed, the peer sent something the reply framing rejects or more replies than
 * requests, another request on the same connection timed out, or the client was stopped before
 * the reply came. <b>The request may or may not have been executed</b> by the server.
 */
public final class ConnectionLostException extends RequestFailedException {

	/**
	 * Creates the exception.
	 * @param message why the connection ended
	 * @param cause what ended it, or {@code null}
	 */
	public ConnectionLostException(String message, Throwable cause) {
		super(message, cause);
	}

}
