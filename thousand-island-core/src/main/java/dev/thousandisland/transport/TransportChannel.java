package dev.thousandisland.transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * A connection's byte stream after the transport handshake. Every method is non-blocking: reads
 * and writes do what they can right now and report it; the connection waits for readiness
 * between calls. That keeps a parked connection free of any buffer.
 */
public interface TransportChannel {

	/**
	 * Reads what is available right now.
	 * @param dst where to put the bytes
	 * @return the number of bytes read, 0 if none are available now, or -1 at end of stream
	 * @throws IOException on a transport error
	 */
	int read(ByteBuffer dst) throws IOException;

	/**
	 * Writes what the socket accepts right now.
	 * @param srcs the bytes to write
	 * @return the number of bytes taken from {@code srcs}, possibly 0
	 * @throws IOException on a transport error
	 */
	long write(ByteBuffer[] srcs) throws IOException;

	/**
	 * Writes bytes this channel still holds from earlier writes (a TLS record that did not fit).
	 * @return {@code true} when nothing is left to write
	 * @throws IOException on a transport error
	 */
	default boolean flush() throws IOException {
		return true;
	}

	/**
	 * Sends part of a file, using the kernel's zero-copy path where the transport allows.
	 * @param file the file
	 * @param position where to start in the file
	 * @param count the most bytes to send
	 * @return the number of bytes sent, possibly 0 when the socket is full
	 * @throws IOException on a transport or file error
	 */
	long transferFrom(FileChannel file, long position, long count) throws IOException;

	/**
	 * Returns whether decrypted bytes are waiting that the socket's readiness will not announce.
	 * @return {@code true} if a read would return data without waiting
	 */
	default boolean hasBufferedInput() {
		return false;
	}

	/**
	 * Returns the TLS session, for a secure channel.
	 * @return the session, or empty when the channel does not encrypt
	 */
	default Optional<SSLSession> sslSession() {
		return Optional.empty();
	}

	/**
	 * Returns the protocol agreed with ALPN during the TLS handshake.
	 * @return the protocol, or empty when the channel does not encrypt or none was agreed
	 */
	default Optional<String> applicationProtocol() {
		return Optional.empty();
	}

	/**
	 * Stops reading: further reads see end of stream.
	 * @throws IOException on a transport error
	 */
	void shutdownInput() throws IOException;

	/**
	 * Stops writing: the peer sees end of stream.
	 * @throws IOException on a transport error
	 */
	void shutdownOutput() throws IOException;

	/**
	 * Closes the channel and its socket.
	 * @throws IOException on a transport error
	 */
	void close() throws IOException;

	/**
	 * Returns whether the channel is open.
	 * @return whether it is open
	 */
	boolean isOpen();

	/**
	 * Returns the local address: an {@link java.net.InetSocketAddress} or a
	 * {@link java.net.UnixDomainSocketAddress}.
	 * @return the local address
	 * @throws IOException if the socket is closed
	 */
	SocketAddress localAddress() throws IOException;

	/**
	 * Returns the peer's address: an {@link java.net.InetSocketAddress} or a
	 * {@link java.net.UnixDomainSocketAddress}.
	 * @return the remote address
	 * @throws IOException if the socket is closed
	 */
	SocketAddress remoteAddress() throws IOException;

}
