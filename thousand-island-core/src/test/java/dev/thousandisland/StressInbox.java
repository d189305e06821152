package dev.thousandisland;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.thousandisland.StressFrame.Kind;


/**
 * What a stress client's reader has received on one connection, for its script to wait on: a count
 * per kind of frame, whether STARTTLS completed, and whether the connection ended. The script can
 * also pause the reader, to let a server's send time out.
 */
final class StressInbox {

	/** How a wait ended. */
	enum Outcome {

		/** What was awaited arrived. */
		REACHED,
		/** The connection ended first. */
		ENDED,
		/** Nothing happened for the whole wait. */
		STALLED

	}

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private final int[] counts = new int[Kind.values().length];

	private boolean ended;

	private boolean upgraded;

	private boolean paused;

	void received(Kind kind) {
		update(() -> this.counts[kind.ordinal()]++);
	}

	void ended() {
		update(() -> this.ended = true);
	}

	void upgraded() {
		update(() -> this.upgraded = true);
	}

	void pause(boolean paused) {
		update(() -> this.paused = paused);
	}

	int count(Kind kind) {
		this.lock.lock();
		try {
			return this.counts[kind.ordinal()];
		}
		finally {
			this.lock.unlock();
		}
	}

	Outcome awaitCount(Kind kind, int count, Duration wait) throws InterruptedException {
		long remaining = wait.toNanos();
		this.lock.lock();
		try {
			while (this.counts[kind.ordinal()] < count) {
				if (this.ended) {
					return Outcome.ENDED;
				}
				if (remaining <= 0) {
					return Outcome.STALLED;
				}
				remaining = this.changed.awaitNanos(remaining);
			}
			return Outcome.REACHED;
		}
		finally {
			this.lock.unlock();
		}
	}

	Outcome awaitUpgraded(Duration wait) throws InterruptedException {
		return awaitFlag(wait, true);
	}

	/** Waits for the end: {@link Outcome#ENDED}, or {@link Outcome#STALLED} if it did not come. */
	Outcome awaitEnd(Duration wait) throws InterruptedException {
		return awaitFlag(wait, false);
	}

	void awaitUnpaused() throws InterruptedException {
		this.lock.lock();
		try {
			while (this.paused) {
				this.changed.await(10, TimeUnit.MILLISECONDS);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private Outcome awaitFlag(Duration wait, boolean upgrade) throws InterruptedException {
		long remaining = wait.toNanos();
		this.lock.lock();
		try {
			while (!this.ended && !(upgrade && this.upgraded)) {
				if (remaining <= 0) {
					return Outcome.STALLED;
				}
				remaining = this.changed.awaitNanos(remaining);
			}
			return (upgrade && this.upgraded) ? Outcome.REACHED : Outcome.ENDED;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void update(Runnable change) {
		this.lock.lock();
		try {
			change.run();
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

}
