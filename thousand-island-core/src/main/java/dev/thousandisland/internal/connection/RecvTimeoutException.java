package dev.thousandisland.internal.connection;

import java.net.SocketTimeoutException;

/**
 * The timeout {@link Socket#recv} throws: a {@link SocketTimeoutException} that the connection can
 * tell from one the handler's own I/O threw (a database client timing out inside a callback, say).
 * Only this one, escaping a callback or returned in {@link Result#error}, counts as a read timeout
 * and leads to {@link Handler#handleTimeout}; any other goes to {@link Handler#handleError}.
 */
public final class RecvTimeoutException extends SocketTimeoutException {

	private static final long serialVersionUID = 1L;

	/** How deep to look through wrapping exceptions; real chains are a few links long. */
	private static final int MAX_DEPTH = 16;

	RecvTimeoutException(String message) {
		super(message);
	}

	/** Whether {@code error} is, or was caused by, a timeout of {@link Socket#recv}. */
	static boolean isCause(Throwable error) {
		Throwable current = error;
		for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
			if (current instanceof RecvTimeoutException) {
				return true;
			}
			current = current.getCause();
		}
		return false;
	}

}
