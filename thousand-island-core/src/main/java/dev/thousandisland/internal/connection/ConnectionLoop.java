package dev.thousandisland.internal.connection;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.LockSupport;

import dev.thousandisland.Connection;
import dev.thousandisland.Handler;
import dev.thousandisland.MailboxFullException;
import dev.thousandisland.Result;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.SocketStats;
import dev.thousandisland.internal.channel.PlainChannel;
import dev.thousandisland.internal.connection.ConnectionEnd.Cause;
import dev.thousandisland.telemetry.Span;
import dev.thousandisland.transport.Transport;
import dev.thousandisland.transport.TransportChannel;


/**
 * One connection, from accept to close, on its own virtual thread: the counterpart of Thousand
 * Island's handler process. It runs the handshake, then loops: handle a message, or wait for data
 * and hand it to the handler, until a result, the client, the read deadline or the server ends
 * it. Every path out goes through {@link #end}, on the connection's own thread, which runs exactly
 * one closing callback and emits exactly one stop event; an end started on another thread is
 * recorded in {@link ConnectionEnd} and the connection woken to report it. Only the server's
 * forced close ({@link #forceClose}) reports from outside, with no callback.
 */
public final class ConnectionLoop implements Connection, Runnable {

	private static final System.Logger logger = System.getLogger(ConnectionLoop.class.getName());

	private static final long NEVER = Long.MAX_VALUE;

	private static final VarHandle HIBERNATING;

	private static final VarHandle MAILBOX;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			HIBERNATING = lookup.findVarHandle(ConnectionLoop.class, "hibernating", boolean.class);
			MAILBOX = lookup.findVarHandle(ConnectionLoop.class, "mailbox", Queue.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final ConnectionSupervisor server;

	private final ConnectionSet connectionSet;

	private final long id;

	private final SocketChannel raw;

	private final Span acceptorSpan;

	private final long acceptTime;

	private final Instant acceptedAt;

	/**
	 * Made by the first {@link #tell}: most connections never get a message. Bounded by
	 * {@link ServerConfig#mailboxCapacity()}.
	 */
	private volatile Queue<Object> mailbox;

	private final ConnectionEnd end = new ConnectionEnd();

	private volatile Thread thread;

	private volatile State state = State.HANDSHAKING;

	private volatile boolean shutdownRequested;

	private volatile ConnectionSocket socket;

	private volatile SocketAddress remoteAddress;

	/** Volatile: a forced close on another thread stops it, or sees that it is not there yet. */
	private volatile Span span;

	@SuppressWarnings("rawtypes")
	private final Handler handler;

	private Object handlerState;

	private long readDeadline;

	/** Whether the last read filled its buffer, so that more may be waiting. Own thread only. */
	private boolean mayHaveData = true;

	/** {@link ServerConfig#hibernateAfter()} in nanoseconds, or {@link #NEVER}. */
	private final long hibernateAfter;

	/** Whether the connection has waited without work since {@link #idleSince}. Own thread only. */
	private boolean idle;

	private long idleSince;

	/** Whether the connection has no thread, waiting for {@link #wake} to start one. */
	private volatile boolean hibernating;

	/**
	 * What wakes the connection at its read deadline or when it is due to hibernate, so that it
	 * can park without a timer of its own. Own thread only, but for the cancel at the end.
	 */
	private volatile ScheduledFuture<?> alarm;

	/** When {@link #alarm} rings, on the {@link System#nanoTime()} clock. Own thread only. */
	private long alarmAt;

	ConnectionLoop(ConnectionSupervisor server, ConnectionSet connectionSet, long id, SocketChannel raw, Span acceptorSpan,
			long acceptTime) {
		this.server = server;
		this.connectionSet = connectionSet;
		this.id = id;
		this.raw = raw;
		this.acceptorSpan = acceptorSpan;
		this.acceptTime = acceptTime;
		this.acceptedAt = Instant.now();
		this.handler = server.config().handler();
		this.hibernateAfter = hibernateNanos(server.config().hibernateAfter());
	}

	private static long hibernateNanos(Duration after) {
		try {
			long nanos = after.toNanos();
			return (nanos < Transport.LONGEST_WAIT_NANOS / 2) ? nanos : NEVER;
		}
		catch (ArithmeticException ex) {
			return NEVER;
		}
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
			if (!open()) {
				return;
			}
			Cause early = this.end.cause();
			if (early != null) {
				// Closed from outside before the socket was there to close.
				end(early.ending(), early.error());
				return;
			}
			if (!handshake()) {
				return;
			}
			// A shutdown requested during the handshake waits for handleConnection, as Thousand
			// Island's handle_continue runs before the exit signal: handleShutdown never runs for
			// a connection the handler has not seen.
			if (apply(callback(() -> this.handler.handleConnection(this.socket, this.handlerState)), true)) {
				serve();
			}
		}
		catch (Throwable ex) {
			// Only a bug in the loop itself lands here; it still costs this connection alone.
			logger.log(Level.ERROR, "Connection " + this.id + " failed unexpectedly", ex);
			end(Ending.EXCEPTION, ex);
		}
	}

