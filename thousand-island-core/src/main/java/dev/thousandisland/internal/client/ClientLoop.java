package dev.thousandisland.internal.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientState;
import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.client.NotConnectedException;
import dev.thousandisland.client.RequestTimeoutAction;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.telemetry.Span;
import dev.thousandisland.telemetry.Telemetry;
import dev.thousandisland.transport.Transport;

/**
 * The client's own virtual thread: connect, run the connection until it drops, back off, connect
 * again, until {@code stop()} or {@link dev.thousandisland.client.Backoff#maxAttempts()} ends it.
 * Elixir's {@code Connection} behaviour, with the caller queue and replies of the GenServer that
 * uses it. Other threads reach this thread only through the {@link ClientInbox} and the selector's
 * wakeup.
 */
public final class ClientLoop implements Runnable {

	private static final System.Logger logger = System.getLogger(ClientLoop.class.getName());

	private final ClientConfig config;

	private final Selector selector;

	private final SelectorReadiness readiness;

	private final ClientInbox inbox;

	private final Connector connector;

	private final Telemetry telemetry;

	private final SplittableRandom random = new SplittableRandom();

	private final ClientCallbacks callbacks;

	private final RequestIntake intake;

	private volatile boolean stopRequested;

	private volatile long stopDeadline;

	/** Which connection is live; bumped on every connect, so a late timeout cannot drop the next. */
	private volatile long generation;

	private volatile long timedOutGeneration = -1;

	/** Written requests that timed out, from their timers to the session (DISCARD_LATE_REPLY). */
	private final ConcurrentLinkedQueue<PendingRequest> timedOut = new ConcurrentLinkedQueue<>();

	private volatile Thread thread;

	private volatile boolean drainedCleanly = true;

	private volatile Span span;

	/** The live connection's socket, set on the client's thread only. */
	private Connector.Connected current;

	/**
	 * Creates the loop of a client; nothing runs until {@link #start()}.
	 * @param config the client's configuration
	 * @param handler the client's handler with the public client bound in, which this loop
	 * calls back and never names
	 */
	public ClientLoop(ClientConfig config, BoundHandler handler) {
		this.config = config;
		try {
			this.selector = Selector.open();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not open a selector for client " + config.name(), ex);
		}
		this.readiness = new SelectorReadiness(this.selector, () -> this.stopRequested);
		this.inbox = new ClientInbox(config.queueSize(), this.selector::wakeup);
		this.connector = new Connector(config.address(), config.transport(), this.selector, this.readiness,
				new KeepAliveOptions(config.liveness(), config.name()));
		this.telemetry = new Telemetry(config.telemetryListeners(), false);
		this.callbacks = new ClientCallbacks(handler);
		this.intake = new RequestIntake(this, this.inbox, this.telemetry);
	}

	/** Starts the client's thread; returns at once. */
	public synchronized void start() {
		if (this.thread != null || this.inbox.state() != ClientState.NEW) {
			throw new IllegalStateException("Client " + this.config.name() + " was already started");
		}
		this.inbox.moveTo(ClientState.CONNECTING);
		this.span = this.telemetry.startSpan("client", Map.of("name", this.config.name(), "address",
				this.config.address().toString(), "transport", this.config.transport().name()));
		Thread thread = Thread.ofVirtual().name("thousand-island-client-" + this.config.name()).unstarted(this);
		// Set before the thread runs: submit tells handleConnection's requests by it, and one made
		// before it was set would queue behind the next as an ordinary request (HELLO after SUBSCRIBE).
		this.thread = thread;
		thread.start();
	}

	/**
	 * Queues a request and returns its future, which completes with the reply, or fails with a
	 * {@link RequestFailedException}.
	 * @param wire the request's bytes
	 * @param timeout how long the caller waits
	 * @return the future
	 */
	public CompletableFuture<ByteBuffer> submit(ByteBuffer[] wire, Duration timeout) {
		return this.intake.submit(wire, timeout, this.span, Thread.currentThread() == this.thread);
	}

