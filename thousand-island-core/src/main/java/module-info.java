/**
 * Thousand Island for the JVM: a socket server where each connection runs its handler on a
 * virtual thread of its own.
 *
 * <p>Eight packages are the public API: {@code dev.thousandisland} (the handler, its results, the
 * socket, the server and its configuration), {@code dev.thousandisland.transport} (plain TCP, TLS,
 * and the interface for others), {@code dev.thousandisland.telemetry} (the events a server
 * emits), {@code dev.thousandisland.framing} (handlers that receive whole frames: lines,
 * delimited, length-prefixed) and {@code dev.thousandisland.proxy} (what a PROXY protocol header
 * tells) and {@code dev.thousandisland.client} (a client connection to someone else's server,
 * with pipelined requests, reconnect with backoff and pools), {@code dev.thousandisland.registry}
 * (connections found by key) and {@code dev.thousandisland.pubsub} (topics and broadcasts, on one
 * instance and across instances). Everything under {@code dev.thousandisland.internal} is machinery that this descriptor
 * does not export: code outside the module cannot reach it, so it may change in any release.
 */
module dev.thousandisland.core {

	// TCP_KEEPIDLE, TCP_KEEPINTERVAL and TCP_KEEPCOUNT for the client's keep-alive.
	requires jdk.net;

	exports dev.thousandisland;
	exports dev.thousandisland.transport;
	exports dev.thousandisland.telemetry;
	exports dev.thousandisland.framing;
	exports dev.thousandisland.proxy;
	exports dev.thousandisland.client;
	exports dev.thousandisland.registry;
	exports dev.thousandisland.pubsub;

}
