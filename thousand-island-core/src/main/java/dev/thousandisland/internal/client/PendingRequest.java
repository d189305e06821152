package dev.thousandisland.internal.client;

import java.nio.ByteBuffer;
import java.time.Duration;

import dev.thousandisland.telemetry.Span;

/**
 * One request from the moment a caller makes it until its reply, its timeout, its cancellation or
 * the end of its connection completes {@link #reply}. Only the client's thread sets {@link #sent};
 * timers and callers read it.
 */
final class PendingRequest {

	final ByteBuffer[] wire;

	final ReplyFuture reply = new ReplyFuture();

	final Span span;

	/** The caller's timeout, for the message of its {@link dev.thousandisland.client.RequestTimeoutException}. */
	final Duration timeout;

	/** When it times out, in {@link System#nanoTime()} terms. */
	final long deadline;

	private final RequestIntake intake;

	/**
	 * Whether {@link RequestDeadlines} watches it; written under that lock, read without it only to
	 * skip the lock once it was let go (it never returns).
	 */
	volatile boolean watched;

	/** Its lane among the deadlines, or null in their heap; under the deadlines' lock. */
	DeadlineLane lane;

	/** Its neighbours in its {@link DeadlineLane}; under the deadlines' lock. */
	PendingRequest laneBefore;

	PendingRequest laneAfter;

	/** Its place in the deadlines' {@link DeadlineHeap}; under the deadlines' lock. */
	int heapIndex = -1;

	/** Whether the deadlines' thread already took it out of the queue, never written. */
	boolean withdrawn;

	/** Whether it holds one of the client's queueSize slots, set by the inbox when it took it. */
	volatile boolean holdsSlot;

	/** Whether its bytes were handed to the socket: from then on, its reply may come. */
	volatile boolean sent;

	/** Which connection of the client it was sent on, set before {@link #sent}. */
	volatile long sentOn;

	/** When it timed out after it was written ({@link System#nanoTime()}), set by its timer; 0 before. */
	volatile long timedOutAt;

	/** Its reply came after it had ended (timed out): discarded. Client thread only. */
	boolean lateReplyCame;

	/** Counted among the late replies its connection owes. Client thread only. */
	boolean owesLateReply;

	PendingRequest(ByteBuffer[] wire, Span span, Duration timeout, long deadline, RequestIntake intake) {
		this.wire = wire;
		this.span = span;
		this.timeout = timeout;
		this.deadline = deadline;
		this.intake = intake;
		this.reply.owner(this);
	}

	/**
	 * A request the client makes itself (the idle check's ping): no caller, no queue slot, no
	 * deadline on the heap; the idle check times it.
	 */
	static PendingRequest internal(ByteBuffer[] wire) {
		return new PendingRequest(wire, null, null, 0, null);
	}

	boolean isDone() {
		return this.reply.isDone();
	}

	/** Its future was completed, by anyone, with {@code error} or {@code null} for a reply: runs once. */
	void ended(Throwable error) {
		if (this.intake != null) {
			this.intake.ended(this, error);
		}
	}

	ClientInbox inbox() {
		return this.intake.inbox();
	}

	/** Its deadline passed: called by {@link RequestDeadlines}, off its lock. */
	void expire() {
		this.intake.expire(this);
	}

}
