package dev.thousandisland.client;

/**
 * What a client does when a request it already wrote gets no reply within its timeout
 * ({@link ClientConfig#onRequestTimeout()}). Either way the caller gets a
 * {@link RequestTimeoutException} at its timeout.
 */
public enum RequestTimeoutAction {

	/**
	 * The timed-out request keeps its place among the requests in flight: replies come in order,
	 * so its late reply is recognised when it arrives and discarded (telemetry
	 * {@code client.late_reply}). The connection and the requests behind it carry on, unless more
	 * than {@link ClientConfig#maxLateReplies()} late replies are owed at once or one does not come
	 * within {@link ClientConfig#lateReplyTimeout()}; then the connection is dropped as with
	 * {@link #DROP_CONNECTION}. The default.
	 */
	DISCARD_LATE_REPLY,

	/**
	 * The connection is dropped at once: the other requests written on it fail with
	 * {@link ConnectionLostException}, {@link ClientHandler#handleTimeout} runs and the client
	 * reconnects. For a server that, once it fails to answer in time, cannot be trusted to answer
	 * at all.
	 */
	DROP_CONNECTION

}