	/**
	 * A written request timed out or was cancelled: its reply may still come. The one place that
	 * decides what that costs: with {@code DROP_CONNECTION} the connection it was written on must
	 * go; with {@code DISCARD_LATE_REPLY} it keeps its place and the connection owes one more late
	 * reply.
	 */
	void abandonedAfterWrite(PendingRequest request) {
		if (this.config.onRequestTimeout() == RequestTimeoutAction.DROP_CONNECTION) {
			this.timedOutGeneration = request.sentOn;
		}
		else {
			request.timedOutAt = System.nanoTime();
			this.timedOut.add(request);
		}
		this.selector.wakeup();
	}

	/** The next written request that timed out since the last call, or {@code null}. */
	PendingRequest pollTimedOut() {
		return this.timedOut.poll();
	}

	/**
	 * Delivers a message to the handler on the client's thread.
	 * @param message the message
	 */
	public void tell(Object message) {
		this.inbox.tell(message);
	}

	/**
	 * Stops the client: no new requests; what is outstanding gets until the deadline to finish.
	 * @param timeout how long to wait for outstanding requests
	 * @return whether every outstanding request finished in time and the thread ended
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean stop(Duration timeout) throws InterruptedException {
		long deadline = Transport.deadline(timeout);
		Thread running;
		synchronized (this) {
			this.stopDeadline = deadline;
			this.stopRequested = true;
			running = this.thread;
			if (running == null) {
				failUnsent(this.inbox.moveTo(ClientState.STOPPED), "the client was stopped before it started");
				closeSelector();
				return true;
			}
		}
		this.inbox.moveTo(ClientState.STOPPING);
		this.selector.wakeup();
		long waitNanos = Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(1);
		boolean ended = running.join(Duration.ofNanos(waitNanos));
		if (ended) {
			failUnsent(this.inbox.moveTo(ClientState.STOPPED), "the client stopped before the request was sent");
		}
		return ended && this.drainedCleanly;
	}

	@Override
	public void run() {
		int failures = 0;
		// Waits since the last healthy connection: after a drop the first wait is attempt 1 and the
		// next 2, where counting failures (0, then 1) numbered both 1.
		int waits = 0;
		try {
			while (!this.stopRequested) {
				this.inbox.moveTo(ClientState.CONNECTING);
				ClientSession session = connectOnce(failures);
				if (session == null) {
					failures++;
				}
				else if (runSession(session)) {
					failures = 0;
					waits = 0;
				}
				else {
					failures++;
				}
				if (this.stopRequested) {
					break;
				}
				if (this.config.backoff().exhausted(failures)) {
					List<PendingRequest> left = this.inbox.moveTo(ClientState.FAILED);
					failUnsent(left, "the client gave up connecting after backoff.maxAttempts failed attempts",
							this.inbox.lastConnectError());
					return;
				}
				waits++;
				backOff(waits);
			}
		}
		finally {
			if (this.inbox.state() != ClientState.FAILED) {
				failUnsent(this.inbox.moveTo(ClientState.STOPPED), "the client stopped before the request was sent");
			}
			this.span.stop(Map.of(), null);
			closeSelector();
		}
	}

	/** Connects once; returns the session, or {@code null} after a failed attempt (reported). */
	private ClientSession connectOnce(int failures) {
		long start = System.nanoTime();
		try {
			Connector.Connected connected = this.connector.connect(Transport.deadline(this.config.connectTimeout()));
			this.generation++;
			ConnectKind kind = (this.generation == 1) ? ConnectKind.FIRST : ConnectKind.RECONNECT;
			this.span.event("connect", Map.of("duration", System.nanoTime() - start),
					Map.of("kind", kind.name().toLowerCase(), "attempt", failures + 1));
			ClientSession session = new ClientSession(connected.channel(), this.readiness, connected.key(), this);
			this.inbox.moveTo(ClientState.CONNECTED);
			if (!this.callbacks.connected(kind)) {
				connected.closeQuietly(this.config.name());
				return null;
			}
			this.current = connected;
			return session;
		}
		catch (IOException | RuntimeException ex) {
			this.inbox.lastConnectError(ex);
			this.span.event("connect_failed", Map.of("duration", System.nanoTime() - start),
					Map.of("error", String.valueOf(ex), "attempt", failures + 1));
			if (!this.stopRequested) {
				this.callbacks.error(ex);
			}
			return null;
		}
	}

