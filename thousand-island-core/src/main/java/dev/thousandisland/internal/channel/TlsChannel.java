package dev.thousandisland.internal.channel;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

import dev.thousandisland.transport.Readiness;
import dev.thousandisland.transport.TransportChannel;

/**
 * A connection's bytes through an {@link SSLEngine}. Like every {@link TransportChannel} it never
 * blocks: reads decrypt what has arrived, writes encrypt and send what the socket takes, and
 * ciphertext that did not fit waits in {@link #flush()}.
 *
 * <p>Buffers exist only while they hold bytes: an idle TLS connection keeps none, and one waiting
 * for the rest of a record keeps only the bytes of it that arrived ({@link InboundCiphertext}).
 * Decrypted bytes go straight into the caller's buffer when it is large enough. The inbound side
 * is touched only by the connection's own thread; the outbound side is serialised by a lock, so
 * that a close from another thread can send its close_notify without racing a sender.
 */
public final class TlsChannel implements TransportChannel {

	/** The most plaintext one {@link #transferFrom} call moves: the 1 MiB chunk Thousand Island settled on. */
	static final long SENDFILE_CHUNK = 1024 * 1024;

	private static final ByteBuffer[] NOTHING = { ByteBuffer.allocate(0) };

	private final SocketChannel socket;

	private final SSLEngine engine;

	private final ReentrantLock outbound = new ReentrantLock();

	/** Ciphertext read and not yet decrypted. */
	private final InboundCiphertext netIn;

	/** Plaintext decrypted and not yet handed out, in drain mode; {@code null} when empty. */
	private ByteBuffer appIn;

	/** Ciphertext encrypted and not yet written, in drain mode; {@code null} when empty. */
	private ByteBuffer netOut;

	public TlsChannel(SocketChannel socket, SSLEngine engine) {
		this(socket, engine, new LongAdder());
	}

	/**
	 * @param heldInbound where the bytes of the buffers holding undecrypted ciphertext are counted
	 */
	public TlsChannel(SocketChannel socket, SSLEngine engine, LongAdder heldInbound) {
		this.socket = socket;
		this.engine = engine;
		this.netIn = new InboundCiphertext(heldInbound);
	}

