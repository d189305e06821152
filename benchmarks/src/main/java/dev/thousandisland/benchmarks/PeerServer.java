package dev.thousandisland.benchmarks;

/**
 * A running benchmark server, whichever library it is built on. Each listens on an ephemeral
 * port of the loopback address.
 */
interface PeerServer {

	/**
	 * Returns the port the server listens on.
	 * @return the port
	 */
	int port();

	/**
	 * Describes what actually runs (the transport, thread counts), for the log and the results.
	 * @return a one-line description
	 */
	String description();

	/**
	 * Returns how many connections are open right now.
	 * @return the number of open connections
	 */
	int connections();

	/**
	 * Stops the server the way its users would, returning once every connection is closed.
	 * @throws Exception if stopping fails
	 */
	void stop() throws Exception;

}
