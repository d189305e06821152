package dev.thousandisland.internal.connection;

import java.net.SocketAddress;

import dev.thousandisland.proxy.ProxyHeader;

/**
 * A connection that came through a proxy: the PROXY protocol header it started with, and the
 * proxy's own address (the socket's peer), which the header's client address replaced.
 * @param header the header
 * @param proxy the address at the other end of the socket
 */
record ProxiedBy(ProxyHeader header, SocketAddress proxy) {
}
