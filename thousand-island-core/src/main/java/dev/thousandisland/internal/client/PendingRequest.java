package dev.thousandisland.internal.client;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import dev.thousandisland.telemetry.Span;

/**
 * One request from the moment a caller makes it until its reply, its timeout or the end of its
 * connection completes {@link #reply}. Only the client's thread sets {@link #sent}; timers and
 * callers read it.
 */
final class PendingRequest {

	final ByteBuffer[] wire;

	final CompletableFuture<ByteBuffer> reply = new CompletableFuture<>();

	final Span span;

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

	PendingRequest(ByteBuffer[] wire, Span span) {
		this.wire = wire;
		this.span = span;
	}

	boolean isDone() {
		return this.reply.isDone();
	}

}
