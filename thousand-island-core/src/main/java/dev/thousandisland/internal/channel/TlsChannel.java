package dev.thousandisland.internal.channel;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

import dev.thousandisland.transport.Readiness;
import dev.thousandisland.transport.ServerNameRefusedException;
import dev.thousandisland.transport.TransportChannel;

/**
 * A connection's bytes through an {@link SSLEngine}. Like every {@link TransportChannel} it never
 * blocks: reads decrypt what has arrived, writes encrypt and send what the socket takes, and
 * ciphertext that did not fit waits in {@link #flush()}.
 *
 * <p>Buffers exist only while they hold bytes: an idle TLS connection keeps none, and one waiting
 * for the rest of a record keeps only about the bytes of it that arrived ({@link InboundCiphertext}).
 * Decrypted bytes go straight into the caller's buffer when it is large enough, else into one
 * borrowed from the transport's {@link TlsBufferPool} until the caller has taken them; so a
 * wake-up that brings a few bytes allocates no full-size buffer. The inbound side,
 * here, is touched only by the connection's own thread; the outbound side ({@link TlsOutbound}) is
 * serialised by a lock, so that a close from another thread can send its close_notify without
 * racing a sender.
 */
public final class TlsChannel implements TransportChannel {

	private final SocketChannel socket;

	private final SSLEngine engine;

	private final TlsOutbound outbound;

	/** Ciphertext read and not yet decrypted. */
	private final InboundCiphertext netIn;

	private final TlsBufferPool pool;

	/** Records unwrapped in a row that brought no application data. */
	private final RecordsWithoutData recordsWithoutData = new RecordsWithoutData();

	/**
	 * Plaintext decrypted and not yet handed out, in drain mode, borrowed from {@link #pool};
	 * {@code null} when empty.
	 */
	private ByteBuffer appIn;

	/**
	 * @param socket the connection's socket, in non-blocking mode
	 * @param engine the engine for this connection, in server mode, its handshake not begun
	 */
	public TlsChannel(SocketChannel socket, SSLEngine engine) {
		this(socket, engine, new LongAdder(), new TlsBufferPool(1));
	}

	/**
	 * @param socket the connection's socket, in non-blocking mode
	 * @param engine the engine for this connection, in server mode, its handshake not begun
	 * @param heldInbound where the bytes of the buffers holding undecrypted ciphertext are counted
	 * @param pool where full-size buffers are borrowed while reading, shared by the transport's
	 * connections
	 */
	public TlsChannel(SocketChannel socket, SSLEngine engine, LongAdder heldInbound, TlsBufferPool pool) {
		this(socket, engine, new InboundCiphertext(heldInbound, pool), pool);
	}

	private TlsChannel(SocketChannel socket, SSLEngine engine, InboundCiphertext netIn, TlsBufferPool pool) {
		this.socket = socket;
		this.engine = engine;
		this.outbound = new TlsOutbound(socket, engine);
		this.netIn = netIn;
		this.pool = pool;
	}

	/**
	 * Reads the client's ClientHello far enough to learn the host name it asks for (SNI), and
	 * returns a channel over the engine chosen for that name, its handshake not begun. The bytes
	 * read so far stay buffered for that engine, so the handshake then runs as usual.
	 * @param socket the connection's socket, in non-blocking mode
	 * @param alreadyRead the connection's first bytes, read before (by a PROXY header reader), to
	 * come ahead of the socket's; usually empty
	 * @param engineForName the engine for a host name (lower case, ASCII), or for {@code null}
	 * when the client sent none or its ClientHello could not be read; it may refuse the name
	 * @param heldInbound where the bytes of the buffers holding undecrypted ciphertext are counted
	 * @param pool where full-size buffers are borrowed while reading
	 * @param readiness how to wait for the socket
	 * @param deadline when to give up, as {@link dev.thousandisland.transport.Transport#deadline}
	 * @return the channel, ready for {@link #handshake}
	 * @throws ServerNameRefusedException if the ClientHello's server_name breaks a rule or the
	 * name is refused, after the matching alert was sent
	 * @throws IOException if the client leaves or the deadline passes before its ClientHello ends
	 */
	public static TlsChannel forServerName(SocketChannel socket, ByteBuffer alreadyRead, EngineChooser engineForName,
			LongAdder heldInbound, TlsBufferPool pool, Readiness readiness, long deadline) throws IOException {
		InboundCiphertext netIn = new InboundCiphertext(heldInbound, pool);
		netIn.preload(alreadyRead);
		try {
			String serverName = ClientHelloServerName.read(socket, netIn, readiness, deadline);
			return new TlsChannel(socket, engineForName.engineFor(serverName), netIn, pool);
		}
		catch (ServerNameRefusedException ex) {
			netIn.release();
			RefusalAlert.send(socket, ex.reason());
			throw ex;
		}
		catch (IOException | RuntimeException ex) {
			netIn.release();
			throw ex;
		}
	}