	public void handshake(Readiness readiness, long deadline) throws IOException {
		this.engine.beginHandshake();
		while (true) {
			switch (this.engine.getHandshakeStatus()) {
				case NEED_TASK -> runTasks();
				case NEED_WRAP -> {
					this.outbound.lock();
					try {
						wrap(NOTHING);
						flushFully(readiness, deadline);
					}
					finally {
						this.outbound.unlock();
					}
				}
				case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
					if (!unwrapInto(null)) {
						int read = readNet();
						if (read < 0) {
							throw new SSLHandshakeException("The client closed the connection during the TLS handshake");
						}
						if (read == 0) {
							this.netIn.shrinkToContents();
							readiness.awaitReadable(deadline);
						}
					}
				}
				case FINISHED, NOT_HANDSHAKING -> {
					this.outbound.lock();
					try {
						flushFully(readiness, deadline);
					}
					finally {
						this.outbound.unlock();
					}
					return;
				}
			}
		}
	}

	@Override
	public int read(ByteBuffer dst) throws IOException {
		if (this.appIn != null) {
			return drainAppIn(dst);
		}
		while (true) {
			if (!this.netIn.isEmpty()) {
				int before = dst.position();
				if (unwrapInto(dst)) {
					if (this.appIn != null) {
						return drainAppIn(dst);
					}
					if (this.engine.isInboundDone()) {
						return -1;
					}
					int produced = dst.position() - before;
					if (produced > 0) {
						return produced;
					}
					continue;
				}
			}
			int read = readNet();
			if (read < 0) {
				try {
					this.engine.closeInbound();
				}
				catch (SSLException ex) {
					// The client closed without close_notify; to the handler that is end of stream.
				}
				return -1;
			}
			if (read == 0) {
				// The connection is about to wait: keep a partial record in a buffer of its size.
				this.netIn.shrinkToContents();
				return 0;
			}
		}
	}

	@Override
	public long write(ByteBuffer[] srcs) throws IOException {
		this.outbound.lock();
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
			this.outbound.unlock();
		}
	}

	@Override
	public boolean flush() throws IOException {
		this.outbound.lock();
		try {
			return flushNow();
		}
		finally {
			this.outbound.unlock();
		}
	}

	@Override
	public long transferFrom(FileChannel file, long position, long count) throws IOException {
		this.outbound.lock();
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
			this.outbound.unlock();
		}
	}

	/** Whether decrypted bytes, or a whole record, are waiting: a partial record is not enough. */
	@Override
	public boolean hasBufferedInput() {
		if (this.appIn != null) {
			return true;
		}
		return this.netIn.hasWholeRecord();
	}

	@Override
	public void shutdownInput() throws IOException {
		this.socket.shutdownInput();
	}

	@Override
	public void shutdownOutput() throws IOException {
		this.outbound.lock();
		try {
			sendCloseNotify();
			this.socket.shutdownOutput();
		}
		finally {
			this.outbound.unlock();
		}
	}

	@Override
	public void close() throws IOException {
		// Say goodbye in TLS if no send is in progress; never wait for one.
		if (this.socket.isOpen() && this.outbound.tryLock()) {
			try {
				sendCloseNotify();
			}
			catch (IOException ex) {
				// The socket is going away anyway.
			}
			finally {
				this.outbound.unlock();
			}
		}
		this.netIn.release();
		this.socket.close();
	}

	/**
	 * Closes after a failed handshake. The engine queues its fatal alert (handshake_failure,
	 * certificate_required, ...) for the next wrap: send it, once and without waiting, so that the
	 * client learns why it was refused.
	 */
	public void abandon() throws IOException {
		if (this.socket.isOpen() && this.engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP
				&& this.outbound.tryLock()) {
			try {
				wrap(NOTHING);
				flushNow();
			}
			catch (IOException | RuntimeException ex) {
				// The client may be gone already; the close below is what matters.
			}
			finally {
				this.outbound.unlock();
			}
		}
		this.netIn.release();
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

	@Override
	public Optional<SSLSession> sslSession() {
		return Optional.of(this.engine.getSession());
	}

	@Override
	public Optional<String> applicationProtocol() {
		String protocol = this.engine.getApplicationProtocol();
		return (protocol == null || protocol.isEmpty()) ? Optional.empty() : Optional.of(protocol);
	}

	private int drainAppIn(ByteBuffer dst) {
		int count = Math.min(dst.remaining(), this.appIn.remaining());
		dst.put(dst.position(), this.appIn, this.appIn.position(), count);
		dst.position(dst.position() + count);
		this.appIn.position(this.appIn.position() + count);
		if (!this.appIn.hasRemaining()) {
			this.appIn = null;
		}
		return count;
	}

	/**
	 * Decrypts one record from {@code netIn}, into {@code dst} when it fits, else into
	 * {@code appIn}.
	 * @return {@code false} if a whole record has not arrived yet
	 */
	private boolean unwrapInto(ByteBuffer dst) throws IOException {
		ByteBuffer in = this.netIn.beforeUnwrap();
		if (in == null) {
			return false;
		}
		ByteBuffer target = (dst != null && dst.remaining() >= this.engine.getSession().getApplicationBufferSize())
				? dst : appInForFilling();
		SSLEngineResult result;
		try {
			result = this.engine.unwrap(in, target);
		}
		finally {
			this.netIn.afterUnwrap();
			if (target == this.appIn) {
				this.appIn.flip();
				if (!this.appIn.hasRemaining()) {
					this.appIn = null;
				}
			}
		}
		switch (result.getStatus()) {
			case BUFFER_UNDERFLOW -> {
				growNetInIfFull();
				return false;
			}
			case BUFFER_OVERFLOW -> throw new SSLException("A TLS record does not fit the application buffer ("
					+ this.engine.getSession().getApplicationBufferSize() + " bytes)");
			case CLOSED, OK -> {
			}
		}
		if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
			runTasks();
		}
		if (dst != null && this.engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
			// A post-handshake message (a TLS 1.3 key update) wants an answer.
			this.outbound.lock();
			try {
				wrap(NOTHING);
				flushNow();
			}
			finally {
				this.outbound.unlock();
			}
		}
		return true;
	}

	private ByteBuffer appInForFilling() {
		if (this.appIn == null) {
			this.appIn = ByteBuffer.allocate(this.engine.getSession().getApplicationBufferSize());
		}
		else {
			this.appIn.compact();
		}
		return this.appIn;
	}

	private int readNet() throws IOException {
		return this.netIn.readFrom(this.socket, this.engine.getSession().getPacketBufferSize());
	}

	private void growNetInIfFull() {
		this.netIn.growIfFull(this.engine.getSession().getPacketBufferSize());
	}

	/** Encrypts one record's worth of {@code srcs} into {@code netOut}. Holds the outbound lock. */
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
			runTasks();
		}
		return result.bytesConsumed();
	}

	/** Writes pending ciphertext as far as the socket takes it. Holds the outbound lock. */
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

	private void runTasks() {
		Runnable task;
		while ((task = this.engine.getDelegatedTask()) != null) {
			task.run();
		}
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
