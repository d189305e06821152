package dev.thousandisland.sample;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import dev.thousandisland.Connection;
import dev.thousandisland.MailboxFullException;

/**
 * One chat connection's state: its name, its room, the partial line it is reading, and how many
 * broadcast lines wait in its mailbox.
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

	private byte[] line = new byte[128];

	private int lineLength;

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

	/**
	 * Appends one byte to the line being read.
	 * @return false if the line would exceed {@code maxLength}
	 */
	boolean append(byte b, int maxLength) {
		if (this.lineLength >= maxLength) {
			return false;
		}
		if (this.lineLength == this.line.length) {
			this.line = Arrays.copyOf(this.line, Math.min(maxLength, this.line.length * 2));
		}
		this.line[this.lineLength++] = b;
		return true;
	}

	byte[] takeLine() {
		byte[] complete = Arrays.copyOf(this.line, this.lineLength);
		this.lineLength = 0;
		if (this.line.length > 1024) {
			// Give back what one long line grew; an idle member keeps only a small buffer.
			this.line = new byte[128];
		}
		return complete;
	}

	/** A line another member said, on its way to this member's socket. */
	record Broadcast(String text) {
	}

}
