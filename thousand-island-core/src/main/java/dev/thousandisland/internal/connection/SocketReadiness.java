package dev.thousandisland.internal.connection;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketTimeoutException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

import dev.thousandisland.transport.Readiness;


/**
 * One connection's registration with its {@link Poller}: who to wake when its socket becomes
 * readable (always the connection, the only reader, which may be hibernating) or writable
 * (whichever thread is sending; sends are serialised, so there is at most one).
 *
 * <p>Read interest stays armed across messages, so a connection that handles a message and
 * waits again costs the poller no interest change at all. It is cleared only when the poller
 * finds the socket readable a second time while the connection has not yet taken the first
 * report, that is while it is busy in a callback, so that the poller never spins on a socket
 * nobody reads; the connection asks for it again when it next waits. Write interest is one-shot:
 * a send waits for room rarely, and only then.
 *
 * <p>The socket is registered with the selector only when the connection first asks for
 * readiness, by the poller. Only the poller cancels a key ({@link #deregister}); a socket that
 * never had interest was never registered, and its closer just closes it. A key cancelled by the
 * thread that closes the channel is invalid before the selector hears of it, and a socket with
 * bytes or an end of stream unread stays ready in the level-triggered epoll set until then: the
 * poller would be told about a key it can no longer disarm on every select. Cancelled on the
 * poller's own thread, the key leaves the epoll set at the very next select, before it can be
 * reported.
 */
final class SocketReadiness implements Readiness {

	/** Read interest is on and nothing has been reported since the connection last looked. */
	private static final int ARMED = 0;

	/** The poller reported the socket readable; interest is still on. */
	private static final int READY = 1;

	/** Reported, and reported again before it was taken: interest is off. */
	private static final int READY_DISARMED = 2;

	/** Interest is off and the report was taken: the connection must ask for interest again. */
	private static final int DISARMED = 3;

	/** The connection asked for read interest; the poller has not applied it yet. */
	private static final int ARMING = 4;

	private static final VarHandle READ_STATE;

	private static final VarHandle DEREGISTERED;

	private static final VarHandle INTEREST_HISTORY;

	/** The key has never had interest, so it has never been in the epoll set. */
	private static final int NEVER_WATCHED = 0;

	/** The poller has given the key interest at least once. */
	private static final int WATCHED = 1;

