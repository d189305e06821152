package dev.thousandisland.client;

/**
 * Where a client connection is in its life.
 */
public enum ClientState {

	/** Created, {@code start()} not called yet. */
	NEW,

	/** Connecting (TCP connect and transport handshake): requests wait in the queue. */
	CONNECTING,

	/** Connected: requests are written as they come. */
	CONNECTED,

	/** Waiting before the next connect attempt: requests wait in the queue. */
	BACKING_OFF,

	/** Gave up after {@link Backoff#maxAttempts()} failed attempts: requests fail at once. */
	FAILED,

	/** {@code stop()} was called: outstanding requests drain, new ones are refused. */
	STOPPING,

	/** Stopped: the socket is closed and the client's thread has ended. */
	STOPPED

}
