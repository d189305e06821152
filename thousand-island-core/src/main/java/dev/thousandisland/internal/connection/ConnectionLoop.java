package dev.thousandisland.internal.connection;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;

import dev.thousandisland.Connection;
import dev.thousandisland.Handler;
import dev.thousandisland.MailboxFullException;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.SocketStats;
import dev.thousandisland.telemetry.Span;


/**
 * One connection, from accept to close, on its own virtual thread: the counterpart of Thousand
 * Island's handler process. This class is the connection's state, its mailbox and its thread's
 * run loop; the jobs it runs live beside it, one file each, in the order a connection meets them:
 * <ol>
 * <li>{@link ConnectionOpening}: socket options, the span, the transport handshake and
 * {@link Handler#handleConnection};</li>
 * <li>{@link CallbackPass}: one pass of the loop, a message from the mailbox or data from the
 * socket handed to the handler, or a wait for either, and the {@code Result} applied;</li>
 * <li>{@link Hibernation}: waking, the alarm that rings at the read deadline, and the thread
 * that ends while the connection idles and the new one that resumes it;</li>
 * <li>{@link ConnectionEnding}: every path out, which runs exactly one closing callback and emits
 * exactly one stop event on the connection's own thread; an end started on another thread is
 * recorded in {@link ConnectionEnd} and the connection woken to report it. Only the server's
 * forced close ({@link #forceClose}) reports from outside, with no callback.</li>
 * </ol>
 * The jobs are classes of static methods over this object's package-private fields rather than
 * objects of their own: an idle connection costs what its objects cost, and these fields are all
 * it needs between passes.
 */
public final class ConnectionLoop implements Connection, Runnable {

	/**
	 * The log of the whole connection's life: its jobs log here too, under the one name that
	 * users have configured levels for.
	 */
	static final System.Logger logger = System.getLogger(ConnectionLoop.class.getName());

	private static final VarHandle MAILBOX;

