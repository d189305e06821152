package dev.thousandisland.client;

import java.io.IOException;

/**
 * Why a request got no reply. Each subclass is one outcome a caller handles differently:
 * <ul>
 * <li>{@link NotConnectedException}: not sent; the client is not connected and does not queue
 * (queue size 0, given up, or stopped). Safe to retry elsewhere.
 * <li>{@link QueueFullException}: not sent; too many requests are already waiting. Safe to retry
 * later.
 * <li>{@link ConnectionLostException}: the connection ended after the request may have been
 * written: the server may or may not have executed it. Retry only what is idempotent.
 * <li>{@link RequestTimeoutException}: no reply within the request's timeout.
 * </ul>
 */
public abstract sealed class RequestFailedException extends IOException
		permits NotConnectedException, QueueFullException, ConnectionLostException, RequestTimeoutException {

	RequestFailedException(String message, Throwable cause) {
		super(message, cause);
	}

}
