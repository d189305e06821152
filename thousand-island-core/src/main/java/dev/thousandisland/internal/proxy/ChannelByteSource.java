package dev.thousandisland.internal.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import dev.thousandisland.transport.Readiness;

/**
 * Reads a header from an accepted socket in non-blocking mode, parking on the server's readiness
 * poller while no byte is there: the same way the TLS handshake reads, before any transport has
 * touched the socket.
 */
public final class ChannelByteSource implements ProxyByteSource {

	private final SocketChannel socket;

	private final Readiness readiness;

	/**
	 * Creates the source.
	 * @param socket the accepted socket, in non-blocking mode
	 * @param readiness waits for the socket to become readable
	 */
	public ChannelByteSource(SocketChannel socket, Readiness readiness) {
		this.socket = socket;
		this.readiness = readiness;
	}

	@Override
	public int read(ByteBuffer dst, long deadline) throws IOException {
		while (true) {
			int read = this.socket.read(dst);
			if (read != 0) {
				return read;
			}
			this.readiness.awaitReadable(deadline);
		}
	}

}
