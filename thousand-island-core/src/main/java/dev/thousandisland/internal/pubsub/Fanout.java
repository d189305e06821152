package dev.thousandisland.internal.pubsub;

import dev.thousandisland.Connection;
import dev.thousandisland.MailboxFullException;
import dev.thousandisland.internal.connection.ConnectionLoop;
import dev.thousandisland.internal.connection.MailboxOffer;
import dev.thousandisland.pubsub.PubSub.SlowSubscriberPolicy;

/**
 * Puts one message in the mailbox of each subscriber of a topic, and applies the slow-subscriber
 * policy to those whose mailbox is full. It never waits: {@link Connection#tell} queues or
 * refuses at once, and the subscribers after a slow one get the message as if it were not there.
 * The server's own connections are offered the message without {@code tell}'s
 * {@link MailboxFullException}: with many slow subscribers, building one exception per subscriber
 * per message made a full mailbox cost over a hundred times a delivery.
 */
final class Fanout {

	private final SlowSubscriberPolicy policy;

	Fanout(SlowSubscriberPolicy policy) {
		this.policy = policy;
	}

	/** The {@code pubsub.drop} reason of a subscriber whose mailbox was full. */
	String dropReason() {
		return (this.policy == SlowSubscriberPolicy.CLOSE) ? "closed_slow_subscriber" : "mailbox_full";
	}

	/**
	 * Delivers a message to every subscriber but the sender.
	 * @param subscribers the topic's subscribers, a snapshot
	 * @param sender the one not to deliver to, or {@code null}
	 * @param message the message
	 * @return how it went
	 */
	Outcome deliver(Connection[] subscribers, Connection sender, Object message) {
		int targeted = 0;
		int delivered = 0;
		int dropped = 0;
		for (Connection subscriber : subscribers) {
			if (subscriber == sender) {
				continue;
			}
			targeted++;
			// ENDED: the connection's end has begun and its unsubscription is on the way.
			switch (offer(subscriber, message)) {
				case QUEUED -> delivered++;
				case FULL -> {
					dropped++;
					if (this.policy == SlowSubscriberPolicy.CLOSE) {
						// Asynchronous: the connection's own thread ends it; its mailbox refuses from
						// now on, so it is closed once however many messages keep coming.
						subscriber.close();
					}
				}
				case ENDED -> {
				}
			}
		}
		return new Outcome(targeted, delivered, dropped);
	}

	private static MailboxOffer offer(Connection subscriber, Object message) {
		if (subscriber instanceof ConnectionLoop connection) {
			return connection.offer(message);
		}
		// Any other Connection (a test double, a wrapper) through its public contract.
		try {
			return subscriber.tell(message) ? MailboxOffer.QUEUED : MailboxOffer.ENDED;
		}
		catch (MailboxFullException ex) {
			return MailboxOffer.FULL;
		}
	}

	/**
	 * What one delivery did.
	 * @param subscribers the subscribers it was meant for (the sender left out)
	 * @param delivered how many mailboxes took it
	 * @param dropped how many were full (and, under {@code CLOSE}, closed)
	 */
	record Outcome(int subscribers, int delivered, int dropped) {
	}

}
