package dev.thousandisland.internal.client;

import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The future a caller holds for one request. Whoever completes it first (the reply, the timeout,
 * a lost connection, or the caller's own {@code cancel}) settles the request's bookkeeping exactly
 * once, before any callback of the caller runs: its place in the queue and in the deadlines, the
 * queue slot it holds. Done here rather than in {@code whenComplete} stages because each such
 * stage wraps a failure in a new {@code CompletionException}, stack trace included, which at
 * 100,000 timeouts was a large part of why the last ones ended late.
 */
final class ReplyFuture extends CompletableFuture<ByteBuffer> {

	private static final VarHandle SETTLED;

	static {
		try {
			SETTLED = MethodHandles.lookup().findVarHandle(ReplyFuture.class, "settled", boolean.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/** Set once, by whoever completes it first; a field rather than an AtomicBoolean, one object less per request. */
	@SuppressWarnings("unused")
	private volatile boolean settled;

	private volatile PendingRequest request;

	void owner(PendingRequest owner) {
		this.request = owner;
	}

	@Override
	public boolean complete(ByteBuffer value) {
		return settle(null) && super.complete(value);
	}

	@Override
	public boolean completeExceptionally(Throwable error) {
		return settle(error) && super.completeExceptionally(error);
	}

	@Override
	public boolean cancel(boolean mayInterruptIfRunning) {
		return settle(new CancellationException()) && super.cancel(mayInterruptIfRunning);
	}

	private boolean settle(Throwable error) {
		if (!SETTLED.compareAndSet(this, false, true)) {
			return false;
		}
		PendingRequest owner = this.request;
		if (owner != null) {
			owner.ended(error);
		}
		return true;
	}

}
