package dev.thousandisland.sample;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.thousandisland.Connection;
import dev.thousandisland.MailboxFullException;

/**
 * One chat connection's state: its name, its room, and how many broadcast lines wait in its
 * mailbox. The partial line it is reading is the line framing's to hold, not this.
 */
final class ChatMember {

	private final int maxPending;

	private final long stallNanos;

	private final AtomicInteger pending = new AtomicInteger();

	/** When this member's socket last took a line: a burst is not a stall, a full socket is. */
	private volatile long lastProgress = System.nanoTime();

	private volatile Connection connection;

	private volatile String name;

	private volatile String room;

	ChatMember(int maxPending, Duration stall) {
		this.maxPending = maxPending;
		this.stallNanos = stall.toNanos();
	}

	void connected(Connection connection) {
		this.connection = connection;
		this.name = "user" + connection.id();
	}

	String name() {
		return this.name;
	}

	String room() {
		return this.room;
	}

	void room(String room) {
		this.room = room;
	}

	/**
	 * Queues a line for this member. A member with more than the limit waiting whose socket has
	 * taken nothing for the stall timeout is a slow consumer and is disconnected: its backlog must
	 * not grow without bound, and nobody else waits for it. A member merely behind after a burst
	 * keeps taking lines, so it stays.
	 */
	void deliver(String text) {
		if (this.pending.incrementAndGet() > this.maxPending
				&& System.nanoTime() - this.lastProgress > this.stallNanos) {
			this.connection.close();
			return;
		}
		try {
			if (!this.connection.tell(new Broadcast(text))) {
				this.pending.decrementAndGet();
			}
		}
		catch (MailboxFullException ex) {
			// Thousands of lines behind, burst or not: a slow consumer all the same. The error is
			// the sender's to handle; letting it escape would end the sender's connection instead.
			this.pending.decrementAndGet();
			this.connection.close();
		}
	}

	void delivered() {
		this.pending.decrementAndGet();
		this.lastProgress = System.nanoTime();
	}

	/** A line another member said, on its way to this member's socket. */
	record Broadcast(String text) {
	}

}
