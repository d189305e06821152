package dev.thousandisland;

/**
 * Thrown by {@link Connection#tell} when the connection's mailbox already holds
 * {@link ServerConfig#mailboxCapacity()} messages: its handler is not keeping up with the
 * senders. The message was not queued. A sender may drop it, retry later, or close the
 * connection.
 */
public final class MailboxFullException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final long connectionId;

	/**
	 * Makes the exception for a full mailbox.
	 * @param connectionId the connection whose mailbox is full
	 * @param capacity the mailbox's capacity
	 */
	public MailboxFullException(long connectionId, int capacity) {
		super("The mailbox of connection " + connectionId + " is full: it holds " + capacity
				+ " messages its handler has not yet taken (mailboxCapacity). Drop or retry the message, "
				+ "close the connection, or raise mailboxCapacity");
		this.connectionId = connectionId;
	}

	/**
	 * Returns the id of the connection whose mailbox is full.
	 * @return the connection id
	 */
	public long connectionId() {
		return this.connectionId;
	}

}