	/** Chooses the engine for the host name a ClientHello asks for, or refuses the name. */
	@FunctionalInterface
	public interface EngineChooser {

		/**
		 * @param serverName the host name, lower case, or {@code null} for none
		 * @return the engine, in server mode, its handshake not begun
		 * @throws ServerNameRefusedException if the name is refused
		 */
		SSLEngine engineFor(String serverName) throws ServerNameRefusedException;

	}

	/**
	 * Puts bytes that were read off the socket before this channel existed (the start of the
	 * ClientHello, read while looking for a PROXY header) ahead of anything read from the socket.
	 * Before {@link #handshake} only.
	 * @param alreadyRead the bytes, ready to read; consumed
	 */
	public void replay(ByteBuffer alreadyRead) {
		this.netIn.preload(alreadyRead);
	}

	/**
	 * Runs the whole handshake on the calling thread, waiting for the socket as it must.
	 * @param readiness how to wait for the socket
	 * @param deadline when to give up, as {@link dev.thousandisland.transport.Transport#deadline}
	 * @throws IOException if the handshake fails, the client leaves, or the deadline passes
	 */
	public void handshake(Readiness readiness, long deadline) throws IOException {
		this.engine.beginHandshake();
		while (true) {
			switch (this.engine.getHandshakeStatus()) {
				case NEED_TASK -> runDelegatedTasks(this.engine);
				case NEED_WRAP -> this.outbound.sendHandshake(readiness, deadline);
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
					this.outbound.finishHandshake(readiness, deadline);
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
		return this.outbound.write(srcs);
	}

	@Override
	public boolean flush() throws IOException {
		return this.outbound.flush();
	}

	@Override
	public long transferFrom(FileChannel file, long position, long count) throws IOException {
		return this.outbound.transferFrom(file, position, count);
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
		this.outbound.shutdown();
	}

	@Override
	public void close() throws IOException {
		this.outbound.closeNotifyUnlessBusy();
		this.netIn.release();
		// Not given back: a close may come from another thread than the one using it.
		this.appIn = null;
		this.socket.close();
	}

	/**
	 * Closes after a failed handshake, first sending the client the engine's fatal alert, if it
	 * has one, so that the client learns why it was refused.
	 */
	public void abandon() throws IOException {
		this.outbound.alertUnlessBusy();
		this.netIn.release();
		this.appIn = null;
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

	/**
	 * Runs the engine's delegated tasks (certificate checks, key exchange) on the calling thread.
	 * @param engine the engine that asked for them
	 */
	static void runDelegatedTasks(SSLEngine engine) {
		Runnable task;
		while ((task = engine.getDelegatedTask()) != null) {
			task.run();
		}
	}

	private int drainAppIn(ByteBuffer dst) {
		int count = Math.min(dst.remaining(), this.appIn.remaining());
		dst.put(dst.position(), this.appIn, this.appIn.position(), count);
		dst.position(dst.position() + count);
		this.appIn.position(this.appIn.position() + count);
		giveBackAppInIfEmpty();
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
				giveBackAppInIfEmpty();
			}
		}
		switch (result.getStatus()) {
			case BUFFER_UNDERFLOW -> {
				growNetInIfFull();
				return false;
			}
			case BUFFER_OVERFLOW -> throw new SSLException("A TLS record does not fit the application buffer ("
					+ this.engine.getSession().getApplicationBufferSize() + " bytes)");
			case CLOSED -> {
			}
			case OK -> countRecordWithoutData(result);
		}
		if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
			runDelegatedTasks(this.engine);
		}
		if (dst != null && this.engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
			// A post-handshake message (a TLS 1.3 key update) wants an answer.
			this.outbound.answerPostHandshake();
		}
		return true;
	}

	private void countRecordWithoutData(SSLEngineResult result) throws SSLException {
		if (result.bytesProduced() > 0) {
			this.recordsWithoutData.reset();
		}
		else if (result.bytesConsumed() > 0 && !this.recordsWithoutData.count()) {
			throw RecordsWithoutData.refusal();
		}
	}

	private ByteBuffer appInForFilling() {
		if (this.appIn == null) {
			this.appIn = this.pool.take(this.engine.getSession().getApplicationBufferSize());
		}
		else {
			this.appIn.compact();
		}
		return this.appIn;
	}

	private void giveBackAppInIfEmpty() {
		if (!this.appIn.hasRemaining()) {
			this.pool.give(this.appIn);
			this.appIn = null;
		}
	}

	private int readNet() throws IOException {
		return this.netIn.readFrom(this.socket, this.engine.getSession().getPacketBufferSize());
	}

	private void growNetInIfFull() {
		this.netIn.growIfFull(this.engine.getSession().getPacketBufferSize());
	}

}
