package dev.thousandisland.internal.connection;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 *
 * <p>With {@code callbacksOnPoller} a connection the poller finds readable, whose thread has
 * hibernated, is served right here, on the poller's thread, instead of on a thread started for
 * it: no thread start and no scheduler round trip per message (see {@link CallbacksOnPoller}).
 * Ready keys are then dispatched outside the selector's lock, so that whenever that thread must
 * wait (a send that finds the socket full, a contended send lock, a callback that blocks) a new
 * thread can {@link #handOff take over polling} and the old one carries on as the connection's
 * own.
 */
final class Poller {

	private static final System.Logger logger = System.getLogger(Poller.class.getName());

	private static final VarHandle THREAD;

	private static final VarHandle RUNNING;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			THREAD = lookup.findVarHandle(Poller.class, "thread", Thread.class);
			RUNNING = lookup.findVarHandle(Poller.class, "running", ConnectionLoop.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final Selector selector;

	private final String name;

	/** Whether readable connections are served on the poller's thread (callbacksOnPoller). */
	private final boolean callbacksHere;

	/** The thread that polls now: a successor replaces it when it {@link #handOff hands off}. */
	private volatile Thread thread;

	/** The connection being served on the poller's thread, if any; see {@link CallbacksOnPoller}. */
	private volatile ConnectionLoop running;

	/** When {@link #running} started, on the {@link System#nanoTime()} clock. */
	private volatile long runningSince;

	/** The keys the polling thread is dispatching, which a successor finishes. */
	private volatile ReadyKeys dispatching;

	private final Queue<SocketReadiness> requests = new ConcurrentLinkedQueue<>();

	private volatile boolean selecting;

	private final AtomicBoolean woken = new AtomicBoolean();

	/** Keys reported ready after they were cancelled. Written by the poller thread only. */
	private volatile long invalidKeyDispatches;

	Poller(String name, boolean callbacksHere) throws IOException {
		this.selector = Selector.open();
		this.name = name;
		this.callbacksHere = callbacksHere;
		Thread first = newThread(null);
		this.thread = first;
		first.start();
	}

	/**
	 * From JDK 25 a virtual thread in {@link Selector#select} parks instead of pinning its carrier,
	 * so the poller can be a virtual thread and wake connections onto its own carrier's queue
	 * rather than signalling an idle carrier from outside. Before that it must be a platform thread.
	 * A poller that serves connections itself is a platform thread on every JDK, as an event loop
	 * is: a virtual thread's select is woken through the JDK's own poller thread, one wake-up more
	 * per select, and measured slower (see docs/benchmarks.md, "Callbacks on the poller").
	 */
	private Thread newThread(ReadyKeys inherited) {
		Thread.Builder builder = (Runtime.version().feature() >= 25 && !this.callbacksHere)
				? Thread.ofVirtual().name(this.name) : Thread.ofPlatform().name(this.name).daemon();
		return builder.unstarted(() -> run(inherited));
	}

	/**
	 * Starts a new thread that polls in place of {@code from}, first finishing the keys
	 * {@code from} was dispatching; {@code from} stops polling once it is back from the callback
	 * it is in, and serves only that connection meanwhile. Only with {@code callbacksHere}.
	 * @param from the thread that polls now
	 * @param stuck the connection a watchdog found served too long on {@code from}, or
	 * {@code null} when {@code from} hands off itself before it waits
	 * @return whether the hand-off happened: {@code false} if {@code from} no longer polls, or
	 * no longer serves {@code stuck}
	 */
	boolean handOff(Thread from, ConnectionLoop stuck) {
		// Taking the stuck connection out first proves that from is still inside its dispatch,
		// so that it looks at the thread field before it takes another key.
		if (stuck != null && !RUNNING.compareAndSet(this, stuck, null)) {
			return false;
		}
		ConnectionLoop served = (stuck != null) ? stuck : this.running;
		Thread successor = newThread(this.dispatching);
		if (!THREAD.compareAndSet(this, from, successor)) {
			return false;
		}
		if (stuck == null) {
			// The connection that was being served keeps this thread; the successor serves others.
			this.running = null;
		}
		if (served != null) {
			// A thread dump should show it for what it now is.
			from.setName(served.server.connectionThreadName(served));
		}
		successor.start();
		return true;
	}

	/**
	 * Hands polling off if the calling thread polls now: called before any wait of a connection
	 * (a send that finds no room, a read with a timeout, a contended send lock), which on the
	 * poller's thread would stop every other connection of the poller with it.
	 */
	void leaveIfPolling() {
		Thread current = Thread.currentThread();
		if (current == this.thread && this.callbacksHere) {
			handOff(current, null);
		}
	}

	/**
	 * Serves a readable, hibernating connection on this thread, if this is the polling thread and
	 * it serves no other connection; see {@link CallbacksOnPoller}. The caller has already taken
	 * the connection out of hibernation.
	 * @return whether it was served here; if not, the caller starts a thread for it
	 */
	boolean serveHere(ConnectionLoop connection) {
		if (!this.callbacksHere) {
			return false;
		}
		Thread current = Thread.currentThread();
		if (current != this.thread || connection.offPoller || !RUNNING.compareAndSet(this, null, connection)) {
			return false;
		}
		this.runningSince = System.nanoTime();
		try {
			connection.thread = current;
			connection.resumed();
		}
		finally {
			RUNNING.compareAndSet(this, connection, null);
		}
		return true;
	}

	/** {@return the connection being served on the polling thread, or {@code null}} */
	ConnectionLoop running() {
		return this.running;
	}

	/** {@return when {@link #running()} started being served, on the {@link System#nanoTime()} clock} */
	long runningSince() {
		return this.runningSince;
	}

	/** {@return the thread that polls now} */
	Thread thread() {
		return this.thread;
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

	private void run(ReadyKeys inherited) {
		Thread current = Thread.currentThread();
		try {
			if (inherited != null) {
				dispatch(inherited, current);
			}
			while (this.selector.isOpen() && this.thread == current) {
				try {
					poll(current);
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
			if (this.thread == current) {
				// The closed selector dropped every key; release whoever still waits for theirs.
				applyRequests();
			}
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

	/**
	 * Applies the pending requests, then waits for readiness and dispatches it. A poller that
	 * serves connections itself dispatches outside the selector's lock, from a copy of the ready
	 * keys a successor can finish: a connection served here may make this thread wait, and the
	 * successor must be able to select meanwhile. Should a thread that just handed off select once
	 * more, the keys it then leaves undispatched are not lost: the selector is level-triggered, and
	 * reports them to the successor again.
	 */
	private void poll(Thread current) throws IOException {
		applyRequests();
		// Announce the select before looking at the queue a last time: a request added after
		// that look sees selecting set and wakes the selector.
		this.selecting = true;
		int selected;
		try {
			boolean pending = !this.requests.isEmpty();
			if (this.callbacksHere) {
				selected = pending ? this.selector.selectNow() : this.selector.select();
			}
			else {
				selected = pending ? this.selector.selectNow(this::dispatch) : this.selector.select(this::dispatch);
			}
		}
		finally {
			this.selecting = false;
			this.woken.set(false);
		}
		if (selected > 0 && this.callbacksHere) {
			// A fresh copy each time: a successor may still be finishing the last one.
			ReadyKeys ready = new ReadyKeys(this.selector.selectedKeys());
			this.dispatching = ready;
			dispatch(ready, current);
		}
		else if (selected > 0 && current.isVirtual()) {
			// Let the connections just woken run on this carrier before polling again: polled
			// too soon, their sockets would be reported a second time and lose their interest.
			Thread.yield();
		}
	}

	/** Dispatches the keys left in {@code ready}, while {@code current} still polls. */
	private void dispatch(ReadyKeys ready, Thread current) {
		SelectionKey key;
		while (this.thread == current && (key = ready.next()) != null) {
			dispatch(key);
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
