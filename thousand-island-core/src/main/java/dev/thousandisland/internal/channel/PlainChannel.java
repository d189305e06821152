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
		return (srcs.length == 1) ? this.socket.write(srcs[0]) : this.socket.write(srcs);
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
