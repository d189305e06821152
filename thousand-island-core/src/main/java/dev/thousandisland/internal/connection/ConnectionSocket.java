package dev.thousandisland.internal.connection;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
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
import dev.thousandisland.ServerConfig;
import dev.thousandisland.Socket;
import dev.thousandisland.SocketStats;
import dev.thousandisland.telemetry.Span;
import dev.thousandisland.telemetry.Telemetry;
import dev.thousandisland.transport.Transport;
import dev.thousandisland.transport.TransportChannel;


/**
 * The {@link Socket} a handler gets: one connection's channel, with the waiting, the send
 * timeout, the counters and the telemetry around every operation.
 */
public final class ConnectionSocket implements Socket {

	private final ConnectionLoop connection;

	private final SocketReadiness readiness;

	private final Telemetry telemetry;

	private final BufferPool buffers;

	private final Duration sendTimeout;

	private volatile boolean secure;

	private final SocketAddress localAddress;

	private final SocketAddress remoteAddress;

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
			SocketAddress localAddress, SocketAddress remoteAddress) {
		this.connection = connection;
		this.channel = channel;
		this.readiness = readiness;
		this.telemetry = server.telemetry();
		this.buffers = server.buffers();
		this.sendTimeout = server.config().sendTimeout();
		this.readTimeout = server.config().readTimeout();
		this.secure = false;
		this.localAddress = localAddress;
		this.remoteAddress = remoteAddress;
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
		int read = this.channel.read(buffer);
		if (read > 0) {
			countRecv(read);
			if (this.telemetry.isEnabled()) {
				this.span.event("async_recv", measurements(read, buffer, buffer.position() - read), Map.of());
			}
		}
		return read;
	}

	@Override
	public void send(ByteBuffer... data) throws IOException {
		long total = 0;
		int[] starts = this.telemetry.capturesPayloads() ? positions(data) : null;
		this.sendLock.lock();
		try {
			TransportChannel channel = this.channel;
			if (!isOpen()) {
				throw new ClosedChannelException();
			}
			// The timeout bounds a wait without progress, as Erlang's send_timeout does: a large
			// send to a slow client that keeps reading is not cut off.
			long deadline = Transport.deadline(this.sendTimeout);
			while (hasRemaining(data)) {
				long written = channel.write(data);
				total += written;
				if (written == 0) {
					this.readiness.awaitWritable(deadline);
				}
				else {
					deadline = Transport.deadline(this.sendTimeout);
				}
			}
			while (!channel.flush()) {
				this.readiness.awaitWritable(deadline);
			}
			this.sendOct += total;
			this.sendCnt++;
		}
		catch (SocketTimeoutException ex) {
			this.sendOct += total;
			sendFailed(total, ex);
			throw sendTimedOut(ex);
		}
		catch (IOException ex) {
			this.sendOct += total;
			sendFailed(total, ex);
			throw ex;
		}
		finally {
			this.sendLock.unlock();
		}
		if (this.telemetry.isEnabled()) {
			this.span.event("send", sent(total, data, starts), Map.of());
		}
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
		long deadline = Transport.deadline(timeout);
		try {
			ByteBuffer result = (length == 0) ? recvAvailable(deadline) : recvExactly(length, deadline);
			if (this.telemetry.isEnabled()) {
				this.span.event("recv", measurements(result.remaining(), result, 0), Map.of());
			}
			return result;
		}
		catch (IOException ex) {
			if (this.telemetry.isEnabled()) {
				this.span.event("recv_error", Map.of(), Map.of("error", errorName(ex)));
			}
			// Marked as recv's own, so that only it, not a timeout of the handler's other I/O,
			// reads as a read timeout when it escapes the callback.
			throw (ex instanceof SocketTimeoutException) ? new RecvTimeoutException(ex.getMessage()) : ex;
		}
	}

	private ByteBuffer recvAvailable(long deadline) throws IOException {
		ByteBuffer buffer = this.buffers.take();
		try {
			int read;
			while ((read = this.channel.read(buffer)) == 0) {
				this.readiness.awaitReadable(deadline);
			}
			if (read < 0) {
				throw new EOFException("The client closed the connection");
			}
			countRecv(read);
			buffer.flip();
			return ByteBuffer.allocate(read).put(buffer).flip();
		}
		finally {
			this.buffers.give(buffer);
		}
	}

	private ByteBuffer recvExactly(int length, long deadline) throws IOException {
		ByteBuffer result = ByteBuffer.allocate(length);
		while (result.hasRemaining()) {
			int read = this.channel.read(result);
			if (read < 0) {
				throw new EOFException("The client closed the connection after " + result.position() + " of "
						+ length + " bytes");
			}
			if (read == 0) {
				this.readiness.awaitReadable(deadline);
			}
			else {
				countRecv(read);
			}
		}
		return result.flip();
	}

	@Override
	public long sendfile(Path file, long offset, long length) throws IOException {
		if (offset < 0 || length < 0) {
			throw new IllegalArgumentException("offset and length must not be negative, were " + offset + " and "
					+ length);
		}
		long sent = 0;
		this.sendLock.lock();
		try (FileChannel source = FileChannel.open(file, StandardOpenOption.READ)) {
			long end = (length == 0) ? source.size() : Math.min(source.size(), offset + length);
			long deadline = Transport.deadline(this.sendTimeout);
			TransportChannel channel = this.channel;
			while (offset + sent < end) {
				long written = channel.transferFrom(source, offset + sent, end - offset - sent);
				sent += written;
				if (written == 0) {
					this.readiness.awaitWritable(deadline);
				}
				else {
					deadline = Transport.deadline(this.sendTimeout);
				}
			}
			while (!channel.flush()) {
				this.readiness.awaitWritable(deadline);
			}
			this.sendOct += sent;
			this.sendCnt++;
		}
		catch (IOException ex) {
			this.sendOct += sent;
			if (this.telemetry.isEnabled()) {
				this.span.event("sendfile_error", Map.of("offset", offset, "length", length),
						Map.of("filename", file.toString(), "error", errorName(ex)));
			}
			throw (ex instanceof SocketTimeoutException timeout) ? sendTimedOut(timeout) : ex;
		}
		finally {
			this.sendLock.unlock();
		}
		if (this.telemetry.isEnabled()) {
			this.span.event("sendfile", Map.of("offset", offset, "bytes_written", sent),
					Map.of("filename", file.toString()));
		}
		return sent;
	}

	@Override
	public void shutdown(ShutdownWay way) throws IOException {
		if (this.telemetry.isEnabled()) {
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
		this.connection.recordEnd(Ending.CLOSED, null);
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
				.map((name) -> ((SNIHostName) name).getAsciiName())
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
	 * Closes the connection after a send made no progress for {@code sendTimeout}. The exception
	 * is not a {@link SocketTimeoutException}: it is no read timeout.
	 */
	private InterruptedByTimeoutException sendTimedOut(SocketTimeoutException cause) {
		InterruptedByTimeoutException timeout = new InterruptedByTimeoutException();
		timeout.initCause(cause);
		// Whichever thread sent, the connection's own thread reports the end, as a send timeout.
		this.connection.recordEnd(Ending.SEND_TIMEOUT, timeout);
		closeChannel();
		this.connection.wake();
		return timeout;
	}

	private void countRecv(int read) {
		// Only the connection's own thread reads, so these updates do not race.
		this.recvOct += read;
		this.recvCnt++;
	}

	private void sendFailed(long written, IOException ex) {
		if (this.telemetry.isEnabled()) {
			this.span.event("send_error", Map.of("bytes", written), Map.of("error", errorName(ex)));
		}
	}

	private Map<String, Object> measurements(int bytes, ByteBuffer buffer, int from) {
		if (!this.telemetry.capturesPayloads()) {
			return Map.of("bytes", (long) bytes);
		}
		byte[] copy = new byte[bytes];
		buffer.get(from, copy);
		return Map.of("bytes", (long) bytes, "data", copy);
	}

	private Map<String, Object> sent(long total, ByteBuffer[] data, int[] starts) {
		if (starts == null) {
			return Map.of("bytes", total);
		}
		byte[] copy = new byte[(int) total];
		int offset = 0;
		for (int i = 0; i < data.length; i++) {
			int count = data[i].position() - starts[i];
			data[i].get(starts[i], copy, offset, count);
			offset += count;
		}
		return Map.of("bytes", total, "data", copy);
	}

	private static int[] positions(ByteBuffer[] data) {
		int[] positions = new int[data.length];
		for (int i = 0; i < data.length; i++) {
			positions[i] = data[i].position();
		}
		return positions;
	}

	private static boolean hasRemaining(ByteBuffer[] data) {
		for (ByteBuffer buffer : data) {
			if (buffer.hasRemaining()) {
				return true;
			}
		}
		return false;
	}

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
