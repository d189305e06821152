package dev.thousandisland.transport;

/**
 * Whether the TLS transport asks clients for a certificate.
 */
public enum ClientAuth {

	/** Do not ask. */
	NONE,

	/** Ask; a client without a certificate is still served. */
	WANT,

	/** Require a certificate the trust store accepts; the handshake fails without one. */
	NEED

}
