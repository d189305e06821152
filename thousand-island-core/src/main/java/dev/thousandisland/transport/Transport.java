package dev.thousandisland.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * How bytes travel over an accepted socket: in the clear, or (with the TLS transport) encrypted.
 * The listener and the acceptors do not change with the transport; only what happens to an
 * accepted socket does.
 *
 * <p>The seam has two halves, run on different threads:
 * <ul>
 * <li>{@link #accept} runs on an acceptor and must do nothing but take the next socket off the
 * listen queue: no I/O with the client, no handshake.
 * <li>{@link #handshake} runs on the connection's own virtual thread and turns the raw socket into
 * a {@link TransportChannel}, bounded by the server's {@code handshakeTimeout}.
 * </ul>
 * Custom transports are first-class (tests use one to inject accept failures).
 */
public interface Transport {

	/** The longest wait a deadline represents: a quarter of the nanoTime range, about 73 years. */
	long LONGEST_WAIT_NANOS = Long.MAX_VALUE / 4;

	/**
	 * Returns the transport that sends bytes as they are (TCP or Unix domain sockets).
	 * @return the plain transport
	 */
	static Transport plain() {
		return PlainTransport.INSTANCE;
	}

	/**
	 * Returns a TLS transport with the default options (TLS 1.3 and 1.2, no client
	 * certificates, no ALPN); use {@link TlsTransport#builder(javax.net.ssl.SSLContext)} for more.
	 * @param sslContext the context holding the server's key material
	 * @return the TLS transport
	 */
	static TlsTransport tls(javax.net.ssl.SSLContext sslContext) {
		return TlsTransport.builder(sslContext).build();
	}

	/**
	 * Accepts the next connection. Blocks until one arrives or the listen socket closes.
	 * @param listenSocket the listen socket, in blocking mode
	 * @return the accepted socket
	 * @throws IOException if accepting fails; the acceptor classifies the error and carries on
	 * unless the listen socket was closed
	 */
	default SocketChannel accept(ServerSocketChannel listenSocket) throws IOException {
		return listenSocket.accept();
	}

	/**
	 * Performs the transport's handshake on the connection's own thread. The socket is already in
	 * non-blocking mode and registered for readiness; wait with {@code readiness}, never by
	 * blocking the socket.
	 * @param socket the accepted socket
	 * @param readiness waits for the socket to become readable or writable
	 * @param deadline {@link System#nanoTime()} by which the handshake must finish
	 * @return the channel the connection will use from now on
	 * @throws IOException if the handshake fails; a {@link java.net.SocketTimeoutException} if
	 * the deadline passes
	 */
	TransportChannel handshake(SocketChannel socket, Readiness readiness, long deadline) throws IOException;

	/**
	 * Performs the handshake of a connection some of whose first bytes were already read off
	 * the socket: in {@code OPTIONAL} PROXY protocol mode, the bytes read while looking for a
	 * header that was not there (at most 15). The transport must treat them as if they were
	 * still in the socket, before anything it reads from it: the start of the TLS handshake, or
	 * the handler's first data. The server calls this form for every connection, with an empty
	 * buffer when nothing was read.
	 *
	 * <p>By default an empty buffer goes to {@link #handshake(SocketChannel, Readiness, long)}
	 * and any other fails the handshake: a transport that reads the socket itself must override
	 * this to be used with {@code OPTIONAL} mode. The built-in transports do.
	 * @param socket the accepted socket
	 * @param readiness waits for the socket to become readable or writable
	 * @param deadline {@link System#nanoTime()} by which the handshake must finish
	 * @param alreadyRead the bytes read before the transport, ready to read; the transport may
	 * keep the buffer
	 * @return the channel the connection will use from now on
	 * @throws IOException if the handshake fails, or this transport cannot take bytes read before
	 * it
	 */
	default TransportChannel handshake(SocketChannel socket, Readiness readiness, long deadline,
			ByteBuffer alreadyRead) throws IOException {
		if (alreadyRead.hasRemaining()) {
			throw new IOException("Transport " + name() + " (" + getClass().getName() + ") cannot take the "
					+ alreadyRead.remaining() + " bytes read before its handshake (looking for a PROXY protocol"
					+ " header in OPTIONAL mode): override handshake(SocketChannel, Readiness, long, ByteBuffer)"
					+ " or use proxyProtocol REQUIRED");
		}
		return handshake(socket, readiness, deadline);
	}

	/**
	 * Returns whether this transport encrypts.
	 * @return {@code true} for TLS
	 */
	boolean isSecure();

	/**
	 * Returns a short name for logs, telemetry and metrics tags.
	 * @return the name, such as {@code tcp} or {@code tls}
	 */
	String name();

	/**
	 * Converts a timeout into a deadline on the {@link System#nanoTime()} clock. Compare deadlines
	 * only by subtraction ({@code deadline - System.nanoTime() <= 0}), as nanoTime may wrap.
	 * Timeouts longer than about 70 years, {@code ServerConfig.NO_TIMEOUT} among them, are cut to
	 * that, which keeps the subtraction from overflowing.
	 * @param timeout the timeout
	 * @return the deadline
	 */
	static long deadline(Duration timeout) {
		long nanos;
		try {
			nanos = Math.min(timeout.toNanos(), LONGEST_WAIT_NANOS);
		}
		catch (ArithmeticException ex) {
			nanos = LONGEST_WAIT_NANOS;
		}
		return System.nanoTime() + nanos;
	}

}
