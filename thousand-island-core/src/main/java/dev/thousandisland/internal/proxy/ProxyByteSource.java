package dev.thousandisland.internal.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a PROXY header's bytes come from: the accepted socket in the server, an exact byte
 * sequence in tests. The reader sets the buffer's limit to the most bytes it may take, so a source
 * must never write past {@code dst.limit()}; that is how no byte after the header is consumed.
 */
@FunctionalInterface
public interface ProxyByteSource {

	/**
	 * Reads at least one byte into {@code dst} (at most {@code dst.remaining()}), waiting no later
	 * than the deadline.
	 * @param dst the buffer to fill, between its position and its limit
	 * @param deadline {@link System#nanoTime()} after which to give up
	 * @return the number of bytes read, or {@code -1} at end of stream
	 * @throws java.net.SocketTimeoutException if the deadline passes before a byte arrives
	 * @throws IOException if reading fails
	 */
	int read(ByteBuffer dst, long deadline) throws IOException;

}
