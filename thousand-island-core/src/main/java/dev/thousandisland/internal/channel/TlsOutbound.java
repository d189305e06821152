package dev.thousandisland.internal.channel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult;

import dev.thousandisland.transport.Readiness;

/**
 * The outbound half of a {@link TlsChannel}: plaintext encrypted into TLS records, and the
 * ciphertext the socket has not taken yet, kept only while there is some. Every operation holds
 * one lock, so that a close from another thread can send its close_notify without racing a
 * sender; it is a {@link ReentrantLock}, which a waiting virtual thread does not pin its carrier
 * with. Like the channel it never blocks, except in the two handshake steps, which wait for the
 * socket until their deadline.
 */
final class TlsOutbound {

	/** The most plaintext one {@link #transferFrom} call moves: the 1 MiB chunk Thousand Island settled on. */
	static final long SENDFILE_CHUNK = 1024 * 1024;

	private static final ByteBuffer[] NOTHING = { ByteBuffer.allocate(0) };

	private final SocketChannel socket;

	private final SSLEngine engine;

	private final ReentrantLock lock = new ReentrantLock();

	/** Ciphertext encrypted and not yet written, in drain mode; {@code null} when empty. */
	private ByteBuffer netOut;

	TlsOutbound(SocketChannel socket, SSLEngine engine) {
		this.socket = socket;
		this.engine = engine;
	}

	/** As {@link TlsChannel#write}: encrypts and sends what the socket takes now. */
	long write(ByteBuffer[] srcs) throws IOException {
		this.lock.lock();
		try {
			if (!flushNow()) {
				return 0;
			}
			long consumed = 0;
			while (hasRemaining(srcs)) {
				consumed += wrap(srcs);
				if (!flushNow()) {
					break;
				}
			}
			return consumed;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** As {@link TlsChannel#flush}: sends pending ciphertext as far as the socket takes it. */
	boolean flush() throws IOException {
		this.lock.lock();
		try {
			return flushNow();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** As {@link TlsChannel#transferFrom}: at most {@link #SENDFILE_CHUNK} bytes of a file. */
	long transferFrom(FileChannel file, long position, long count) throws IOException {
		this.lock.lock();
		try {
			if (!flushNow()) {
				return 0;
			}
			// Read the file a record at a time, so a large file never sits in memory.
			ByteBuffer chunk = ByteBuffer.allocate(this.engine.getSession().getApplicationBufferSize());
			ByteBuffer[] chunks = { chunk };
			long limit = Math.min(count, SENDFILE_CHUNK);
			long sent = 0;
			while (sent < limit) {
				chunk.clear().limit((int) Math.min(chunk.capacity(), limit - sent));
				int read = file.read(chunk, position + sent);
				if (read <= 0) {
					break;
				}
				chunk.flip();
				while (chunk.hasRemaining()) {
					sent += wrap(chunks);
				}
				if (!flushNow()) {
					break;
				}
			}
			return sent;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The handshake's turn to speak: wraps the engine's next message and sends it whole. */
	void sendHandshake(Readiness readiness, long deadline) throws IOException {
		this.lock.lock();
		try {
			wrap(NOTHING);
			flushFully(readiness, deadline);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The handshake is over: sends whatever of its last flight the socket has not taken yet. */
	void finishHandshake(Readiness readiness, long deadline) throws IOException {
		this.lock.lock();
		try {
			flushFully(readiness, deadline);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Answers a post-handshake message (a TLS 1.3 key update) that a read came upon, sending what
	 * the socket takes now.
	 */
	void answerPostHandshake() throws IOException {
		this.lock.lock();
		try {
			wrap(NOTHING);
			flushNow();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** As {@link TlsChannel#shutdownOutput}: close_notify, then the socket's output is shut. */
	void shutdown() throws IOException {
		this.lock.lock();
		try {
			sendCloseNotify();
			this.socket.shutdownOutput();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Before a close: says goodbye in TLS if no send is in progress; never waits for one. */
	void closeNotifyUnlessBusy() {
		if (this.socket.isOpen() && this.lock.tryLock()) {
			try {
				sendCloseNotify();
			}
			catch (IOException ex) {
				// The socket is going away anyway.
			}
			finally {
				this.lock.unlock();
			}
		}
	}

	/**
	 * Before a close after a failed handshake: the engine queues its fatal alert
	 * (handshake_failure, certificate_required, ...) for the next wrap; sends it, once and without
	 * waiting, so that the client learns why it was refused.
	 */
	void alertUnlessBusy() {
		if (this.socket.isOpen() && this.engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP
				&& this.lock.tryLock()) {
			try {
				wrap(NOTHING);
				flushNow();
			}
			catch (IOException | RuntimeException ex) {
				// The client may be gone already; the close that follows is what matters.
			}
			finally {
				this.lock.unlock();
			}
		}
	}

	/** Encrypts one record's worth of {@code srcs} into {@code netOut}. Holds the lock. */
	private long wrap(ByteBuffer[] srcs) throws IOException {
		ByteBuffer out = ByteBuffer.allocate(this.engine.getSession().getPacketBufferSize()
				+ ((this.netOut != null) ? this.netOut.remaining() : 0));
		if (this.netOut != null) {
			out.put(this.netOut);
		}
		SSLEngineResult result = this.engine.wrap(srcs, out);
		out.flip();
		this.netOut = out.hasRemaining() ? out : null;
		if (result.getStatus() == SSLEngineResult.Status.CLOSED && result.bytesConsumed() == 0 && hasRemaining(srcs)) {
			throw new ClosedChannelException();
		}
		if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
			TlsChannel.runDelegatedTasks(this.engine);
		}
		return result.bytesConsumed();
	}

	/** Writes pending ciphertext as far as the socket takes it. Holds the lock. */
	private boolean flushNow() throws IOException {
		if (this.netOut == null) {
			return true;
		}
		this.socket.write(this.netOut);
		if (this.netOut.hasRemaining()) {
			return false;
		}
		this.netOut = null;
		return true;
	}

	private void flushFully(Readiness readiness, long deadline) throws IOException {
		while (!flushNow()) {
			readiness.awaitWritable(deadline);
		}
	}

	private void sendCloseNotify() throws IOException {
		if (this.engine.isOutboundDone()) {
			return;
		}
		this.engine.closeOutbound();
		try {
			wrap(NOTHING);
		}
		catch (ClosedChannelException ex) {
			return;
		}
		flushNow();
	}

	private static boolean hasRemaining(ByteBuffer[] buffers) {
		for (ByteBuffer buffer : buffers) {
			if (buffer.hasRemaining()) {
				return true;
			}
		}
		return false;
	}

}
