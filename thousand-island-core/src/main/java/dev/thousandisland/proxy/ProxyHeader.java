package dev.thousandisland.proxy;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A PROXY protocol header, as read from the start of a connection that a proxy opened on a
 * client's behalf.
 *
 * <p>When the header carries addresses ({@link #hasAddresses()}), {@link #source()} is the client
 * as the proxy saw it and {@link #destination()} the address the client connected to (the proxy's
 * listener). It carries none for a {@link Command#LOCAL} connection (the proxy's own, such as a
 * health check), a version 1 {@code UNKNOWN} line, or a version 2 header with an unspecified family
 * or protocol: the connection's real endpoints then stand.
 *
 * @param version the protocol version the header used
 * @param command {@link Command#PROXY} for a relayed connection, {@link Command#LOCAL} for the
 * proxy's own
 * @param family the address family the header declared; {@link Family#UNSPEC} for a version 2
 * {@code LOCAL} header, whose whole block after the fixed part, family included, is ignored as the
 * specification requires
 * @param protocol the transport protocol the header declared; {@link Protocol#UNSPEC} for a
 * version 2 {@code LOCAL} header
 * @param source the client's address, or {@code null} when the header carries no addresses: an
 * {@link java.net.InetSocketAddress} for IPv4 and IPv6 (an IPv4-mapped IPv6 address comes out as
 * IPv4, as everywhere in the JDK), a {@link java.net.UnixDomainSocketAddress} for Unix (an
 * abstract-namespace name, which a {@code Path} cannot hold, comes out as the empty path)
 * @param destination the address the client connected to, or {@code null} with {@code source}
 * @param tlvs the version 2 extensions in the order sent (empty for version 1 and for a
 * {@code LOCAL} header, whose block is not read), the CRC32C one included (it was verified when
 * read)
 */
public record ProxyHeader(Version version, Command command, Family family, Protocol protocol, SocketAddress source,
		SocketAddress destination, List<ProxyTlv> tlvs) {

	/** The two wire formats. */
	public enum Version {

		/** The human-readable line: {@code PROXY TCP4 ...\r\n}. */
		V1,

		/** The binary format, with a 12-byte signature and optional TLVs. */
		V2

	}

	/** What the connection is. */
	public enum Command {

		/** The proxy opened the connection for itself (a health check); ignore the addresses. */
		LOCAL,

		/** The proxy relays a client's connection; the addresses are the client's. */
		PROXY

	}

	/** The address family of the relayed connection. */
	public enum Family {

		/** Unknown or unsupported (version 1 {@code UNKNOWN}, version 2 {@code AF_UNSPEC}). */
		UNSPEC,

		/** IPv4 (version 1 {@code TCP4}). */
		INET,

		/** IPv6 (version 1 {@code TCP6}). */
		INET6,

		/** Unix domain sockets (version 2 only). */
		UNIX

	}

	/** The transport protocol of the relayed connection. */
	public enum Protocol {

		/** Unknown or unsupported. */
		UNSPEC,

		/** A stream: TCP or a Unix stream socket. */
		STREAM,

		/** Datagrams: UDP or a Unix datagram socket (version 2 only). */
		DGRAM

	}

	/**
	 * Creates a header, copying the TLV list.
	 * @param version the protocol version
	 * @param command the command
	 * @param family the address family
	 * @param protocol the transport protocol
	 * @param source the client's address, or {@code null}
	 * @param destination the address the client connected to, or {@code null}
	 * @param tlvs the extensions
	 */
	public ProxyHeader {
		Objects.requireNonNull(version, "version");
		Objects.requireNonNull(command, "command");
		Objects.requireNonNull(family, "family");
		Objects.requireNonNull(protocol, "protocol");
		if ((source == null) != (destination == null)) {
			throw new IllegalArgumentException("A header carries both addresses or neither");
		}
		tlvs = List.copyOf(tlvs);
	}

	/**
	 * Returns whether the header carries the client's addresses; when it does not, the
	 * connection's real endpoints stand.
	 * @return whether {@link #source()} and {@link #destination()} are present
	 */
	public boolean hasAddresses() {
		return this.source != null;
	}

	/**
	 * Returns the first TLV of a type.
	 * @param type the type byte, such as {@link ProxyTlv#ALPN}
	 * @return the TLV, if sent
	 */
	public Optional<ProxyTlv> tlv(int type) {
		return this.tlvs.stream().filter((tlv) -> tlv.type() == type).findFirst();
	}

	/**
	 * Returns the protocol the client negotiated with the proxy by ALPN, such as {@code h2}. ALPN
	 * names are bytes; they are decoded as ISO-8859-1, which maps every byte to one character.
	 * @return the protocol name, if sent
	 */
	public Optional<String> alpn() {
		return tlv(ProxyTlv.ALPN).map((tlv) -> new String(tlv.value(), StandardCharsets.ISO_8859_1));
	}

	/**
	 * Returns the host name the client asked for: its TLS SNI, or an authority the proxy knows.
	 * @return the host name, if sent
	 */
	public Optional<String> authority() {
		return tlv(ProxyTlv.AUTHORITY).map((tlv) -> new String(tlv.value(), StandardCharsets.UTF_8));
	}

	/**
	 * Returns the opaque id (at most 128 bytes) the proxy gave the connection, for correlating its
	 * logs with the server's.
	 * @return a copy of the id bytes, if sent
	 */
	public Optional<byte[]> uniqueId() {
		return tlv(ProxyTlv.UNIQUE_ID).map(ProxyTlv::value);
	}

	/**
	 * Returns how the client connected to the proxy: over TLS or not, with which version and
	 * cipher, with which certificate.
	 * @return the SSL details, if sent
	 * @throws IllegalArgumentException if the SSL TLV is malformed, which the reader never lets
	 * through: only a header built by hand can hold one
	 */
	public Optional<ProxySsl> ssl() {
		return tlv(ProxyTlv.SSL).map((tlv) -> ProxySsl.decode(tlv.value()));
	}

	/**
	 * Returns the name of the network namespace the proxy accepted the connection in.
	 * @return the namespace name, if sent
	 */
	public Optional<String> networkNamespace() {
		return tlv(ProxyTlv.NETNS).map((tlv) -> new String(tlv.value(), StandardCharsets.US_ASCII));
	}

}
