package dev.thousandisland.benchmarks;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

/**
 * The publisher's window and the receiver's count in {@link PubSubRedisBenchmark}: the publisher
 * takes a permit per message, the receiver gives it back when the message arrives, so no more
 * than {@link #SIZE} messages are on their way at once (an unbounded publisher only fills the
 * publish queue or Redis's output buffer, which then drop or disconnect). The receiver also takes
 * the latency from each message's time stamp and checks the sequence numbers. One receiver
 * thread at a time; reading the counts synchronizes with it.
 */
final class CrossInstanceWindow {

	/** Messages on their way at most. */
	static final int SIZE = 2048;

	private final Semaphore permits = new Semaphore(SIZE);

	private long received;

	private long disorders;

	private long missed;

	private long lastSequence = -1;

	private Histogram latency = new Histogram(3);

	/**
	 * Takes one permit, waiting at most a second.
	 * @return whether it got one; {@code false} means a message was lost (or is very late)
	 * @throws InterruptedException if interrupted
	 */
	boolean acquire() throws InterruptedException {
		return this.permits.tryAcquire(1, TimeUnit.SECONDS);
	}

	/**
	 * Takes one permit, waiting at most a second, and then as many more as are free, up to
	 * {@code most}.
	 * @param most the most permits to take
	 * @return how many it took, 0 if none came within a second
	 * @throws InterruptedException if interrupted
	 */
	int acquireUpTo(int most) throws InterruptedException {
		if (!acquire()) {
			return 0;
		}
		int taken = 1;
		while (taken < most && this.permits.tryAcquire()) {
			taken++;
		}
		return taken;
	}

	/**
	 * Returns whether every message published has arrived.
	 * @return whether all permits are back
	 */
	boolean isEmpty() {
		return this.permits.availablePermits() == SIZE;
	}

	/**
	 * Counts one message that arrived, and frees its permit.
	 * @param message the 64 bytes that were published
	 */
	synchronized void received(byte[] message) {
		long now = System.nanoTime();
		long sequence = FanOutMessage.sequence(message);
		this.received++;
		this.latency.recordValue(Math.max(0, now - FanOutMessage.stamp(message)));
		if (sequence <= this.lastSequence) {
			this.disorders++;
		}
		else if (sequence > this.lastSequence + 1) {
			this.missed += sequence - this.lastSequence - 1;
		}
		this.lastSequence = Math.max(this.lastSequence, sequence);
		this.permits.release();
	}

	/**
	 * Starts counting afresh: a new latency histogram, and the counts so far returned.
	 * @return messages received so far, out of order, missed
	 */
	synchronized long[] snapshot() {
		long[] counts = { this.received, this.disorders, this.missed };
		return counts;
	}

	/** Drops the latencies recorded so far. */
	synchronized void resetLatency() {
		this.latency = new Histogram(3);
	}

	synchronized Histogram latency() {
		return this.latency.copy();
	}

}
