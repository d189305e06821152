package dev.thousandisland.internal.client;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.thousandisland.transport.Readiness;

/**
 * Waits for a client's socket with a selector of the client's own. A client is one long-lived
 * connection, so a selector per client costs little, and {@link Selector#wakeup()} gives callers,
 * timers and {@code stop()} one way to rouse the client's thread whatever it waits for.
 */
final class SelectorReadiness implements Readiness {

	private final Selector selector;

	private final BooleanSupplier stopping;

	private SelectionKey key;

	private int readyOps;

	SelectorReadiness(Selector selector, BooleanSupplier stopping) {
		this.selector = selector;
		this.stopping = stopping;
	}

	void key(SelectionKey key) {
		this.key = key;
	}

	@Override
	public void awaitReadable(long deadline) throws IOException {
		await(SelectionKey.OP_READ, deadline);
	}

	@Override
	public void awaitWritable(long deadline) throws IOException {
		await(SelectionKey.OP_WRITE, deadline);
	}

	/** Waits for {@code ops} until the deadline; a stop request ends the wait as a closed channel. */
	void await(int ops, long deadline) throws IOException {
		this.key.interestOps(ops);
		while (true) {
			if (this.stopping.getAsBoolean()) {
				throw new ClosedChannelException();
			}
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				throw new SocketTimeoutException("The socket was not ready within the connect timeout");
			}
			if ((select(remaining) & ops) != 0) {
				return;
			}
		}
	}

	/**
	 * Selects once, at most {@code nanos} (0: until woken), returning the ready operations of the
	 * key (0 when woken or timed out).
	 */
	int select(long nanos) throws IOException {
		this.readyOps = 0;
		long millis = (nanos <= 0) ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
		this.selector.select((ready) -> this.readyOps = ready.readyOps(), millis);
		return this.readyOps;
	}

}
