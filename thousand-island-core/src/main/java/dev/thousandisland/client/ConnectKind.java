package dev.thousandisland.client;

/**
 * Whether a client connection was just made for the first time or made again after a drop: what
 * Elixir's {@code Connection} tells {@code connect/2} with its {@code :backoff} argument.
 */
public enum ConnectKind {

	/** The first successful connect since the client started. */
	FIRST,

	/** A later connect, after the previous connection failed or dropped. */
	RECONNECT

}
