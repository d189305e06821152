package dev.thousandisland.internal.connection;

/**
 * What {@link ConnectionLoop#offer} did with a message.
 */
public enum MailboxOffer {

	/** Queued before the connection's end began: it is handled, or the connection ends. */
	QUEUED,

	/** Not queued: the connection's end had begun. */
	ENDED,

	/** Not queued: the mailbox already held its capacity. */
	FULL

}
