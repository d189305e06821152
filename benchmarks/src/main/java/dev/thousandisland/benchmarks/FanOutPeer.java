package dev.thousandisland.benchmarks;

/**
 * One side of the fan-out comparison, in the server JVM of {@link FanOutServer}: a server whose
 * every connection is subscribed to one topic (or is in one group) as soon as it is accepted,
 * and a way to broadcast to all of them.
 */
interface FanOutPeer {

	/**
	 * Returns the port the server listens on.
	 * @return the port
	 */
	int port();

	/**
	 * Returns what the server is and how it is set up, for the results.
	 * @return the description, one line
	 */
	String description();

	/**
	 * Returns how many connections currently receive broadcasts.
	 * @return the subscribers, or the group's size
	 */
	int subscribers();

	/**
	 * Broadcasts one message to every subscriber without waiting for it to be written, and calls
	 * {@code done} once every subscriber has written it to its socket (or it was dropped for one).
	 * @param message the 64 bytes, the publisher's to give away
	 * @param done what to run once the broadcast is complete
	 */
	void broadcast(byte[] message, Runnable done);

	/**
	 * Stops the server.
	 * @throws Exception if it fails to stop
	 */
	void stop() throws Exception;

}