	/** Runs a connection until it ends; returns whether it was healthy (answered at least once). */
	private boolean runSession(ClientSession session) {
		Connector.Connected connected = this.current;
		try {
			session.run();
			boolean drained = session.inFlight() == 0 && !this.inbox.hasRequests();
			this.drainedCleanly = drained;
			connected.closeQuietly(this.config.name());
			session.failInFlight(null, "The client stopped before the reply came");
			this.span.event("disconnect", Map.of(), Map.of("reason", "stopped"));
			this.callbacks.closed();
		}
		catch (IOException | RuntimeException ex) {
			connected.closeQuietly(this.config.name());
			String why = (ex instanceof EOFException) ? "The server closed the connection"
					: "The connection failed (" + ex + ")";
			session.failInFlight(ex, why);
			this.inbox.moveTo(ClientState.BACKING_OFF);
			this.span.event("disconnect", Map.of(), Map.of("reason", ClientCallbacks.reason(ex), "error", String.valueOf(ex)));
			this.callbacks.dropped(ex);
		}
		return session.answered();
	}

	private void backOff(int attempt) {
		Duration delay = this.config.backoff().delay(attempt, this.random);
		this.inbox.moveTo(ClientState.BACKING_OFF);
		this.span.event("backoff", Map.of("delay", delay.toNanos()), Map.of("attempt", attempt));
		long deadline = System.nanoTime() + delay.toNanos();
		try {
			while (!this.stopRequested) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return;
				}
				this.readiness.select(remaining);
				deliverMessages();
			}
		}
		catch (IOException ex) {
			logger.log(Level.WARNING, "Client " + this.config.name() + " could not wait for its backoff", ex);
		}
	}

	private void failUnsent(List<PendingRequest> left, String why) {
		failUnsent(left, why, null);
	}

	private void failUnsent(List<PendingRequest> left, String why, Throwable cause) {
		if (!left.isEmpty()) {
			this.drainedCleanly = false;
		}
		for (PendingRequest request : left) {
			request.reply.completeExceptionally(new NotConnectedException("The request was not sent: " + why, cause));
		}
	}

	private void closeSelector() {
		try {
			this.selector.close();
		}
		catch (IOException ex) {
			logger.log(Level.DEBUG, "Closing the selector of client " + this.config.name() + " failed", ex);
		}
	}

	void deliverMessages() {
		Object message;
		while ((message = this.inbox.pollMessage()) != null) {
			this.callbacks.message(message);
		}
	}

	ClientCallbacks callbacks() {
		return this.callbacks;
	}

	Span span() {
		return this.span;
	}

	ClientInbox inbox() {
		return this.inbox;
	}

	ClientConfig config() {
		return this.config;
	}

	long generation() {
		return this.generation;
	}

	boolean requestTimedOutInFlight() {
		return this.timedOutGeneration == this.generation;
	}

	boolean stopping() {
		return this.stopRequested;
	}

	long stopDeadline() {
		return this.stopDeadline;
	}

	/**
	 * Returns the client's state.
	 * @return the state
	 */
	public ClientState state() {
		return this.inbox.state();
	}

	/**
	 * Returns how many requests are queued or in flight.
	 * @return the count
	 */
	public int outstanding() {
		return this.inbox.held();
	}

	/**
	 * Returns how many requests wait to be written.
	 * @return the count
	 */
	public int queued() {
		return this.inbox.queued();
	}

	/**
	 * Returns whether the calling thread is the client's own.
	 * @return whether it is
	 */
	public boolean isClientThread() {
		return Thread.currentThread() == this.thread;
	}

}
