package dev.thousandisland.benchmarks;

/**
 * Counts the pushes one subscriber received in a measurement and checks their order: the
 * publisher numbers its messages 0, 1, 2..., so a message lost, repeated or taken for a reply
 * shows as a gap. Written by the one thread that delivers the subscriber's pushes.
 */
final class PushTally {

	private volatile long received;

	private volatile long next;

	private volatile long outOfOrder;

	private volatile String unexpected;

	/** Starts a measurement: the publisher's numbering starts again at 0. */
	void reset() {
		this.received = 0;
		this.next = 0;
		this.outOfOrder = 0;
		this.unexpected = null;
	}

	/** A published message arrived. */
	void received(String payload) {
		long number = Long.parseLong(payload);
		if (number != this.next) {
			this.outOfOrder++;
		}
		this.next = number + 1;
		this.received++;
	}

	/** A push that is no published message, or a message on the wrong channel. */
	void unexpected(String push) {
		if (this.unexpected == null) {
			this.unexpected = push;
		}
	}

	long received() {
		return this.received;
	}

	/** What went wrong so far, or {@code null}. */
	String problem() {
		if (this.unexpected != null) {
			return "unexpected push " + this.unexpected;
		}
		return (this.outOfOrder > 0) ? this.outOfOrder + " message(s) out of order" : null;
	}

}
