package dev.thousandisland.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The peers a server accepts a PROXY protocol header from: IPv4 and IPv6 addresses and CIDR
 * blocks, such as {@code 10.0.0.0/8}, {@code 192.168.1.20} or {@code fd00::/8}. A header tells the
 * server who the client is, so only a proxy the server trusts may send one; anyone else could
 * claim any address.
 *
 * <p>Peers on a Unix domain socket are always trusted: reaching the socket takes the file
 * permissions of its path, which are the trust boundary there.
 *
 * <p>Entries are IP literals only: host names are refused, never looked up. Immutable.
 */
public final class ProxyTrustedSources {

	private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

	private static final ProxyTrustedSources LOOPBACK = of(List.of("127.0.0.0/8", "::1"));

	private final List<String> sources;

	private final List<Block> blocks;

	private ProxyTrustedSources(List<String> sources, List<Block> blocks) {
		this.sources = sources;
		this.blocks = blocks;
	}

	/**
	 * Returns the default: the loopback addresses, {@code 127.0.0.0/8} and {@code ::1}.
	 * @return the loopback sources
	 */
	public static ProxyTrustedSources loopback() {
		return LOOPBACK;
	}

	/**
	 * Parses a list of sources.
	 * @param sources addresses ({@code 10.1.2.3}, {@code ::1}) and CIDR blocks ({@code 10.0.0.0/8},
	 * {@code fd00::/8}); an empty list trusts no IP peer at all
	 * @return the sources
	 * @throws IllegalArgumentException naming the first entry that is not an IP literal with an
	 * optional prefix length that fits its family
	 */
	public static ProxyTrustedSources of(Collection<String> sources) {
		List<String> copy = List.copyOf(sources);
		return new ProxyTrustedSources(copy, copy.stream().map(ProxyTrustedSources::parse).toList());
	}

	/**
	 * Returns the sources as given.
	 * @return the entries, in order
	 */
	public List<String> sources() {
		return this.sources;
	}

	/**
	 * Returns whether a peer may send a header.
	 * @param peer the address at the other end of an accepted socket
	 * @return {@code true} for an IP peer inside one of the sources and for any Unix domain socket
	 * peer
	 */
	public boolean trusts(SocketAddress peer) {
		if (peer instanceof UnixDomainSocketAddress) {
			return true;
		}
		if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null) {
			return false;
		}
		byte[] address = inet.getAddress().getAddress();
		for (Block block : this.blocks) {
			if (block.contains(address)) {
				return true;
			}
		}
		return false;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof ProxyTrustedSources that && this.sources.equals(that.sources);
	}

	@Override
	public int hashCode() {
		return this.sources.hashCode();
	}

	@Override
	public String toString() {
		return this.sources.toString();
	}

	private static Block parse(String source) {
		if (source == null) {
			throw new IllegalArgumentException("a trusted source is null");
		}
		String text = source.strip();
		int slash = text.indexOf('/');
		String literal = (slash >= 0) ? text.substring(0, slash) : text;
		if (!IPV4.matcher(literal).matches() && !literal.contains(":")) {
			throw new IllegalArgumentException("'" + source + "' is not an IPv4 or IPv6 address or CIDR block"
					+ " (host names are not looked up)");
		}
		byte[] network;
		try {
			// An IP literal: getByName parses it without a name lookup.
			network = InetAddress.getByName(literal).getAddress();
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException("'" + source + "' is not a valid IP address: " + ex.getMessage(), ex);
		}
		int bits = network.length * 8;
		int prefix = bits;
		if (slash >= 0) {
			String length = text.substring(slash + 1);
			if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > bits) {
				throw new IllegalArgumentException("'" + source + "' has a prefix length that is not between 0 and "
						+ bits);
			}
			prefix = Integer.parseInt(length);
		}
		return new Block(network, prefix);
	}

	/** A network and the number of leading bits that must match it. */
	private record Block(byte[] network, int prefix) {

		boolean contains(byte[] address) {
			if (address.length != this.network.length) {
				return false;
			}
			int whole = this.prefix / 8;
			if (!Arrays.equals(address, 0, whole, this.network, 0, whole)) {
				return false;
			}
			int rest = this.prefix % 8;
			if (rest == 0) {
				return true;
			}
			int mask = (0xFF << (8 - rest)) & 0xFF;
			return (address[whole] & mask) == (this.network[whole] & mask);
		}

	}

}
