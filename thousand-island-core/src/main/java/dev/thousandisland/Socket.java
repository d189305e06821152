package dev.thousandisland;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSession;

import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.telemetry.Span;


/**
 * A connection's socket as its handler sees it: Thousand Island's {@code ThousandIsland.Socket}.
 *
 * <p>{@link #recv} may only be called on the connection's own thread (inside a callback), because
 * the framework itself reads between callbacks. {@link #send} may be called from any thread; sends
 * are serialised per connection. Every blocking call parks only the calling virtual thread.
 */
public interface Socket {

	/**
	 * Sends bytes, blocking until all are written. If the client takes nothing for the server's
	 * {@code sendTimeout}, the connection is closed and an
	 * {@link java.nio.channels.InterruptedByTimeoutException} is thrown; whichever thread sent,
	 * the connection then ends on its own thread with {@link Handler#handleError} given that
	 * exception (stop reason {@code send_timeout}), whatever the handler does with it. A send from
	 * another thread while a {@link Result#switchTransport} upgrade runs waits for the handshake
	 * to finish and goes out encrypted.
	 * @param data the bytes; their positions advance as they are written
	 * @throws IOException if the connection is closed or the write fails
	 */
	void send(ByteBuffer... data) throws IOException;

	/**
	 * Sends bytes, as {@link #send(ByteBuffer...)}.
	 * @param data the bytes
	 * @throws IOException if the connection is closed or the write fails
	 */
	default void send(byte[] data) throws IOException {
		send(ByteBuffer.wrap(data));
	}

	/**
	 * Receives bytes, waiting at most the connection's read timeout.
	 * @param length the exact number of bytes to wait for, or 0 for whatever is available
	 * (waiting for at least one byte)
	 * @return a new buffer, owned by the caller, ready to read
	 * @throws java.net.SocketTimeoutException if the timeout passes first
	 * @throws java.io.EOFException if the client closed before enough bytes arrived
	 * @throws IOException if the read fails
	 */
	default ByteBuffer recv(int length) throws IOException {
		return recv(length, readTimeout());
	}

	/**
	 * Receives bytes, waiting at most {@code timeout}.
	 * @param length the exact number of bytes to wait for, or 0 for whatever is available
	 * (waiting for at least one byte)
	 * @param timeout how long to wait; {@link Duration#ZERO} only takes what is already there
	 * @return a new buffer, owned by the caller, ready to read
	 * @throws java.net.SocketTimeoutException if the timeout passes first; escaping the callback
	 * (or returned in {@link Result#error}), it ends the connection through
	 * {@link Handler#handleTimeout}
	 * @throws java.io.EOFException if the client closed before enough bytes arrived
	 * @throws IOException if the read fails
	 * @throws IllegalStateException if called from another thread than the connection's
	 */
	ByteBuffer recv(int length, Duration timeout) throws IOException;

	/**
	 * Sends part of a file: with the plain transport the kernel copies it (sendfile(2)); with TLS
	 * it is read and sent in bounded chunks. The file is always closed afterwards.
	 * @param file the file
	 * @param offset where to start
	 * @param length how many bytes, or 0 for everything from {@code offset} to the end
	 * @return the number of bytes sent
	 * @throws IOException if the file cannot be read or the send fails; an
	 * {@link java.nio.channels.InterruptedByTimeoutException} (and the connection closed) if the
	 * client takes nothing for {@code sendTimeout}, as for {@link #send}
	 */
	long sendfile(Path file, long offset, long length) throws IOException;

	/**
	 * Half-closes the socket.
	 * @param way which direction to shut
	 * @throws IOException if the socket is closed
	 */
	void shutdown(ShutdownWay way) throws IOException;

	/**
	 * Closes the socket, from any thread, exactly as {@link Connection#close()}: the connection
	 * ends on its own thread with {@link Handler#handleClose} (socket closed, stop reason
	 * {@code closed}), when the current callback returns, or at once if none is running.
	 */
	void close();

