package dev.thousandisland.internal.client;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The timeouts of every client's requests, on one thread. Most applications use one timeout, or a
 * few: requests with the same timeout expire in the order they were made, so each timeout gets a
 * {@link DeadlineLane} in which joining, leaving and finding the next to expire cost constant time
 * whatever the number waiting. Timeouts beyond the first {@value #MAX_LANES} in use share a
 * {@link DeadlineHeap}, where they cost a logarithm. The thread takes every expired request off
 * them under the lock, then expires them off it, so callers adding and removing are never held up
 * by the work a timeout does.
 *
 * <p>It replaces {@code CompletableFuture.orTimeout}, whose timer built a {@code TimeoutException}
 * with its stack trace for every request and ran, on the JDK's single delay thread, the chain of
 * callbacks that turned it into the client's exception: at 100,000 queued requests the last one
 * ended seconds after its deadline.
 */
final class RequestDeadlines {

	private static final System.Logger logger = System.getLogger(RequestDeadlines.class.getName());

	/** Longest timeout honoured; longer ones saturate here (73 years), so deadlines never overflow. */
	static final long MAX_TIMEOUT_NANOS = Long.MAX_VALUE / 4;

	/** Distinct timeouts with a lane of their own; the thread looks at each lane's head when it wakes. */
	static final int MAX_LANES = 32;

	private static final RequestDeadlines shared = new RequestDeadlines();

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private final Map<Duration, DeadlineLane> lanes = new HashMap<>();

	private final DeadlineHeap others = new DeadlineHeap();

	/** Whether the thread sleeps until {@link #sleepsUntil}: a later deadline need not wake it. */
	private boolean sleepsTimed;

	private long sleepsUntil;

	private Thread thread;

	static RequestDeadlines shared() {
		return shared;
	}

	/** Watches {@code request}, whose {@link PendingRequest#deadline} is set. */
	void add(PendingRequest request) {
		this.lock.lock();
		try {
			DeadlineLane lane = laneFor(request.timeout);
			if (lane != null) {
				lane.add(request);
			}
			else {
				this.others.add(request);
			}
			request.watched = true;
			if (this.thread == null) {
				this.thread = Thread.ofPlatform().daemon().name("thousand-island-client-deadlines").start(this::run);
			}
			if (!this.sleepsTimed || request.deadline - this.sleepsUntil < 0) {
				this.changed.signal();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Stops watching a request that ended before its deadline. */
	void remove(PendingRequest request) {
		if (!request.watched) {
			return;
		}
		this.lock.lock();
		try {
			unwatch(request);
		}
		finally {
			this.lock.unlock();
		}
	}

	private void unwatch(PendingRequest request) {
		if (!request.watched) {
			return;
		}
		request.watched = false;
		if (request.lane != null) {
			request.lane.remove(request);
		}
		else {
			this.others.remove(request);
		}
	}

	/** The lane of {@code timeout}, made if there is room (an empty lane gives its place up), else null. */
	private DeadlineLane laneFor(Duration timeout) {
		DeadlineLane lane = this.lanes.get(timeout);
		if (lane != null) {
			return lane;
		}
		if (this.lanes.size() == MAX_LANES && !this.lanes.values().removeIf(DeadlineLane::isEmpty)) {
			return null;
		}
		lane = new DeadlineLane(timeout);
		this.lanes.put(timeout, lane);
		return lane;
	}

	private void run() {
		List<PendingRequest> expired = new ArrayList<>();
		while (true) {
			takeExpired(expired);
			for (int from = 0; from < expired.size();) {
				from = expired.get(from).inbox().forgetExpired(expired, from);
			}
			for (PendingRequest request : expired) {
				try {
					request.expire();
				}
				catch (RuntimeException | Error ex) {
					// One request's failure must not end the thread every client's deadlines depend on.
					logger.log(Level.ERROR, "Expiring a client request failed", ex);
				}
			}
			expired.clear();
		}
	}

	/** Waits until at least one deadline passed, then moves every passed one into {@code into}. */
	private void takeExpired(List<PendingRequest> into) {
		this.lock.lock();
		try {
			while (true) {
				long now = System.nanoTime();
				PendingRequest next = null;
				for (Iterator<DeadlineLane> each = this.lanes.values().iterator(); each.hasNext();) {
					next = earlier(next, takeExpired(each.next(), now, into));
				}
				PendingRequest first;
				while ((first = this.others.first()) != null && first.deadline - now <= 0) {
					unwatch(first);
					into.add(first);
				}
				next = earlier(next, first);
				if (!into.isEmpty()) {
					return;
				}
				if (next == null) {
					this.changed.awaitUninterruptibly();
				}
				else {
					this.sleepsTimed = true;
					this.sleepsUntil = next.deadline;
					try {
						this.changed.awaitNanos(next.deadline - now);
					}
					catch (InterruptedException ex) {
						// The thread is the JVM's for its lifetime: nothing interrupts it on purpose.
					}
					finally {
						this.sleepsTimed = false;
					}
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Moves the expired head of {@code lane} into {@code into}; returns the first left, or null. */
	private PendingRequest takeExpired(DeadlineLane lane, long now, List<PendingRequest> into) {
		PendingRequest first;
		while ((first = lane.first()) != null && first.deadline - now <= 0) {
			unwatch(first);
			into.add(first);
		}
		return first;
	}

	private static PendingRequest earlier(PendingRequest one, PendingRequest other) {
		if (one == null) {
			return other;
		}
		return (other != null && other.deadline - one.deadline < 0) ? other : one;
	}

}
