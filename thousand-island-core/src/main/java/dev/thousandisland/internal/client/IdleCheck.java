package dev.thousandisland.internal.client;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.thousandisland.client.IdleCheckFailedException;
import dev.thousandisland.client.Liveness;

/**
 * The protocol-level idle check of one connection: after the interval with nothing received and
 * nothing in flight, the handler's ping is sent as a request; its reply must come within the
 * timeout. It runs only while nothing is in flight because replies come in order: a ping behind a
 * blocking command would wait for that command's reply, and the requests in flight have their
 * own timeouts watching the connection meanwhile.
 */
final class IdleCheck {

	private final long intervalNanos;

	private final long timeoutNanos;

	private final Duration timeout;

	private long lastReceived = System.nanoTime();

	private PendingRequest ping;

	private long pingDeadline;

	/** Returns the check of a client's liveness settings, or {@code null} when it has none. */
	static IdleCheck of(Liveness liveness) {
		return liveness.idleCheck() ? new IdleCheck(liveness.idleCheckInterval(), liveness.idleCheckTimeout()) : null;
	}

	private IdleCheck(Duration interval, Duration timeout) {
		this.intervalNanos = interval.toNanos();
		this.timeoutNanos = timeout.toNanos();
		this.timeout = timeout;
	}

	/** Bytes arrived: the peer is alive, and the idle interval starts again. */
	void received() {
		this.lastReceived = System.nanoTime();
	}

	/**
	 * Sends a ping through {@code send} when one is due and fails when the last one went
	 * unanswered too long.
	 * @param inFlight how many requests wait for replies
	 * @param pings supplies the handler's ping, or {@code null} for none this time
	 * @param send writes a request after everything in flight
	 * @return nanoseconds until the check must run again
	 * @throws IdleCheckFailedException if the ping's reply is overdue
	 */
	long run(int inFlight, Supplier<ByteBuffer> pings, Consumer<PendingRequest> send)
			throws IdleCheckFailedException {
		long now = System.nanoTime();
		if (this.ping != null) {
			if (!this.ping.isDone()) {
				long left = this.pingDeadline - now;
				if (left <= 0) {
					throw new IdleCheckFailedException("The server did not answer the idle check's ping within "
							+ this.timeout + "; the connection is dropped and made again");
				}
				return left;
			}
			this.ping = null;
		}
		if (inFlight > 0) {
			return this.intervalNanos;
		}
		long due = this.lastReceived + this.intervalNanos - now;
		if (due > 0) {
			return due;
		}
		ByteBuffer payload = pings.get();
		if (payload == null) {
			this.lastReceived = now;
			return this.intervalNanos;
		}
		this.ping = PendingRequest.internal(new ByteBuffer[] { payload });
		this.pingDeadline = now + this.timeoutNanos;
		send.accept(this.ping);
		return this.timeoutNanos;
	}

}
