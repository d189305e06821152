package dev.thousandisland;

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
 */
final class Poller {

	private static final System.Logger logger = System.getLogger(Poller.class.getName());

	private final Selector selector;

	private final Thread thread;

	private final Queue<SocketReadiness> requests = new ConcurrentLinkedQueue<>();

	private volatile boolean selecting;

	private final AtomicBoolean woken = new AtomicBoolean();

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
	 * Registers a connection's socket, with no interest yet.
	 * @param socket the socket, already non-blocking
	 * @param owner the connection, woken when the socket is readable
	 * @return the connection's readiness
	 */
	SocketReadiness register(SocketChannel socket, ConnectionLoop owner) throws IOException {
		SocketReadiness readiness = new SocketReadiness(this, owner);
		try {
			readiness.attach(socket.register(this.selector, 0, readiness));
		}
		catch (ClosedSelectorException ex) {
			throw new ClosedChannelException();
		}
		return readiness;
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

	void close() {
		try {
			this.selector.close();
		}
		catch (IOException ex) {
			logger.log(Level.DEBUG, "Closing a poller's selector failed", ex);
		}
	}

	private void run() {
		while (this.selector.isOpen()) {
			try {
				poll();
			}
			catch (ClosedSelectorException ex) {
				return;
			}
			catch (IOException | RuntimeException ex) {
				logger.log(Level.ERROR, "Poller " + this.thread.getName() + " failed to select; retrying", ex);
			}
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
			ready = SelectionKey.OP_READ | SelectionKey.OP_WRITE;
		}
		readiness.ready(ready);
	}

}