	static {
		try {
			MAILBOX = MethodHandles.lookup().findVarHandle(ConnectionLoop.class, "mailbox", Queue.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	final ConnectionSupervisor server;

	final ConnectionSet connectionSet;

	final long id;

	final SocketChannel raw;

	final Span acceptorSpan;

	final long acceptTime;

	/** When the connection was accepted, in nanoseconds since the epoch: a long costs an idle connection less than an Instant. */
	private final long acceptedAtEpochNanos;

	/**
	 * Made by the first {@link #tell}: most connections never get a message. Bounded by
	 * {@link ServerConfig#mailboxCapacity()}.
	 */
	volatile Queue<Object> mailbox;

	final ConnectionEnd end = new ConnectionEnd();

	final EndWatches endWatches;

	volatile Thread thread;

	volatile State state = State.HANDSHAKING;

	volatile boolean shutdownRequested;

	volatile ConnectionSocket socket;

	volatile SocketAddress remoteAddress;

	/** Volatile: a forced close on another thread stops it, or sees that it is not there yet. */
	volatile Span span;

	Object handlerState;

	long readDeadline;

	/** Whether the last read filled its buffer, so that more may be waiting. Own thread only. */
	boolean mayHaveData = true;

	/** Whether the connection has waited without work since {@link #idleSince}. Own thread only. */
	boolean idle;

	long idleSince;

	/**
	 * Whether the connection has no thread, waiting for {@link #wake} to start one. Set and
	 * cleared by {@link Hibernation} only, the clearing by compare-and-set.
	 */
	volatile boolean hibernating;

	/**
	 * What wakes the connection at its read deadline or when it is due to hibernate, so that it
	 * can park without a timer of its own. Own thread only, but for the cancel at the end.
	 */
	volatile ScheduledFuture<?> alarm;

	/** When {@link #alarm} rings, on the {@link System#nanoTime()} clock. Own thread only. */
	long alarmAt;

	/**
	 * Whether the connection is never again served on a poller's thread: one of its callbacks ran
	 * there past {@code pollerCallbackLimit} (see {@link CallbacksOnPoller}).
	 */
	volatile boolean offPoller;

	ConnectionLoop(ConnectionSupervisor server, ConnectionSet connectionSet, long id, SocketChannel raw, Span acceptorSpan,
			long acceptTime) {
		this.server = server;
		this.connectionSet = connectionSet;
		this.id = id;
		this.endWatches = new EndWatches(id);
		this.raw = raw;
		this.acceptorSpan = acceptorSpan;
		this.acceptTime = acceptTime;
		Instant now = Instant.now();
		this.acceptedAtEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
	}

	void thread(Thread thread) {
		this.thread = thread;
	}

	/** Whether the connection runs on {@code thread} right now. */
	public boolean runsOn(Thread thread) {
		return this.thread == thread;
	}

	@Override
	public void run() {
		try {
			if (ConnectionOpening.open(this)) {
				serve();
			}
		}
		catch (Throwable ex) {
			// Only a bug in the loop itself lands here; it still costs this connection alone.
			logger.log(Level.ERROR, "Connection " + this.id + " failed unexpectedly", ex);
			ConnectionEnding.end(this, Ending.EXCEPTION, ex);
		}
	}

	/**
	 * Waits for messages and data until something ends the connection or it hibernates, and
	 * then its thread ends.
	 */
	private void serve() {
		while (true) {
			// Each pass is a method of its own: this frame stays interpreted for the life of the
			// thread (it is entered once, before the JIT has compiled anything), while a method
			// called on every pass is compiled and called as such.
			CallbackPass.Pass pass = CallbackPass.pass(this);
			if (pass == CallbackPass.Pass.ENDED || (pass == CallbackPass.Pass.HIBERNATE && Hibernation.hibernate(this))) {
				return;
			}
		}
	}

	/** Where a thread that takes over from a hibernating one starts. */
	void resumed() {
		try {
			serve();
		}
		catch (Throwable ex) {
			logger.log(Level.ERROR, "Connection " + this.id + " failed unexpectedly", ex);
			ConnectionEnding.end(this, Ending.EXCEPTION, ex);
		}
	}

	boolean hasMessages() {
		Queue<Object> mailbox = this.mailbox;
		return mailbox != null && !mailbox.isEmpty();
	}

	/** Whether anything that wakes the connection has happened: what a waker leaves behind. */
	boolean hasWork() {
		return this.socket.readiness().isReadable() || hasMessages() || this.shutdownRequested
				|| this.end.cause() != null || !this.socket.isOpen();
	}

	/**
	 * Wakes the connection: unparks its thread, or starts a new one if it hibernates. Whoever
	 * calls this has already left the cause (data, a message, a request) where the connection
	 * looks. Any thread.
	 */
	void wake() {
		Hibernation.wake(this);
	}

	/**
	 * Records an end found on another thread (or inside a callback: a close, a send timeout),
	 * which the connection's own thread reports once {@link #wake woken}. The caller closes the
	 * socket first, so that the closing callback sees it closed.
	 */
	void recordEnd(Ending ending, Throwable error) {
		this.end.claim(ending, error);
	}

	/**
	 * Forces the connection closed from outside its thread, with no callback: the stop that
	 * cannot wait. Emits the stop event at once unless the connection already did.
	 */
	public void forceClose(Ending ending) {
		ConnectionEnding.forceClose(this, ending);
	}

	/** Releases the connection's slot, once, whoever ends it. */
	void finish() {
		ConnectionEnding.finish(this);
	}

	/** Asks the connection to finish: {@link Handler#handleShutdown} runs between callbacks. */
	public void requestShutdown() {
		this.shutdownRequested = true;
		wake();
	}

	@Override
	public boolean tell(Object message) {
		return switch (offer(message)) {
			case QUEUED -> true;
			case ENDED -> false;
			case FULL -> throw new MailboxFullException(this.id, this.server.config().mailboxCapacity());
		};
	}

	/**
	 * {@link #tell} that answers a full mailbox instead of throwing: for a fan-out to many
	 * connections (a PubSub broadcast), where a full mailbox is an expected outcome that may come
	 * once per subscriber per message, and an exception with its stack trace would cost the
	 * publisher far more than the delivery itself.
	 * @param message the message
	 * @return whether it was queued, or why not
	 */
	public MailboxOffer offer(Object message) {
		if (this.end.cause() != null) {
			return MailboxOffer.ENDED;
		}
		Queue<Object> mailbox = this.mailbox;
		if (mailbox == null) {
			MAILBOX.compareAndSet(this, null, new LinkedBlockingQueue<>(this.server.config().mailboxCapacity()));
			mailbox = this.mailbox;
		}
		if (!mailbox.offer(message)) {
			return MailboxOffer.FULL;
		}
		// An end that began meanwhile may never look at the mailbox again: take the message
		// back and say so, rather than promise a delivery that will not happen.
		if (this.end.cause() != null && mailbox.remove(message)) {
			return MailboxOffer.ENDED;
		}
		wake();
		return MailboxOffer.QUEUED;
	}

	@Override
	public EndWatch onEnd(Runnable action) {
		return this.endWatches.add(action);
	}

	@Override
	public void close() {
		this.end.claim(Ending.CLOSED, null);
		ConnectionSocket socket = this.socket;
		if (socket != null) {
			socket.closeChannel();
		}
		wake();
	}

	void checkOwnThread(String operation) {
		if (Thread.currentThread() != this.thread) {
			throw new IllegalStateException(operation + " may only be called on the connection's own thread, "
					+ "inside a handler callback; the framework reads between callbacks");
		}
	}

	@Override
	public long id() {
		return this.id;
	}

	@Override
	public SocketAddress remoteAddress() {
		return this.remoteAddress;
	}

	@Override
	public Instant acceptedAt() {
		return Instant.ofEpochSecond(0, this.acceptedAtEpochNanos);
	}

	@Override
	public State state() {
		return this.end.isFinished() ? State.CLOSED : this.state;
	}

	@Override
	public SocketStats stats() {
		ConnectionSocket socket = this.socket;
		return (socket != null) ? socket.stats() : new SocketStats(0, 0, 0, 0);
	}

	@Override
	public String toString() {
		return "Connection " + this.id + " from " + this.remoteAddress + " (" + state() + ")";
	}

}
