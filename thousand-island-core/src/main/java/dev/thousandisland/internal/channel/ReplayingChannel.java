package dev.thousandisland.internal.channel;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;
import javax.net.ssl.SSLSession;

import dev.thousandisland.transport.TransportChannel;

/**
 * A channel whose first bytes were read off its socket before it existed (while looking for a
 * PROXY protocol header that was not there): reads return them before anything from the socket.
 * Everything else goes to the channel it wraps. A wrapper rather than a field of
 * {@link PlainChannel}, so that only the connections that need it pay for it.
 */
public final class ReplayingChannel implements TransportChannel {

	private final TransportChannel channel;

	/** The bytes still to be read first; {@code null} once they are all gone. */
	private ByteBuffer replay;

	/**
	 * Wraps a channel.
	 * @param channel the channel, nothing read from it yet
	 * @param alreadyRead the bytes, ready to read; kept, not copied
	 */
	public ReplayingChannel(TransportChannel channel, ByteBuffer alreadyRead) {
		this.channel = channel;
		this.replay = alreadyRead.hasRemaining() ? alreadyRead : null;
	}

	@Override
	public int read(ByteBuffer dst) throws IOException {
		ByteBuffer replay = this.replay;
		if (replay == null) {
			return this.channel.read(dst);
		}
		int count = Math.min(replay.remaining(), dst.remaining());
		dst.put(dst.position(), replay, replay.position(), count).position(dst.position() + count);
		replay.position(replay.position() + count);
		if (!replay.hasRemaining()) {
			this.replay = null;
		}
		return count;
	}

	/**
	 * Takes the bytes not yet read, for a transport that replaces this channel (STARTTLS before
	 * the handler read anything).
	 * @return the bytes, ready to read; empty when none are left
	 */
	public ByteBuffer takeReplay() {
		ByteBuffer replay = this.replay;
		this.replay = null;
		return (replay != null) ? replay : ByteBuffer.allocate(0);
	}

	/** Whether replayed bytes are waiting, which the socket's readiness will not announce. */
	@Override
	public boolean hasBufferedInput() {
		return this.replay != null || this.channel.hasBufferedInput();
	}

	@Override
	public long write(ByteBuffer[] srcs) throws IOException {
		return this.channel.write(srcs);
	}

	@Override
	public boolean flush() throws IOException {
		return this.channel.flush();
	}

	@Override
	public long transferFrom(FileChannel file, long position, long count) throws IOException {
		return this.channel.transferFrom(file, position, count);
	}

	@Override
	public Optional<SSLSession> sslSession() {
		return this.channel.sslSession();
	}

	@Override
	public Optional<String> applicationProtocol() {
		return this.channel.applicationProtocol();
	}

	@Override
	public void shutdownInput() throws IOException {
		this.replay = null;
		this.channel.shutdownInput();
	}

	@Override
	public void shutdownOutput() throws IOException {
		this.channel.shutdownOutput();
	}

	@Override
	public void close() throws IOException {
		this.channel.close();
	}

	@Override
	public boolean isOpen() {
		return this.channel.isOpen();
	}

	@Override
	public SocketAddress localAddress() throws IOException {
		return this.channel.localAddress();
	}

	@Override
	public SocketAddress remoteAddress() throws IOException {
		return this.channel.remoteAddress();
	}

}
