package dev.thousandisland.internal.connection;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import dev.thousandisland.Connection;
import dev.thousandisland.Handler;
import dev.thousandisland.InvalidOptionException;
import dev.thousandisland.Socket;
import dev.thousandisland.SocketStats;
import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.telemetry.Span;
import dev.thousandisland.transport.Transport;
import dev.thousandisland.transport.TransportChannel;

/**
 * The {@link Socket} a handler gets: one connection's channel, its send lock, its counters, its
 * TLS facts and its end. Sending, with its waits, send timeout and telemetry, is the server's
 * {@link SocketSender}; receiving is its {@link SocketReceiver}. Both are shared by every
 * connection and keep no state between calls, so that what a connection holds while idle is
 * this object alone.
 */
public final class ConnectionSocket implements Socket {

	private final ConnectionLoop connection;

	private final SocketReadiness readiness;

	private volatile boolean secure;

	private final SocketAddress localAddress;

	private final SocketAddress remoteAddress;

	/** What a PROXY header said, and the proxy's own address; {@code null} without a header. */
	private final ProxiedBy proxiedBy;

	// A ReentrantLock, not synchronized: a sender parks while holding it, and a monitor held
	// across a park would pin the virtual thread's carrier.
	private final ReentrantLock sendLock = new ReentrantLock();

	private volatile TransportChannel channel;

	private volatile Duration readTimeout;

	private volatile Span span;

	private volatile long sendOct;

	private volatile long sendCnt;

	private volatile long recvOct;

	private volatile long recvCnt;

	ConnectionSocket(ConnectionLoop connection, TransportChannel channel, SocketReadiness readiness, ConnectionSupervisor server,
			SocketAddress localAddress, SocketAddress remoteAddress, ProxiedBy proxiedBy) {
		this.connection = connection;
		this.channel = channel;
		this.readiness = readiness;
		this.readTimeout = server.config().readTimeout();
		this.secure = false;
		this.localAddress = localAddress;
		this.remoteAddress = remoteAddress;
		this.proxiedBy = proxiedBy;
	}

	/** Puts the channel the first handshake made in place; nobody else sends yet. */
	void useChannel(TransportChannel channel, Transport transport) {
		this.channel = channel;
		this.secure = transport.isSecure();
	}

	/**
	 * The lock every send holds: one sender at a time, and none while a
	 * {@linkplain TransportSwitch STARTTLS upgrade} swaps the channel.
	 */
	ReentrantLock sendLock() {
		return this.sendLock;
	}

	/**
	 * Takes the send lock. A thread that polls (see {@link CallbacksOnPoller}) hands polling off
	 * before it waits for the lock: another sender holds it, perhaps for as long as its send takes.
	 */
	void lockSend() {
		if (!this.sendLock.tryLock()) {
			readiness().leaveIfPolling();
			this.sendLock.lock();
		}
	}

	void span(Span span) {
		this.span = span;
	}

	TransportChannel channel() {
		return this.channel;
	}

	SocketReadiness readiness() {
		return this.readiness;
	}

	void readTimeout(Duration readTimeout) {
		this.readTimeout = readTimeout;
	}

	/**
	 * Reads what the framework hands to handleData. Owner thread only.
	 * @return the bytes read, -1 at end of stream, 0 if nothing was there
	 */
	int readForHandler(ByteBuffer buffer) throws IOException {
		return this.connection.server.receiver().readForHandler(this, buffer);
	}

	@Override
	public void send(ByteBuffer... data) throws IOException {
		this.connection.server.sender().send(this, data);
	}

	@Override
	public ByteBuffer recv(int length, Duration timeout) throws IOException {
		if (length < 0) {
			throw new IllegalArgumentException("length must not be negative, was " + length);
		}
		if (timeout == null || timeout.isNegative()) {
			throw new InvalidOptionException("timeout", timeout, (timeout == null) ? "is required" : "must not be negative");
		}
		this.connection.checkOwnThread("recv");
		return this.connection.server.receiver().recv(this, length, Transport.deadline(timeout));
	}

	@Override
	public long sendfile(Path file, long offset, long length) throws IOException {
		if (offset < 0 || length < 0) {
			throw new IllegalArgumentException("offset and length must not be negative, were " + offset + " and "
					+ length);
		}
		return this.connection.server.sender().sendfile(this, file, offset, length);
	}

