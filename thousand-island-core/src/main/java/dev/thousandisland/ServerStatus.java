package dev.thousandisland;

/**
 * Where a server is in its life.
 */
public enum ServerStatus {

	/** Listening and serving. */
	RUNNING,

	/** Not listening (new connects are refused); existing connections go on. */
	SUSPENDED,

	/** Draining: not listening, connections are finishing. */
	STOPPING,

	/** Stopped: every connection is closed. */
	STOPPED

}
