package dev.thousandisland.internal.connection;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import dev.thousandisland.Connection;
import dev.thousandisland.Handler;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.telemetry.Span;
import dev.thousandisland.telemetry.Telemetry;

/**
 * Owns a server's live connections, as Thousand Island's {@code DynamicSupervisor}s do: admits a
 * new socket when there is room, starts its thread, counts it out when it ends, and holds what all
 * connections share (read buffers, pollers, the alarm clock, telemetry).
 *
 * <p>It knows nothing of listening or stopping: the server tree above it decides when to admit
 * and when to drain, and hears through {@link #onLastConnectionEnded} when the last one is gone.
 */
public final class ConnectionSupervisor {

	/** The capacity of a pooled read buffer: a large read costs one system call. */
	public static final int READ_BUFFER_SIZE = 64 * 1024;

	private final ServerConfig config;

	/**
	 * The handler and {@code hibernateAfter} every connection reads on each pass: kept here, once
	 * per server, rather than in each connection's object, which an idle connection pays for.
	 */
	@SuppressWarnings("rawtypes")
	private final Handler handler;

	private final long hibernateAfterNanos;

	private final Telemetry telemetry;

	private final Map<String, Object> spanMetadata;

	private final Poller[] pollers;

	private final BufferPool buffers;

	private final DataReader dataReader;

	private final SocketSender sender;

	private final SocketReceiver receiver;

	/** Wakes hibernating connections at their read deadlines; its thread starts with the first. */
	private final ScheduledThreadPoolExecutor alarms;

	private final ConnectionSet[] connectionSets;

	private final AtomicInteger activeConnections = new AtomicInteger();

	private final AtomicLong connectionIds = new AtomicLong();

	/** Whether a connection waiting for room may still be admitted (the server is running). */
	private final BooleanSupplier admitting;

	private final PeerErrors peerErrors;

	/** Told each time the count of live connections drops to zero. */
	private volatile Runnable onLastConnectionEnded = () -> {
	};

	/**
	 * Prepares the shared parts; starts no thread.
	 * @param config the server's configuration
	 * @param telemetry where spans and events go
	 * @param admitting whether a connection waiting for room may still be admitted
	 * @throws IOException if a poller cannot open its selector
	 */
	public ConnectionSupervisor(ServerConfig config, Telemetry telemetry, BooleanSupplier admitting)
			throws IOException {
		this.config = config;
		this.handler = config.handler();
		// Served on the poller, a connection must let its thread go at every wait.
		this.hibernateAfterNanos = config.callbacksOnPoller() ? 0 : Hibernation.afterNanos(config.hibernateAfter());
		this.telemetry = telemetry;
		this.admitting = admitting;
		this.peerErrors = new PeerErrors(config);
		this.buffers = new BufferPool(config.readBufferPoolSize(), READ_BUFFER_SIZE);
		this.dataReader = new DataReader(config.dataBuffers(), this.buffers);
		this.sender = new SocketSender(telemetry, config.sendTimeout());
		this.receiver = new SocketReceiver(telemetry, this.buffers);
		this.spanMetadata = Map.of("server", config.name(), "handler", config.handler().getClass().getName(),
				"transport", config.transport().name());
		this.connectionSets = new ConnectionSet[config.numAcceptors()];
		for (int i = 0; i < this.connectionSets.length; i++) {
			this.connectionSets[i] = new ConnectionSet(config.numConnections());
		}
		this.alarms = new ScheduledThreadPoolExecutor(1, Thread.ofVirtual().name(config.name() + "-alarms").factory());
		// A connection that wakes before its deadline cancels its alarm; leave no cancelled task behind.
		this.alarms.setRemoveOnCancelPolicy(true);
		this.pollers = new Poller[config.numPollers()];
		try {
			for (int i = 0; i < this.pollers.length; i++) {
				this.pollers[i] = new Poller(config.name() + "-poller-" + i, config.callbacksOnPoller());
			}
		}
		catch (IOException ex) {
			close();
			throw ex;
		}
		if (config.callbacksOnPoller()) {
			CallbacksOnPoller watchdog = new CallbacksOnPoller(this.pollers, config);
			this.alarms.scheduleWithFixedDelay(watchdog, watchdog.periodNanos(), watchdog.periodNanos(),
					TimeUnit.NANOSECONDS);
		}
	}

	/**
	 * Called by an acceptor with a new socket: waits for room if need be, then starts its thread.
	 * @param socket the accepted socket
	 * @param acceptor the index of the acceptor, whose connection set the connection joins
	 * @param acceptorSpan the acceptor's span, parent of the connection's
	 */
	public void admit(SocketChannel socket, int acceptor, Span acceptorSpan) {
		long acceptTime = System.nanoTime();
		ConnectionSet set = this.connectionSets[acceptor];
		for (int attempt = 0; !tryReserve(set); attempt++) {
			if (attempt >= this.config.maxConnectionsRetryCount() || !sleepBeforeRetry()) {
				closeQuietly(socket);
				acceptorSpan.event("spawn_error", Map.of(), Map.of("error", "too_many_connections"));
				return;
			}
		}
		ConnectionLoop connection = new ConnectionLoop(this, set, this.connectionIds.incrementAndGet(), socket,
				acceptorSpan, acceptTime);
		set.add(connection);
		try {
			Thread thread = connectionThread(connection, connection);
			connection.thread(thread);
			thread.start();
		}
		catch (Throwable ex) {
			connection.finish();
			closeQuietly(socket);
			acceptorSpan.event("spawn_error", Map.of(), Map.of("error", ConnectionSocket.errorName(ex)));
		}
	}