	/**
	 * Returns whether the socket is open.
	 * @return whether it is open
	 */
	boolean isOpen();

	/**
	 * Returns the address this end is bound to.
	 * @return an {@link java.net.InetSocketAddress} or a {@link java.net.UnixDomainSocketAddress}
	 */
	SocketAddress localAddress();

	/**
	 * Returns the client's address. Behind a proxy that sent a PROXY protocol header
	 * ({@link ServerConfig#proxyProtocol()}), this is the client's address the header tells, not
	 * the proxy's; a header without addresses (a {@code LOCAL} health check, version 1
	 * {@code UNKNOWN}) leaves the proxy's.
	 * @return an {@link java.net.InetSocketAddress} or a {@link java.net.UnixDomainSocketAddress}
	 * (unnamed for a Unix client that did not bind)
	 */
	SocketAddress remoteAddress();

	/**
	 * Returns the address at the other end of the socket itself: the proxy's when a PROXY
	 * protocol header was read, otherwise the same as {@link #remoteAddress()}.
	 * @return an {@link java.net.InetSocketAddress} or a {@link java.net.UnixDomainSocketAddress}
	 */
	default SocketAddress peerAddress() {
		return remoteAddress();
	}

	/**
	 * Returns the PROXY protocol header the connection started with: its addresses, command and,
	 * for version 2, its TLVs (ALPN, authority, SSL, unique id).
	 * @return the header; empty when the server does not read headers, or (in {@code OPTIONAL}
	 * mode) the connection did not send one
	 */
	default Optional<ProxyHeader> proxyHeader() {
		return Optional.empty();
	}

	/**
	 * Returns whether the connection is encrypted (TLS from the start, or after STARTTLS).
	 * @return {@code true} for TLS
	 */
	boolean isSecure();

	/**
	 * Returns the TLS session: protocol version ({@code getProtocol()}), cipher suite, peer
	 * certificates and the rest of Thousand Island's {@code connection_information}.
	 * @return the session, or empty when the connection is not secure
	 */
	Optional<SSLSession> sslSession();

	/**
	 * Returns the protocol agreed with ALPN.
	 * @return the protocol, such as {@code h2}; empty when the connection is not secure or the
	 * client offered no protocol the server supports ("not negotiated")
	 */
	Optional<String> negotiatedProtocol();

	/**
	 * Returns the certificate chain the client presented, the client's own certificate first.
	 * @return the chain; empty when the connection is not secure or the client sent none
	 */
	List<Certificate> peerCertificates();

	/**
	 * Returns the host name the client asked for with SNI: the name that chose the connection's
	 * certificate and trust (a server refuses a ClientHello whose name it cannot read the same way
	 * its TLS engine does, and checks after the handshake that the two agree).
	 * @return the host name, in lower case ASCII (an internationalised name in its {@code xn--}
	 * form); empty when the connection is not secure or the client sent none
	 */
	Optional<String> serverName();

	/**
	 * Returns the connection's byte and call counters so far.
	 * @return the counters
	 */
	SocketStats stats();

	/**
	 * Returns the connection's read timeout: how long the framework waits for data between
	 * callbacks, and the default timeout of {@link #recv(int)}.
	 * @return the read timeout
	 */
	Duration readTimeout();

	/**
	 * Returns the connection's telemetry span, for nesting spans of your own under it.
	 * @return the span
	 */
	Span telemetrySpan();

	/**
	 * Returns the connection this socket belongs to, to hand to other threads that want to
	 * {@linkplain Connection#tell tell} it something.
	 * @return the connection
	 */
	Connection connection();

	/**
	 * A direction to shut with {@link Socket#shutdown}.
	 */
	enum ShutdownWay {

		/** Stop reading. */
		READ,

		/** Stop writing: the client sees end of stream. */
		WRITE,

		/** Both. */
		READ_WRITE

	}

}
