package dev.thousandisland.benchmarks;

/**
 * A RESP3 connection ({@code HELLO 3}) subscribed to a channel of its own that also takes SET and
 * GET from blocking callers: published messages arrive as {@code >} pushes between the replies.
 */
interface PushSubscriber extends BlockingRedis {

	/**
	 * The channel it subscribed to, which no other subscriber of the run shares.
	 * @return the channel
	 */
	String channel();

	/**
	 * The pushes this connection received.
	 * @return its tally
	 */
	PushTally tally();

}