	/**
	 * Sets what to do each time the last live connection ends: the drain's wake-up.
	 * @param onLastConnectionEnded the action, run on the thread of the connection that ended last
	 */
	public void onLastConnectionEnded(Runnable onLastConnectionEnded) {
		this.onLastConnectionEnded = onLastConnectionEnded;
	}

	/** {@return the number of live connections, cheaply} */
	public int activeConnections() {
		return this.activeConnections.get();
	}

	/** {@return a snapshot of the live connections} */
	public List<Connection> connections() {
		List<Connection> connections = new ArrayList<>();
		for (ConnectionSet set : this.connectionSets) {
			connections.addAll(set.connections());
		}
		return connections;
	}

	/** {@return a snapshot of the live connections, as the machinery sees them} */
	public List<ConnectionLoop> connectionLoops() {
		List<ConnectionLoop> connections = new ArrayList<>();
		for (ConnectionSet set : this.connectionSets) {
			connections.addAll(set.connections());
		}
		return connections;
	}

	/**
	 * Whether {@code thread} runs one of the live connections.
	 * @param thread the thread
	 * @return whether it is a connection's
	 */
	public boolean runsConnectionOn(Thread thread) {
		for (ConnectionSet set : this.connectionSets) {
			for (ConnectionLoop connection : set.connections()) {
				if (connection.runsOn(thread)) {
					return true;
				}
			}
		}
		return false;
	}

	/** {@return the read buffers all connections share} */
	public BufferPool buffers() {
		return this.buffers;
	}

	/** {@return the keys the pollers saw ready after they had been cancelled: each is wasted work} */
	public long invalidKeyDispatches() {
		long total = 0;
		for (Poller poller : this.pollers) {
			total += poller.invalidKeyDispatches();
		}
		return total;
	}

	/** {@return the span metadata every span of this server carries} */
	public Map<String, Object> spanMetadata() {
		return this.spanMetadata;
	}

	/** Stops the alarm clock and closes the pollers: the last step of a stop. */
	public void close() {
		this.alarms.shutdownNow();
		for (Poller poller : this.pollers) {
			if (poller != null) {
				poller.close();
			}
		}
	}

	/**
	 * Makes a thread for a connection: its first, or the one that takes over from a hibernating one.
	 */
	Thread connectionThread(ConnectionLoop connection, Runnable work) {
		return Thread.ofVirtual().name(connectionThreadName(connection)).unstarted(work);
	}

	/** {@return the name of a connection's threads} */
	String connectionThreadName(ConnectionLoop connection) {
		return this.config.name() + "-connection-" + connection.id();
	}

	/** Runs a task after a delay: a hibernating connection's read deadline. */
	ScheduledFuture<?> alarm(Runnable task, long delayNanos) {
		return this.alarms.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
	}

	/** Called exactly once per started connection, whichever way it ended. */
	void connectionEnded(ConnectionLoop connection, ConnectionSet set) {
		set.remove(connection);
		if (this.activeConnections.decrementAndGet() == 0) {
			this.onLastConnectionEnded.run();
		}
	}

	ServerConfig config() {
		return this.config;
	}

	/** Where the errors this server's clients cause are logged. */
	PeerErrors peerErrors() {
		return this.peerErrors;
	}

	/** {@return the connections' handler} */
	@SuppressWarnings("rawtypes")
	Handler handler() {
		return this.handler;
	}

	/** {@return {@link ServerConfig#hibernateAfter()} in nanoseconds, or {@link Hibernation#NEVER}} */
	long hibernateAfterNanos() {
		return this.hibernateAfterNanos;
	}

	Telemetry telemetry() {
		return this.telemetry;
	}

	DataReader dataReader() {
		return this.dataReader;
	}

	SocketSender sender() {
		return this.sender;
	}

	SocketReceiver receiver() {
		return this.receiver;
	}

	Poller poller(long connectionId) {
		return this.pollers[(int) (connectionId % this.pollers.length)];
	}

	private boolean tryReserve(ConnectionSet set) {
		if (!set.tryReserve()) {
			return false;
		}
		int current;
		do {
			current = this.activeConnections.get();
			if (current >= this.config.maxConnections()) {
				set.release();
				return false;
			}
		}
		while (!this.activeConnections.compareAndSet(current, current + 1));
		return true;
	}

	private boolean sleepBeforeRetry() {
		try {
			Thread.sleep(this.config.maxConnectionsRetryWait());
			return this.admitting.getAsBoolean();
		}
		catch (InterruptedException ex) {
			return false;
		}
	}

	private static void closeQuietly(SocketChannel socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// The descriptor is released either way.
		}
	}

}
