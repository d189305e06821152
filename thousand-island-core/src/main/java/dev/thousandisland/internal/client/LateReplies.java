package dev.thousandisland.internal.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;

import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.telemetry.Span;

/**
 * The late replies one connection owes ({@code DISCARD_LATE_REPLY}): requests written on it that
 * timed out keep their place in flight, since replies come in order, and their replies are
 * discarded when they come. The connection is given up once it owes more than
 * {@code maxLateReplies} or the oldest is later than {@code lateReplyTimeout}. Client thread only.
 */
final class LateReplies {

	private final ClientLoop loop;

	private final int max;

	private final long limitNanos;

	private final Duration limit;

	/** Requests owing a late reply, in the order they timed out, so the oldest limit is first. */
	private final ArrayDeque<PendingRequest> owed = new ArrayDeque<>();

	private int owing;

	LateReplies(ClientLoop loop) {
		this.loop = loop;
		this.max = loop.config().maxLateReplies();
		this.limit = loop.config().lateReplyTimeout();
		this.limitNanos = this.limit.toNanos();
	}

	/** How many requests in flight timed out and still owe their reply. */
	int owing() {
		return this.owing;
	}

	/**
	 * Takes the requests that timed out since the last call and checks the bounds.
	 * @param generation the connection this session runs
	 * @return nanoseconds until the oldest late reply is over its limit, or 0 if none is owed
	 * @throws RequestTimeoutException if the connection must be given up
	 */
	long check(long generation) throws RequestTimeoutException {
		PendingRequest request;
		while ((request = this.loop.pollTimedOut()) != null) {
			// A request of an earlier connection, or one whose reply came before its timer got here.
			if (request.sentOn == generation && !request.lateReplyCame) {
				request.owesLateReply = true;
				this.owed.add(request);
				this.owing++;
			}
		}
		while (!this.owed.isEmpty() && this.owed.peek().lateReplyCame) {
			this.owed.poll();
		}
		if (this.owing > this.max) {
			throw new RequestTimeoutException(this.owing + " requests written on the connection timed out and owe "
					+ "their replies, more than maxLateReplies (" + this.max + "); the connection is dropped and made again", true);
		}
		PendingRequest oldest = this.owed.peek();
		if (oldest == null) {
			return 0;
		}
		long left = oldest.timedOutAt + this.limitNanos - System.nanoTime();
		if (left <= 0) {
			throw new RequestTimeoutException("The reply to a request that timed out did not come within "
					+ "lateReplyTimeout (" + this.limit + "); the connection is dropped and made again", true);
		}
		return left;
	}

	/** The reply of a request that had already ended came: discarded, and counted. */
	void arrived(PendingRequest request, long replyBytes) {
		request.lateReplyCame = true;
		if (request.owesLateReply) {
			request.owesLateReply = false;
			this.owing--;
		}
		Span span = this.loop.span();
		if (span != null) {
			long late = (request.timedOutAt == 0) ? 0 : System.nanoTime() - request.timedOutAt;
			span.event("late_reply", Map.of("late", late, "reply_bytes", replyBytes), Map.of());
		}
	}

}