	/** Sets the socket up and starts the span. Returns false if the connection is already over. */
	private boolean open() {
		SocketAddress remote;
		SocketAddress local;
		try {
			remote = this.raw.getRemoteAddress();
			local = this.raw.getLocalAddress();
		}
		catch (IOException ex) {
			// The client left before we looked: no span, no callback (Thousand Island's
			// premature_conn_closing).
			abandon(null);
			return false;
		}
		this.remoteAddress = remote;
		try {
			this.handlerState = this.handler.initialState();
		}
		catch (Throwable ex) {
			logger.log(Level.WARNING, "Handler " + this.handler.getClass().getName()
					+ ".initialState() failed; closing the connection", ex);
			abandon(ex);
			return false;
		}
		this.span = this.acceptorSpan.startChild("connection", startMetadata(remote), this.acceptTime);
		Cause forced = this.end.cause();
		if (forced != null && forced.ending().isForced()) {
			// The server forced the close before the span was there to stop: stop it here.
			ConnectionEnd.emitStop(this.span, statsMeasurements(), forced);
			closeSocket();
			finish();
			return false;
		}
		SocketReadiness readiness;
		try {
			this.raw.configureBlocking(false);
			applySocketOptions();
			readiness = this.server.poller(this.id).register(this.raw, this);
		}
		catch (IOException ex) {
			readiness = null;
			this.socket = new ConnectionSocket(this, new PlainChannel(this.raw), null, this.server, local, remote);
			this.socket.span(this.span);
			end(Ending.SOCKET_ERROR, ex);
			return false;
		}
		this.socket = new ConnectionSocket(this, new PlainChannel(this.raw), readiness, this.server, local, remote);
		this.socket.span(this.span);
		return true;
	}

