package dev.thousandisland.proxy;

/**
 * Whether a server reads a PROXY protocol header at the start of each connection, set with
 * {@code ServerConfig.Builder.proxyProtocol}.
 */
public enum ProxyProtocolMode {

	/** No header is read: the connection's bytes go to the transport as they come. The default. */
	OFF,

	/**
	 * Every connection must start with a valid header from a trusted source; any other connection
	 * is closed before the handler sees it. The mode for a port only the proxy can reach.
	 */
	REQUIRED,

	/**
	 * A connection may start with a header (from a trusted source) or not: the first bytes decide,
	 * and bytes read while deciding are replayed to the transport. Lets direct clients and the
	 * proxy share a port; the PROXY specification advises against it wherever an untrusted client
	 * could reach the port.
	 */
	OPTIONAL

}
