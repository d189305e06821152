package dev.thousandisland.internal.connection;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import dev.thousandisland.ServerConfig;
import dev.thousandisland.internal.proxy.ChannelByteSource;
import dev.thousandisland.internal.proxy.ProxyHeaderOutcome;
import dev.thousandisland.internal.proxy.ProxyHeaderReader;
import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxyHeaderException;
import dev.thousandisland.proxy.ProxyHeaderException.Reason;
import dev.thousandisland.proxy.ProxyProtocolMode;
import dev.thousandisland.proxy.ProxyTrustedSources;
import dev.thousandisland.transport.Readiness;
import dev.thousandisland.transport.Transport;

/**
 * The PROXY protocol's step in opening a connection, on its own thread, after the socket is
 * registered for readiness and before the transport handshake: decides whether the peer may send
 * a header, reads it as the server's {@link ServerConfig#proxyProtocol() mode} asks, and says what
 * the transport must be given first. Every refusal is a {@link ProxyHeaderException}; the caller
 * closes the connection before any handler callback.
 */
final class ProxyHeaderGate {

	/** Stateless, so one reader serves every connection of every server. */
	private static final ProxyHeaderReader READER = new ProxyHeaderReader();

	private ProxyHeaderGate() {
	}

	/**
	 * Reads the header, if the server's mode and the peer call for one.
	 * @param config the server's configuration
	 * @param socket the accepted socket, non-blocking and registered
	 * @param peer the socket's peer address
	 * @param readiness waits for the socket to become readable
	 * @return the header (or none) and the bytes read while looking for one
	 * @throws ProxyHeaderException if the connection must be closed, with the reason
	 */
	static Passed pass(ServerConfig config, SocketChannel socket, SocketAddress peer, Readiness readiness)
			throws ProxyHeaderException {
		ProxyProtocolMode mode = config.proxyProtocol();
		if (mode == ProxyProtocolMode.OFF) {
			return new Passed(null, ByteBuffer.allocate(0));
		}
		ProxyTrustedSources trusted = config.proxyTrustedSources();
		boolean trustedPeer = trusted.trusts(peer);
		if (mode == ProxyProtocolMode.REQUIRED && !trustedPeer) {
			// Nothing an untrusted peer sends could be accepted: no need to wait for it.
			throw untrusted(peer, trusted);
		}
		ChannelByteSource source = new ChannelByteSource(socket, readiness);
		long deadline = Transport.deadline(config.proxyHeaderTimeout());
		if (mode == ProxyProtocolMode.REQUIRED) {
			return new Passed(READER.readRequired(source, deadline), ByteBuffer.allocate(0));
		}
		ProxyHeaderOutcome outcome = READER.readOptional(source, deadline);
		if (outcome instanceof ProxyHeaderOutcome.Present present) {
			if (!trustedPeer) {
				throw untrusted(peer, trusted);
			}
			return new Passed(present.header(), ByteBuffer.allocate(0));
		}
		return new Passed(null, ByteBuffer.wrap(((ProxyHeaderOutcome.Absent) outcome).consumed()));
	}

	private static ProxyHeaderException untrusted(SocketAddress peer, ProxyTrustedSources trusted) {
		return new ProxyHeaderException(Reason.UNTRUSTED,
				peer + " is not among the trusted sources " + trusted + " (proxyTrustedSources)");
	}

	/**
	 * What the gate let through.
	 * @param header the header, or {@code null} when the connection had none
	 * @param replay the bytes read while looking for a header, which the transport must see first
	 * (empty, but never {@code null}, when there are none)
	 */
	record Passed(ProxyHeader header, ByteBuffer replay) {

		/**
		 * The client's address: the header's source when it carries addresses, otherwise the
		 * socket's peer (a {@code LOCAL} health check keeps the proxy's).
		 */
		SocketAddress clientAddress(SocketAddress peer) {
			return (this.header != null && this.header.hasAddresses()) ? this.header.source() : peer;
		}

		/** The header and the proxy's address for the socket, or {@code null} without a header. */
		ProxiedBy proxiedBy(SocketAddress peer) {
			return (this.header != null) ? new ProxiedBy(this.header, peer) : null;
		}

	}

}