	private boolean handshake() {
		ServerConfig config = this.server.config();
		long start = System.nanoTime();
		try {
			TransportChannel channel = config.transport()
				.handshake(this.raw, this.socket.readiness(), Transport.deadline(config.handshakeTimeout()));
			this.socket.useChannel(channel, config.transport());
		}
		catch (Exception ex) {
			end(Ending.HANDSHAKE_FAILED, ex);
			return false;
		}
		this.state = State.OPEN;
		this.span.event("ready", Map.of("handshake_duration", System.nanoTime() - start), Map.of());
		return true;
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
			Pass pass = pass();
			if (pass == Pass.ENDED || (pass == Pass.HIBERNATE && hibernate())) {
				return;
			}
		}
	}

	/** Where a thread that takes over from a hibernating one starts. */
	private void resumed() {
		try {
			serve();
		}
		catch (Throwable ex) {
			logger.log(Level.ERROR, "Connection " + this.id + " failed unexpectedly", ex);
			end(Ending.EXCEPTION, ex);
		}
	}

	/**
	 * Lets the connection's thread end while it has nothing to do, keeping the connection: the
	 * stack of a parked thread is most of what an idle connection costs, and everything the
	 * connection needs between passes is in this object. The next {@link #wake} starts a new
	 * thread, as does the alarm set for the read deadline.
	 * @return whether this thread leaves; {@code false} if a wake-up came meanwhile and the
	 * thread goes on serving
	 */
	private boolean hibernate() {
		long now = System.nanoTime();
		if (isTimed(this.readDeadline, now)) {
			setAlarm(this.readDeadline, now);
		}
		this.thread = null;
		this.hibernating = true;
		// A wake-up that came before the flag was set found no thread to unpark; its cause is
		// still here to see.
		if ((hasWork() || this.readDeadline - System.nanoTime() <= 0) && HIBERNATING.compareAndSet(this, true, false)) {
			this.thread = Thread.currentThread();
			return false;
		}
		return true;
	}

	private boolean hasMessages() {
		Queue<Object> mailbox = this.mailbox;
		return mailbox != null && !mailbox.isEmpty();
	}

	/** Whether anything that wakes the connection has happened: what a waker leaves behind. */
	private boolean hasWork() {
		return this.socket.readiness().isReadable() || hasMessages() || this.shutdownRequested
				|| this.end.cause() != null || !this.socket.isOpen();
	}

	/**
	 * Wakes the connection: unparks its thread, or starts a new one if it hibernates. Whoever
	 * calls this has already left the cause (data, a message, a request) where the connection
	 * looks.
	 */
	void wake() {
		if (this.hibernating && HIBERNATING.compareAndSet(this, true, false)) {
			resume();
		}
		else {
			LockSupport.unpark(this.thread);
		}
	}

	private void resume() {
		try {
			Thread thread = this.server.connectionThread(this, this::resumed);
			this.thread = thread;
			thread.start();
		}
		catch (Throwable ex) {
			// No thread to be had (out of memory, say): the connection ends as a failed spawn.
			logger.log(Level.ERROR, "Connection " + this.id + " could not get a thread to resume on; closing it", ex);
			forceClose(Ending.SPAWN_ERROR);
		}
	}

	/**
	 * Makes sure an alarm wakes the connection by {@code wakeAt}. One alarm serves many waits: a
	 * busy connection with a read timeout schedules one per timeout period, not one per message
	 * as a timed park would, and an alarm that rings early only costs a pass that finds nothing
	 * due and sets the next one.
	 */
	private void setAlarm(long wakeAt, long now) {
		ScheduledFuture<?> alarm = this.alarm;
		// An alarm whose time has come is spent, even if it is still ringing (not yet done).
		if (alarm != null && !alarm.isDone() && this.alarmAt - now > 0 && this.alarmAt - wakeAt <= 0) {
			return;
		}
		if (alarm != null) {
			alarm.cancel(false);
		}
		this.alarmAt = wakeAt;
		try {
			this.alarm = this.server.alarm(this::wake, Math.max(wakeAt - now, 0));
		}
		catch (RejectedExecutionException ex) {
			// The server has stopped and is force-closing this connection: nothing to wake for.
			this.alarm = null;
		}
	}

	private void cancelAlarm() {
		ScheduledFuture<?> alarm = this.alarm;
		if (alarm != null) {
			this.alarm = null;
			alarm.cancel(false);
		}
	}

	/** Whether a deadline is a real one rather than {@link ServerConfig#NO_TIMEOUT}'s far future. */
	private static boolean isTimed(long deadline, long now) {
		return deadline - now <= Transport.LONGEST_WAIT_NANOS / 2;
	}

	/**
	 * One pass of the connection: a message from the mailbox, then data from the socket, or a
	 * wait for either.
	 * @return what the connection does next
	 */
	@SuppressWarnings("unchecked")
	private Pass pass() {
		ConnectionSocket socket = this.socket;
		SocketReadiness readiness = socket.readiness();
		Cause cause = this.end.cause();
		if (cause != null) {
			end(cause.ending(), cause.error());
			return Pass.ENDED;
		}
		if (!socket.isOpen()) {
			end(Ending.CLOSED, null);
			return Pass.ENDED;
		}
		// One message per pass, then the socket, the shutdown flag and the deadline get their
		// turn: a mailbox that never empties must not starve the client or keep a dead
		// connection alive.
		Queue<Object> mailbox = this.mailbox;
		Object message = (mailbox != null) ? mailbox.poll() : null;
		if (message != null) {
			this.idle = false;
			if (!apply(callback(() -> this.handler.handleMessage(message, socket, this.handlerState)), false)) {
				return Pass.ENDED;
			}
		}
		if (this.shutdownRequested) {
			end(Ending.SHUTDOWN, null);
			return Pass.ENDED;
		}
		if (this.mayHaveData || readiness.takeReadable() || socket.channel().hasBufferedInput()) {
			DataReader.Received received;
			try {
				received = this.server.dataReader().read(socket);
			}
			catch (IOException ex) {
				end(socket.isOpen() ? Ending.SOCKET_ERROR : Ending.CLOSED, ex);
				return Pass.ENDED;
			}
			if (received == DataReader.Received.END_OF_STREAM) {
				// handleClose sees the socket closed, as the client left it.
				socket.closeChannel();
				end(Ending.PEER_CLOSED, null);
				return Pass.ENDED;
			}
			if (received != DataReader.Received.NOTHING) {
				// A read that did not fill the buffer emptied the socket: go straight to
				// waiting next time rather than spend a read to learn that nothing came.
				this.mayHaveData = received.filled();
				this.idle = false;
				ByteBuffer data = received.data();
				Outcome outcome;
				try {
					outcome = callback(() -> this.handler.handleData(data, socket, this.handlerState));
				}
				finally {
					this.server.dataReader().giveBack(data);
				}
				return apply(outcome, true) ? Pass.AGAIN : Pass.ENDED;
			}
			this.mayHaveData = false;
		}
		long now = System.nanoTime();
		if (this.readDeadline - now <= 0) {
			end(Ending.READ_TIMEOUT, null);
			return Pass.ENDED;
		}
		try {
			readiness.armRead();
		}
		catch (IOException ex) {
			end(Ending.CLOSED, null);
			return Pass.ENDED;
		}
		if (!hasMessages() && !this.shutdownRequested && this.end.cause() == null) {
			long wakeAt = this.readDeadline;
			boolean timed = isTimed(wakeAt, now);
			if (this.hibernateAfter != NEVER) {
				if (!this.idle) {
					this.idle = true;
					this.idleSince = now;
				}
				long hibernateAt = this.idleSince + this.hibernateAfter;
				if (hibernateAt - now <= 0) {
					return Pass.HIBERNATE;
				}
				if (!timed || hibernateAt - wakeAt < 0) {
					wakeAt = hibernateAt;
					timed = true;
				}
			}
			if (timed) {
				setAlarm(wakeAt, now);
			}
			// Arming and setting the alarm may have waited for a lock, and a lock's wait swallows
			// an unpark: look for a cause to wake once more, then park.
			if (!hasWork()) {
				LockSupport.park(this);
				// A forced close interrupts; the next pass finds its cause.
				Thread.interrupted();
			}
		}
		return Pass.AGAIN;
	}

	/**
	 * Applies a callback's result.
	 * @param network whether the callback was a network one, whose plain continue re-arms the
	 * read deadline
	 * @return whether the connection goes on
	 */
	private boolean apply(Outcome outcome, boolean network) {
		Cause cause = this.end.cause();
		if (cause != null) {
			// Ended from outside (or by a send timeout) while the callback ran: whatever it
			// returned or threw is a consequence.
			end(cause.ending(), cause.error());
			return false;
		}
		if (outcome.thrown != null) {
			if (RecvTimeoutException.isCause(outcome.thrown)) {
				end(Ending.READ_TIMEOUT, null);
			}
			else {
				end(Ending.EXCEPTION, outcome.thrown);
			}
			return false;
		}
		Result<?> result = outcome.result;
		if (result == null) {
			end(Ending.EXCEPTION, new NullPointerException("Handler " + this.handler.getClass().getName()
					+ " returned null instead of a Result"));
			return false;
		}
		this.handlerState = result.state();
		switch (result) {
			case Result.Continue<?> next -> {
				switch (next.readTimeout()) {
					case Result.ReadTimeout.Current current -> {
						if (network) {
							this.readDeadline = Transport.deadline(this.socket.readTimeout());
						}
					}
					case Result.ReadTimeout.Once once -> this.readDeadline = Transport.deadline(once.timeout());
					case Result.ReadTimeout.Persistent persistent -> {
						this.socket.readTimeout(persistent.timeout());
						this.readDeadline = Transport.deadline(persistent.timeout());
					}
				}
				return true;
			}
			case Result.SwitchTransport<?> upgrade -> {
				try {
					TransportSwitch.perform(this.socket, this.raw, upgrade.transport(),
							Transport.deadline(this.server.config().handshakeTimeout()),
							(upgrading) -> this.state = upgrading ? State.HANDSHAKING : State.OPEN);
				}
				catch (Exception ex) {
					end(Ending.UPGRADE_FAILED, ex);
					return false;
				}
				this.readDeadline = Transport.deadline(this.socket.readTimeout());
				return true;
			}
			case Result.Close<?> close -> {
				end(Ending.LOCAL_CLOSED, null);
				return false;
			}
			case Result.Error<?> error -> {
				if (RecvTimeoutException.isCause(error.reason())) {
					end(Ending.READ_TIMEOUT, null);
				}
				else {
					if (!this.server.config().silentTerminateOnError()) {
						logger.log(Level.WARNING, "Connection " + this.id + " from " + this.remoteAddress
								+ " ended with an error result", error.reason());
					}
					end(Ending.ERROR, error.reason());
				}
				return false;
			}
		}
	}

	/**
	 * Ends the connection on its own thread: runs the closing callback for the first cause
	 * recorded (this ending, or an earlier one from another thread), closes the socket, emits
	 * the stop event. Does nothing more if the end was already reported or the server forced it.
	 */
	private void end(Ending ending, Throwable error) {
		ConnectionSocket socket = this.socket;
		if (ending == Ending.SHUTDOWN && this.end.cause() == null) {
			this.state = State.DRAINING;
		}
		Ending first = this.end.claim(ending, error).ending();
		if (socket != null && (first == Ending.CLOSED || first == Ending.SEND_TIMEOUT)) {
			// Whoever closed may not have got to closing the channel yet: the callback is promised
			// a closed socket.
			socket.closeChannel();
		}
		Cause cause = (socket != null)
				? this.end.runClosingCallback(ending, error, this.handler, socket, this.handlerState, this.id)
				: null;
		closeSocket();
		if (cause == null) {
			return;
		}
		if (cause.ending() == Ending.EXCEPTION) {
			logger.log(Level.WARNING, "Handler " + this.handler.getClass().getName() + " threw on connection "
					+ this.id + " from " + this.remoteAddress + "; closing it", cause.error());
		}
		ConnectionEnd.emitStop(this.span, statsMeasurements(), cause);
		finish();
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
		this.end.claim(ending, null);
		closeSocket();
		// Whoever starts the span after this sees the forced cause and stops it (see open()).
		ConnectionEnd.emitStop(this.span, statsMeasurements(), new Cause(ending, null));
		Thread thread = this.thread;
		if (thread != null) {
			thread.interrupt();
		}
		finish();
	}

	/** Asks the connection to finish: {@link Handler#handleShutdown} runs between callbacks. */
	public void requestShutdown() {
		this.shutdownRequested = true;
		wake();
	}

	@Override
	public boolean tell(Object message) {
		if (this.end.cause() != null) {
			return false;
		}
		Queue<Object> mailbox = this.mailbox;
		if (mailbox == null) {
			MAILBOX.compareAndSet(this, null, new LinkedBlockingQueue<>(this.server.config().mailboxCapacity()));
			mailbox = this.mailbox;
		}
		if (!mailbox.offer(message)) {
			throw new MailboxFullException(this.id, this.server.config().mailboxCapacity());
		}
		// An end that began meanwhile may never look at the mailbox again: take the message
		// back and say so, rather than promise a delivery that will not happen.
		if (this.end.cause() != null && mailbox.remove(message)) {
			return false;
		}
		wake();
		return true;
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
		return this.acceptedAt;
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

	private void abandon(Throwable spawnError) {
		this.end.claim(Ending.SPAWN_ERROR, spawnError);
		closeSocket();
		if (spawnError != null) {
			this.acceptorSpan.event("spawn_error", Map.of(), Map.of("error", ConnectionSocket.errorName(spawnError)));
		}
		finish();
	}

	/** Releases the connection's slot, once, whoever ends it. */
	void finish() {
		if (!this.end.finish()) {
			return;
		}
		cancelAlarm();
		Queue<Object> mailbox = this.mailbox;
		if (mailbox != null) {
			mailbox.clear();
		}
		this.server.connectionEnded(this, this.connectionSet);
	}

	private void closeSocket() {
		ConnectionSocket socket = this.socket;
		if (socket != null) {
			socket.closeChannel();
		}
		else {
			try {
				this.raw.close();
			}
			catch (IOException ex) {
				// Nothing more to do: the descriptor is gone either way.
			}
		}
	}

	private Map<String, Object> statsMeasurements() {
		SocketStats stats = stats();
		return Map.of("send_oct", stats.sendOct(), "send_cnt", stats.sendCnt(), "recv_oct", stats.recvOct(),
				"recv_cnt", stats.recvCnt());
	}

	private Map<String, Object> startMetadata(SocketAddress remote) {
		Map<String, Object> metadata = new HashMap<>(this.server.spanMetadata());
		metadata.put("connection_id", this.id);
		if (remote instanceof InetSocketAddress inet) {
			metadata.put("remote_address", inet.getAddress());
			metadata.put("remote_port", inet.getPort());
		}
		else if (remote instanceof UnixDomainSocketAddress unix) {
			metadata.put("remote_address", unix.getPath().toString());
		}
		return metadata;
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private void applySocketOptions() throws IOException {
		ServerConfig config = this.server.config();
		if (config.tcpNoDelay() && this.raw.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
			this.raw.setOption(StandardSocketOptions.TCP_NODELAY, true);
		}
		for (Map.Entry<SocketOption<?>, Object> option : config.socketOptions().entrySet()) {
			if (this.raw.supportedOptions().contains(option.getKey())) {
				this.raw.setOption((SocketOption) option.getKey(), option.getValue());
			}
		}
	}

	private Outcome callback(Callback callback) {
		try {
			return new Outcome(callback.call(), null);
		}
		catch (Throwable ex) {
			return new Outcome(null, ex);
		}
	}

	@FunctionalInterface
	private interface Callback {

		Result<?> call() throws Exception;

	}

	private record Outcome(Result<?> result, Throwable thrown) {
	}

	/** What the connection does after a pass. */
	private enum Pass {

		/** Another pass. */
		AGAIN,
		/** Hibernate: nothing to do for {@code hibernateAfter}. */
		HIBERNATE,
		/** Nothing: the connection ended. */
		ENDED

	}

}
