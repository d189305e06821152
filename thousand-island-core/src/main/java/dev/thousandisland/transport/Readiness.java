package dev.thousandisland.transport;

import java.io.IOException;

/**
 * Waits for a connection's socket to become readable or writable. The connection's virtual
 * thread parks until the server's poller reports readiness, the deadline passes or the
 * connection closes; no buffer is held while it waits.
 */
public interface Readiness {

	/**
	 * Parks until the socket is readable.
	 * @param deadline {@link System#nanoTime()} after which to give up
	 * @throws java.net.SocketTimeoutException if the deadline passes first
	 * @throws java.nio.channels.ClosedChannelException if the connection closes first
	 * @throws IOException on another failure
	 */
	void awaitReadable(long deadline) throws IOException;

	/**
	 * Parks until the socket is writable.
	 * @param deadline {@link System#nanoTime()} after which to give up
	 * @throws java.net.SocketTimeoutException if the deadline passes first
	 * @throws java.nio.channels.ClosedChannelException if the connection closes first
	 * @throws IOException on another failure
	 */
	void awaitWritable(long deadline) throws IOException;

}
