package dev.thousandisland;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * A snapshot of a server, as Thousand Island's {@code info/1}: cheap enough for health checks,
 * not meant for a hot path.
 *
 * @param status where the server is in its life
 * @param localAddress the address it listens on, or {@code null} while not listening
 * @param activeConnections the connections alive now
 */
public record ServerInfo(ServerStatus status, SocketAddress localAddress, int activeConnections) {

	/**
	 * Returns the local address for people: {@code 127.0.0.1:4000}, {@code [::1]:4000} or
	 * {@code unix:/run/app.sock}, with no name lookup.
	 * @return the address, or {@code null} while not listening
	 */
	public String address() {
		return (this.localAddress != null) ? format(this.localAddress) : null;
	}

	/**
	 * Formats a socket address for people, as {@link #address()} does, with no name lookup.
	 * @param address an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}
	 * @return {@code 127.0.0.1:4000}, {@code [::1]:4000} or {@code unix:/run/app.sock}
	 */
	public static String format(SocketAddress address) {
		if (address instanceof InetSocketAddress inet) {
			String host = (inet.getAddress() != null) ? inet.getAddress().getHostAddress() : inet.getHostString();
			return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
		}
		return (address instanceof UnixDomainSocketAddress unix) ? "unix:" + unix.getPath() : String.valueOf(address);
	}

}