	/** A closer cancelled the key while it had never had interest; the poller gives it none. */
	private static final int CANCELLED_UNWATCHED = 2;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			READ_STATE = lookup.findVarHandle(SocketReadiness.class, "readState", int.class);
			DEREGISTERED = lookup.findVarHandle(SocketReadiness.class, "deregistered", CompletableFuture.class);
			INTEREST_HISTORY = lookup.findVarHandle(SocketReadiness.class, "interestHistory", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final Poller poller;

	private final ConnectionLoop owner;

	/**
	 * The socket's key, made by the poller when the connection first asks for readiness: a
	 * connection that answers and closes without waiting never registers with the selector, so
	 * its descriptor is released when it closes rather than at the poller's next select, and the
	 * poller is never woken for it. Written and read on the poller thread only.
	 */
	private SelectionKey key;

	private volatile int readState = DISARMED;

	private volatile Thread writer;

	private volatile boolean writeWanted;

	private volatile boolean writable;

	private volatile boolean closed;

	/**
	 * Completed once the poller has cancelled the key; made by the first closer, since a
	 * connection is deregistered once, at its end.
	 */
	private volatile CompletableFuture<Void> deregistered;

	/**
	 * Whether the socket ever had interest: {@link #NEVER_WATCHED}, {@link #WATCHED} or
	 * {@link #CANCELLED_UNWATCHED}. A socket that never had any was never registered with the
	 * selector and cannot be reported, so a closer may close it at once and spare the round trip;
	 * most short connections (answer and close) never wait for readiness at all.
	 */
	private volatile int interestHistory = NEVER_WATCHED;

	SocketReadiness(Poller poller, ConnectionLoop owner) {
		this.poller = poller;
		this.owner = owner;
	}

	/**
	 * Hands polling off if this thread polls (see {@link CallbacksOnPoller}): it is about to wait,
	 * and the poller's other connections must not wait with it.
	 */
	void leaveIfPolling() {
		this.poller.leaveIfPolling();
	}

	/** The poller that watches this socket. */
	Poller poller() {
		return this.poller;
	}

	/** Whether a readability report waits to be taken. */
	boolean isReadable() {
		int state = this.readState;
		return state == READY || state == READY_DISARMED;
	}

	/**
	 * Consumes a readability report, if there is one. Owner only.
	 * @return whether the socket was reported readable since the last report was taken
	 */
	boolean takeReadable() {
		while (true) {
			int state = this.readState;
			if (state == READY) {
				if (READ_STATE.compareAndSet(this, READY, ARMED)) {
					return true;
				}
			}
			else if (state == READY_DISARMED) {
				if (READ_STATE.compareAndSet(this, READY_DISARMED, DISARMED)) {
					return true;
				}
			}
			else {
				return false;
			}
		}
	}

	/** Asks the poller to report readability, unless it already will. Owner only. */
	void armRead() throws ClosedChannelException {
		checkOpen();
		if (READ_STATE.compareAndSet(this, DISARMED, ARMING)) {
			this.poller.request(this);
		}
	}

	@Override
	public void awaitReadable(long deadline) throws IOException {
		while (!takeReadable()) {
			armRead();
			leaveIfPolling();
			park(deadline, "read");
		}
	}

	@Override
	public void awaitWritable(long deadline) throws IOException {
		this.writer = Thread.currentThread();
		try {
			this.writable = false;
			checkOpen();
			this.writeWanted = true;
			this.poller.request(this);
			while (!this.writable) {
				checkOpen();
				leaveIfPolling();
				park(deadline, "write");
			}
		}
		finally {
			this.writer = null;
		}
	}

	/**
	 * Has the poller cancel the key, and waits until it has: call it before closing the channel,
	 * so that the channel's close finds the key cancelled already and the poller never sees it
	 * reported while cancelled. Every closer waits for the same cancellation; the wait ignores
	 * interrupts (a forced close interrupts the connection's thread) and keeps them for later.
	 */
	void deregister() {
		if (this.interestHistory != WATCHED
				&& (this.interestHistory == CANCELLED_UNWATCHED
						|| INTEREST_HISTORY.compareAndSet(this, NEVER_WATCHED, CANCELLED_UNWATCHED))) {
			// Never registered, and now never will be: nothing can report this socket.
			return;
		}
		CompletableFuture<Void> deregistered = this.deregistered;
		if (deregistered == null) {
			CompletableFuture<Void> requested = new CompletableFuture<>();
			if (DEREGISTERED.compareAndSet(this, null, requested)) {
				this.poller.deregister(this);
			}
			deregistered = this.deregistered;
		}
		if (!deregistered.isDone()) {
			// Another closer asked first, and the poller must answer: not this thread, if it polls.
			leaveIfPolling();
		}
		deregistered.join();
	}

	/** Cancels the key and releases whoever waits in {@link #deregister}. Poller thread only. */
	void cancelKey() {
		if (this.key != null) {
			this.key.cancel();
		}
		this.deregistered.complete(null);
	}

	/** Turns on the interest the connection asked for. Poller thread only. */
	void applyInterest() {
		if (this.deregistered != null) {
			cancelKey();
			return;
		}
		int ops = 0;
		boolean arming = this.readState == ARMING;
		if (arming) {
			ops |= SelectionKey.OP_READ;
		}
		if (this.writeWanted) {
			ops |= SelectionKey.OP_WRITE;
		}
		if (ops == 0) {
			return;
		}
		if (this.interestHistory != WATCHED && !INTEREST_HISTORY.compareAndSet(this, NEVER_WATCHED, WATCHED)) {
			// A closer went ahead, counting on the socket never having had interest.
			return;
		}
		try {
			if (this.key == null) {
				this.key = this.poller.registerNow(this.owner.raw, ops, this);
			}
			else {
				this.key.interestOpsOr(ops);
			}
		}
		catch (CancelledKeyException | ClosedChannelException ex) {
			// Closed meanwhile; close() has woken every waiter.
			return;
		}
		if (arming) {
			READ_STATE.compareAndSet(this, ARMING, ARMED);
		}
	}

	/** Called by the poller with the operations that became ready. Poller thread only. */
	void ready(int ops) {
		if ((ops & SelectionKey.OP_READ) != 0) {
			readReady();
		}
		if ((ops & SelectionKey.OP_WRITE) != 0) {
			this.writeWanted = false;
			disarm(SelectionKey.OP_WRITE);
			this.writable = true;
			Thread waiting = this.writer;
			if (waiting != null) {
				LockSupport.unpark(waiting);
			}
		}
	}

	private void readReady() {
		while (true) {
			int state = this.readState;
			if (state == ARMED) {
				if (READ_STATE.compareAndSet(this, ARMED, READY)) {
					this.owner.wake();
					return;
				}
			}
			else if (state == READY) {
				// The connection has not taken the last report: it is busy. Stop watching until
				// it waits again, rather than report the same bytes on every select.
				if (READ_STATE.compareAndSet(this, READY, READY_DISARMED)) {
					disarm(SelectionKey.OP_READ);
					return;
				}
			}
			else {
				return;
			}
		}
	}

	private void disarm(int ops) {
		if (this.key == null) {
			return;
		}
		try {
			this.key.interestOpsAnd(~ops);
		}
		catch (CancelledKeyException ex) {
			// Closed: nothing left to watch.
		}
	}

	boolean isClosed() {
		return this.closed;
	}

	/** Wakes every waiter for good: the connection closed. */
	void close() {
		this.closed = true;
		this.owner.wake();
		Thread waiting = this.writer;
		if (waiting != null) {
			LockSupport.unpark(waiting);
		}
		if (this.interestHistory == WATCHED) {
			// Registered: the selector releases the descriptor at its next select.
			this.poller.wakeup();
		}
	}

	private void checkOpen() throws ClosedChannelException {
		if (this.closed) {
			throw new ClosedChannelException();
		}
	}

	private static void park(long deadline, String operation) throws IOException {
		long remaining = deadline - System.nanoTime();
		if (remaining <= 0) {
			throw new SocketTimeoutException("Timed out waiting to " + operation);
		}
		LockSupport.parkNanos(remaining);
		if (Thread.interrupted()) {
			throw new InterruptedIOException("Interrupted while waiting to " + operation);
		}
	}

}
