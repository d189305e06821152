package dev.thousandisland.internal.client;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.RequestFailedException;
import dev.thousandisland.client.RequestTimeoutAction;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.telemetry.Span;
import dev.thousandisland.telemetry.Telemetry;

/**
 * Takes a caller's request: gives it a timeout that always fires unless a reply or failure came
 * first, a telemetry span when someone listens, and a place in the inbox; and turns a timeout into
 * the right consequence (forgotten if never written; if written, its late reply awaited or the
 * connection dropped, as {@code onRequestTimeout} says).
 */
final class RequestIntake {

	private final ClientLoop loop;

	private final ClientInbox inbox;

	private final Telemetry telemetry;

	private final ClientConfig config;

	RequestIntake(ClientLoop loop, ClientInbox inbox, Telemetry telemetry) {
		this.loop = loop;
		this.inbox = inbox;
		this.telemetry = telemetry;
		this.config = loop.config();
	}

	CompletableFuture<ByteBuffer> submit(ByteBuffer[] wire, Duration timeout, Span clientSpan, boolean greeting) {
		Span span = (clientSpan != null && this.telemetry.isEnabled())
				? clientSpan.startChild("client_request", Map.of("name", this.config.name())) : null;
		PendingRequest request = new PendingRequest(wire, span);
		CompletableFuture<ByteBuffer> result = new CompletableFuture<>();
		// orTimeout cancels its timer when the reply comes first, so a timer lives only as long as its request.
		request.reply.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).whenComplete((reply, error) -> {
			if (error == null) {
				result.complete(reply);
				return;
			}
			Throwable cause = (error instanceof CompletionException) ? error.getCause() : error;
			if (cause instanceof TimeoutException) {
				cause = timedOut(request, timeout);
			}
			if (span != null) {
				span.exception(Map.of(), cause);
			}
			result.completeExceptionally(cause);
		});
		try {
			this.inbox.offer(request, greeting);
		}
		catch (RequestFailedException ex) {
			request.reply.completeExceptionally(ex);
		}
		return result;
	}

	private RequestTimeoutException timedOut(PendingRequest request, Duration timeout) {
		if (request.sent) {
			this.loop.requestTimedOut(request);
			String consequence = (this.config.onRequestTimeout() == RequestTimeoutAction.DROP_CONNECTION)
					? "the connection is dropped and made again" : "its late reply will be discarded";
			return new RequestTimeoutException("No reply within " + timeout + " to a request sent to "
					+ this.config.address() + "; " + consequence);
		}
		this.inbox.forget(request);
		return new RequestTimeoutException("The request waited " + timeout + " in the queue of client "
				+ this.config.name() + " (state " + this.inbox.state() + ") and was never sent");
	}

}