	@Override
	public void shutdown(ShutdownWay way) throws IOException {
		if (this.connection.server.telemetry().isEnabled()) {
			this.span.event("socket_shutdown", Map.of(), Map.of("way", way.name().toLowerCase()));
		}
		if (way != ShutdownWay.WRITE) {
			this.channel.shutdownInput();
		}
		if (way != ShutdownWay.READ) {
			this.channel.shutdownOutput();
		}
	}

	/**
	 * {@inheritDoc} From any thread, inside a callback or not: the connection ends with
	 * {@link Handler#handleClose} on its own thread, as after {@link Connection#close()}.
	 */
	@Override
	public void close() {
		end(Ending.CLOSED, null);
	}

	/**
	 * Ends the connection from any thread: records why, closes the channel and wakes the
	 * connection's own thread, which reports the end.
	 */
	void end(Ending ending, Throwable cause) {
		this.connection.recordEnd(ending, cause);
		closeChannel();
		this.connection.wake();
	}

	/** Closes the channel without saying why: the caller has recorded its own cause. */
	void closeChannel() {
		if (this.readiness != null) {
			// The poller cancels the key before the channel closes: see SocketReadiness.
			this.readiness.deregister();
		}
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// Closing failed: the descriptor is released all the same.
		}
		if (this.readiness != null) {
			this.readiness.close();
		}
	}

	@Override
	public boolean isOpen() {
		return this.channel.isOpen() && this.readiness != null && !this.readiness.isClosed();
	}

	@Override
	public SocketAddress localAddress() {
		return this.localAddress;
	}

	@Override
	public SocketAddress remoteAddress() {
		return this.remoteAddress;
	}

	@Override
	public SocketAddress peerAddress() {
		return (this.proxiedBy != null) ? this.proxiedBy.proxy() : this.remoteAddress;
	}

	@Override
	public Optional<ProxyHeader> proxyHeader() {
		return (this.proxiedBy != null) ? Optional.of(this.proxiedBy.header()) : Optional.empty();
	}

	@Override
	public boolean isSecure() {
		return this.secure;
	}

	@Override
	public Optional<SSLSession> sslSession() {
		return this.channel.sslSession();
	}

	@Override
	public Optional<String> negotiatedProtocol() {
		return this.channel.applicationProtocol();
	}

	@Override
	public List<Certificate> peerCertificates() {
		return this.channel.sslSession().map((session) -> {
			try {
				return List.of(session.getPeerCertificates());
			}
			catch (SSLPeerUnverifiedException ex) {
				return List.<Certificate>of();
			}
		}).orElse(List.of());
	}

	@Override
	public Optional<String> serverName() {
		return this.channel.sslSession()
			.filter(ExtendedSSLSession.class::isInstance)
			.flatMap((session) -> ((ExtendedSSLSession) session).getRequestedServerNames()
				.stream()
				.filter(SNIHostName.class::isInstance)
				// Lower case: the name that chose the connection's context, as the server compared it.
				.map((name) -> ((SNIHostName) name).getAsciiName().toLowerCase(Locale.ROOT))
				.findFirst());
	}

	@Override
	public SocketStats stats() {
		return new SocketStats(this.sendOct, this.sendCnt, this.recvOct, this.recvCnt);
	}

	@Override
	public Duration readTimeout() {
		return this.readTimeout;
	}

	@Override
	public Span telemetrySpan() {
		return this.span;
	}

	@Override
	public Connection connection() {
		return this.connection;
	}

	/**
	 * Counts a send's bytes, and the send itself once it completed. Under the send lock, so these
	 * updates do not race.
	 */
	void countSend(long bytes, boolean completed) {
		this.sendOct += bytes;
		if (completed) {
			this.sendCnt++;
		}
	}

	void countRecv(int read) {
		// Only the connection's own thread reads, so these updates do not race.
		this.recvOct += read;
		this.recvCnt++;
	}

	/**
	 * Names an I/O failure in telemetry events.
	 * @param ex the failure
	 * @return {@code timeout}, {@code closed}, or the exception's message (its class name if none)
	 */
	public static String errorName(Throwable ex) {
		if (ex instanceof SocketTimeoutException) {
			return "timeout";
		}
		if (ex instanceof ClosedChannelException || ex instanceof EOFException) {
			return "closed";
		}
		return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
	}

}
