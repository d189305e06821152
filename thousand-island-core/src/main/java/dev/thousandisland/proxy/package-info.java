/**
 * What a server learns from a PROXY protocol header (version 1 or 2): the client's and the
 * proxy's addresses as the proxy saw them, and the proxy's type-length-value extensions (ALPN,
 * authority, TLS details, unique id).
 *
 * <p>A load balancer in front of the server (HAProxy, Envoy, a cloud load balancer) opens its own
 * connection to the server, so the socket's peer is the proxy. With the PROXY protocol the proxy
 * writes one header before any other byte; the server reads exactly that header, no byte more, and
 * the bytes after it belong to TLS or to the application. {@link dev.thousandisland.proxy.ProxyHeader}
 * is the parsed header; {@link dev.thousandisland.proxy.ProxyHeaderException} is the one failure a
 * malformed, truncated or late header produces, with a reason from a closed list.
 */
package dev.thousandisland.proxy;
