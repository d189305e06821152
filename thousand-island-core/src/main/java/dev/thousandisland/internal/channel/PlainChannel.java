package dev.thousandisland.internal.channel;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;

import dev.thousandisland.transport.TransportChannel;

/**
 * A socket's bytes as they are. A file is sent with {@link FileChannel#transferTo}, which is
 * sendfile(2) on Linux.
 */
public final class PlainChannel implements TransportChannel {

	/** The most bytes a gathering write joins into one buffer rather than pass as a vector. */
	static final int JOIN_LIMIT = 2048;

	private final SocketChannel socket;

	/**
	 * Wraps a non-blocking socket.
	 * @param socket the socket
	 */
	public PlainChannel(SocketChannel socket) {
		this.socket = socket;
	}

	@Override
	public int read(ByteBuffer dst) throws IOException {
		return this.socket.read(dst);
	}

	@Override
	public long write(ByteBuffer[] srcs) throws IOException {
		if (srcs.length == 1) {
			return this.socket.write(srcs[0]);
		}
		long total = 0;
		for (ByteBuffer src : srcs) {
			total += src.remaining();
		}
		return (total <= JOIN_LIMIT) ? writeJoined(srcs, (int) total) : this.socket.write(srcs);
	}

	/**
	 * Writes a few small buffers as one: a frame's header and payload, say. For a heap buffer the
	 * JDK copies into a temporary direct buffer anyway, one per element of a gathering write;
	 * joining them first makes that one copy and one plain write instead of a writev.
	 */
	private long writeJoined(ByteBuffer[] srcs, int total) throws IOException {
		ByteBuffer joined = ByteBuffer.allocate(total);
		for (ByteBuffer src : srcs) {
			joined.put(joined.position(), src, src.position(), src.remaining());
			joined.position(joined.position() + src.remaining());
		}
		int written = this.socket.write(joined.flip());
		int left = written;
		for (ByteBuffer src : srcs) {
			int taken = Math.min(left, src.remaining());
			src.position(src.position() + taken);
			left -= taken;
		}
		return written;
	}

	@Override
	public long transferFrom(FileChannel file, long position, long count) throws IOException {
		return file.transferTo(position, count, this.socket);
	}

	@Override
	public void shutdownInput() throws IOException {
		this.socket.shutdownInput();
	}

	@Override
	public void shutdownOutput() throws IOException {
		this.socket.shutdownOutput();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	@Override
	public boolean isOpen() {
		return this.socket.isOpen();
	}

	@Override
	public SocketAddress localAddress() throws IOException {
		return this.socket.getLocalAddress();
	}

	@Override
	public SocketAddress remoteAddress() throws IOException {
		return this.socket.getRemoteAddress();
	}

}
