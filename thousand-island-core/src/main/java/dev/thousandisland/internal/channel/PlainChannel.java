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

	/** Bytes read off the socket before this channel, served first; {@code null} once gone. */
	private ByteBuffer replay;

	/**
	 * Wraps a non-blocking socket.
	 * @param socket the socket
	 */
	public PlainChannel(SocketChannel socket) {
		this.socket = socket;
	}

	/**
	 * Wraps a non-blocking socket some of whose first bytes were already read: reads return them
	 * before anything from the socket.
	 * @param socket the socket
	 * @param alreadyRead the bytes, ready to read; kept, not copied
	 */
	public PlainChannel(SocketChannel socket, ByteBuffer alreadyRead) {
		this.socket = socket;
		this.replay = alreadyRead.hasRemaining() ? alreadyRead : null;
	}

	@Override
	public int read(ByteBuffer dst) throws IOException {
		ByteBuffer replay = this.replay;
		if (replay == null) {
			return this.socket.read(dst);
		}
		int count = Math.min(replay.remaining(), dst.remaining());
		dst.put(dst.position(), replay, replay.position(), count).position(dst.position() + count);
		replay.position(replay.position() + count);
		if (!replay.hasRemaining()) {
			this.replay = null;
		}
		return count;
	}

	/** Whether bytes read before this channel are still to be served: the socket will not announce them. */
	@Override
	public boolean hasBufferedInput() {
		return this.replay != null;
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
