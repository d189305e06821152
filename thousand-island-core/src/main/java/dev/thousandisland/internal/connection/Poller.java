package dev.thousandisland.internal.connection;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches waiting connections for readiness and wakes them: the server's one place that
 * blocks in epoll. A connection that waits for data parks its virtual thread here instead of in a
 * blocking read, so that it can also be woken by its mailbox, and so that it holds no buffer
 * while it waits (the buffer a parked read would hold is most of an idle connection's cost).
 *
 * <p>Only the poller's own thread changes interest. Connections hand it their requests through a
 * lock-free queue and wake it only when it is blocked in a select: a selection key's interest
 * operations and the selector's wake-up take monitors the selecting thread also holds, and a
 * virtual thread blocking on a contended monitor is far dearer than the queue.
 *
 * <p>Only the poller's own thread cancels keys, for the same queue: a closing connection asks
 * for its key to be cancelled and waits for it before it closes its socket (see
 * {@link SocketReadiness#deregister}). A key cancelled by the closing thread itself would be
 * invalid before the selector drops it; a socket with unread bytes or an unread end of stream
 * would then be reported on every select, while the poller can no longer disarm it, and pollers
 * spinning on such keys could starve the very threads that would let the selector drop them.
 * That made more than one poller unsafe; now any number is.
 */
final class Poller {

	private static final System.Logger logger = System.getLogger(Poller.class.getName());

	private final Selector selector;

	private final Thread thread;

	private final Queue<SocketReadiness> requests = new ConcurrentLinkedQueue<>();

	private volatile boolean selecting;

	private final AtomicBoolean woken = new AtomicBoolean();

	/** Keys reported ready after they were cancelled. Written by the poller thread only. */
	private volatile long invalidKeyDispatches;

	Poller(String name) throws IOException {
		this.selector = Selector.open();
		this.thread = newThread(name);
		this.thread.start();
	}

	/**
	 * From JDK 25 a virtual thread in {@link Selector#select} parks instead of pinning its carrier,
	 * so the poller can be a virtual thread and wake connections onto its own carrier's queue
	 * rather than signalling an idle carrier from outside. Before that it must be a platform thread.
	 */
	private Thread newThread(String name) {
		Thread.Builder builder = (Runtime.version().feature() >= 25) ? Thread.ofVirtual().name(name)
				: Thread.ofPlatform().name(name).daemon();
		return builder.unstarted(this::run);
	}

	/**
	 * Prepares a connection's socket ({@link ConnectionLoop#raw}, already non-blocking) for
	 * readiness reports. The socket is registered with the selector only when the connection first
	 * asks for one ({@link #registerNow}).
	 * @param owner the connection, woken when the socket is readable
	 * @return the connection's readiness
	 * @throws ClosedChannelException if the poller has closed
	 */
	SocketReadiness register(ConnectionLoop owner) throws ClosedChannelException {
		if (!this.selector.isOpen()) {
			throw new ClosedChannelException();
		}
		return new SocketReadiness(this, owner);
	}

	/** Registers a socket with the selector, with the interest asked for. Poller thread only. */
	SelectionKey registerNow(SocketChannel socket, int ops, SocketReadiness readiness) throws ClosedChannelException {
		try {
			return socket.register(this.selector, ops, readiness);
		}
		catch (ClosedSelectorException ex) {
			throw new ClosedChannelException();
		}
	}

	/**
	 * Asks the poller to cancel a connection's key before it next selects. A closed poller has
	 * dropped every key already; so has the poller's own thread once it returns from here.
	 */
	void deregister(SocketReadiness readiness) {
		if (Thread.currentThread() == this.thread) {
			readiness.cancelKey();
			return;
		}
		request(readiness);
		if (!this.selector.isOpen()) {
			// The poller thread may have left already: nobody else would answer.
			readiness.cancelKey();
		}
	}

	/** Asks the poller to apply a connection's wanted interest before it next selects. */
	void request(SocketReadiness readiness) {
		this.requests.add(readiness);
		wakeup();
	}

	/**
	 * Wakes the selector if it is blocked, so that it applies new requests and releases the
	 * descriptors of sockets closed meanwhile. A poller that is not selecting does both before
	 * it next selects, so it is left alone, and one wake-up per select is enough.
	 */
	void wakeup() {
		if (this.selecting && this.woken.compareAndSet(false, true)) {
			this.selector.wakeup();
		}
	}

	/** How many times a key was reported ready after it had been cancelled. */
	long invalidKeyDispatches() {
		return this.invalidKeyDispatches;
	}

	void close() {
		try {
			this.selector.close();
		}
		catch (IOException ex) {
			logger.log(Level.DEBUG, "Closing a poller's selector failed", ex);
		}
	}

	private void run() {
		try {
			while (this.selector.isOpen()) {
				try {
					poll();
				}
				catch (ClosedSelectorException ex) {
					return;
				}
				catch (Throwable ex) {
					// Whatever it is, a poller that died would leave its connections deaf and their
					// closers waiting: log it, pause so that a repeating failure cannot storm, go on.
					logger.log(Level.ERROR, "Poller " + this.thread.getName() + " failed to select; retrying", ex);
					pause();
				}
			}
		}
		finally {
			// The closed selector dropped every key; release whoever still waits for theirs.
			applyRequests();
		}
	}

	private static void pause() {
		try {
			Thread.sleep(10);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Applies the pending requests, then waits for readiness and dispatches it. */
	private void poll() throws IOException {
		applyRequests();
		// Announce the select before looking at the queue a last time: a request added after
		// that look sees selecting set and wakes the selector.
		this.selecting = true;
		int selected;
		try {
			selected = this.requests.isEmpty() ? this.selector.select(this::dispatch)
					: this.selector.selectNow(this::dispatch);
		}
		finally {
			this.selecting = false;
			this.woken.set(false);
		}
		if (selected > 0 && this.thread.isVirtual()) {
			// Let the connections just woken run on this carrier before polling again: polled
			// too soon, their sockets would be reported a second time and lose their interest.
			Thread.yield();
		}
	}

	private void applyRequests() {
		SocketReadiness readiness;
		while ((readiness = this.requests.poll()) != null) {
			readiness.applyInterest();
		}
	}

	private void dispatch(SelectionKey key) {
		SocketReadiness readiness = (SocketReadiness) key.attachment();
		int ready;
		try {
			ready = key.readyOps();
		}
		catch (CancelledKeyException ex) {
			// Only a socket closed without deregister() first (a transport closing its own socket
			// after a failed handshake) gets here, and only until the next select drops the key.
			this.invalidKeyDispatches++;
			ready = SelectionKey.OP_READ | SelectionKey.OP_WRITE;
		}
		readiness.ready(ready);
	}

}
