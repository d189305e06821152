package dev.thousandisland.internal.client;

import java.time.Duration;

/**
 * The watched requests that share one timeout, oldest deadline first. With one timeout, deadlines
 * come in the order requests do, so the lane is a linked list: a request joins at the tail, leaves
 * from anywhere, and the next to expire is always the head, each in constant time. Guarded by the
 * lock of {@link RequestDeadlines}.
 */
final class DeadlineLane {

	final Duration timeout;

	private PendingRequest head;

	private PendingRequest tail;

	DeadlineLane(Duration timeout) {
		this.timeout = timeout;
	}

	/**
	 * Adds {@code request} in deadline order. Its deadline was taken before the lock, so a request
	 * whose caller was overtaken on the way can be a few microseconds older than the tail: it then
	 * steps back past the newer ones, a walk as short as the overtaking was.
	 */
	void add(PendingRequest request) {
		PendingRequest before = this.tail;
		while (before != null && before.deadline - request.deadline > 0) {
			before = before.laneBefore;
		}
		PendingRequest after = (before != null) ? before.laneAfter : this.head;
		request.laneBefore = before;
		request.laneAfter = after;
		if (before != null) {
			before.laneAfter = request;
		}
		else {
			this.head = request;
		}
		if (after != null) {
			after.laneBefore = request;
		}
		else {
			this.tail = request;
		}
		request.lane = this;
	}

	void remove(PendingRequest request) {
		PendingRequest before = request.laneBefore;
		PendingRequest after = request.laneAfter;
		if (before != null) {
			before.laneAfter = after;
		}
		else {
			this.head = after;
		}
		if (after != null) {
			after.laneBefore = before;
		}
		else {
			this.tail = before;
		}
		request.laneBefore = null;
		request.laneAfter = null;
		request.lane = null;
	}

	/** The request whose deadline comes first, or {@code null} when the lane is empty. */
	PendingRequest first() {
		return this.head;
	}

	boolean isEmpty() {
		return this.head == null;
	}

}
