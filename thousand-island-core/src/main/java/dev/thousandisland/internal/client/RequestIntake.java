package dev.thousandisland.internal.client;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientState;
import dev.thousandisland.client.RequestFailedException;
import dev.thousandisland.client.RequestTimeoutAction;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.telemetry.Span;
import dev.thousandisland.telemetry.Telemetry;

/**
 * Takes a caller's request: gives it a deadline that always fires unless a reply or failure came
 * first, a telemetry span when someone listens, and a place in the inbox; and turns a timeout or a
 * cancellation into the right consequence (withdrawn if never written; if written, its late reply
 * awaited or the connection dropped, as {@code onRequestTimeout} says).
 */
final class RequestIntake {

	private final ClientLoop loop;

	private final ClientInbox inbox;

	private final Telemetry telemetry;

	private final ClientConfig config;

	private final RequestDeadlines deadlines = RequestDeadlines.shared();

	private Duration lastMessageTimeout;

	private boolean lastMessageWritten;

	private ClientState lastMessageState;

	private String lastMessage;

	RequestIntake(ClientLoop loop, ClientInbox inbox, Telemetry telemetry) {
		this.loop = loop;
		this.inbox = inbox;
		this.telemetry = telemetry;
		this.config = loop.config();
	}

	CompletableFuture<ByteBuffer> submit(ByteBuffer[] wire, Duration timeout, Span clientSpan, boolean greeting) {
		Span span = (clientSpan != null && this.telemetry.isEnabled())
				? clientSpan.startChild("client_request", Map.of("name", this.config.name())) : null;
		long deadline = System.nanoTime() + timeoutNanos(timeout);
		PendingRequest request = new PendingRequest(wire, span, timeout, deadline, this);
		try {
			this.inbox.offer(request, greeting);
		}
		catch (RequestFailedException ex) {
			request.reply.completeExceptionally(ex);
			return request.reply;
		}
		this.deadlines.add(request);
		if (request.isDone()) {
			// Answered before its deadline was watched: ended() found nothing to remove.
			this.deadlines.remove(request);
		}
		return request.reply;
	}

	/** The timeout in nanoseconds, saturated at 73 years rather than overflowing. */
	static long timeoutNanos(Duration timeout) {
		if (timeout.getSeconds() >= RequestDeadlines.MAX_TIMEOUT_NANOS / 1_000_000_000L) {
			return RequestDeadlines.MAX_TIMEOUT_NANOS;
		}
		return timeout.toNanos();
	}

	ClientInbox inbox() {
		return this.inbox;
	}

	/** Its deadline passed, on the deadlines' thread. */
	void expire(PendingRequest request) {
		if (request.isDone()) {
			return;
		}
		boolean written = request.sent && !request.withdrawn;
		request.reply.completeExceptionally(new RequestTimeoutException(timeoutMessage(request.timeout, written), written));
	}

	/**
	 * The message of a timeout: the same for every request with the same timeout and outcome, so
	 * the one built last is reused while they stay the same (only the deadlines' thread calls this).
	 */
	private String timeoutMessage(Duration timeout, boolean written) {
		ClientState state = this.inbox.state();
		if (timeout.equals(this.lastMessageTimeout) && written == this.lastMessageWritten
				&& (written || state == this.lastMessageState)) {
			return this.lastMessage;
		}
		String message;
		if (written) {
			String consequence = (this.config.onRequestTimeout() == RequestTimeoutAction.DROP_CONNECTION)
					? "the connection is dropped and made again" : "its late reply will be discarded";
			message = "No reply within " + timeout + " to a request sent to " + this.config.address() + "; " + consequence;
		}
		else {
			message = "The request waited " + timeout + " in the queue of client " + this.config.name() + " (state "
					+ state + ") and was never sent";
		}
		this.lastMessageTimeout = timeout;
		this.lastMessageWritten = written;
		this.lastMessageState = state;
		this.lastMessage = message;
		return message;
	}

	/** Its future was completed, by whoever came first: runs once, before the caller's callbacks. */
	void ended(PendingRequest request, Throwable error) {
		this.deadlines.remove(request);
		if (request.holdsSlot) {
			this.inbox.release();
		}
		if (error == null) {
			return;
		}
		if (!request.sent && !request.withdrawn) {
			// Never written: it leaves the queue now, so a long outage cannot pile them up.
			this.inbox.forget(request);
		}
		else if (request.sent && (error instanceof CancellationException || error instanceof RequestTimeoutException)) {
			this.loop.abandonedAfterWrite(request);
		}
		if (request.span != null) {
			request.span.exception(Map.of(), error);
		}
	}

}
