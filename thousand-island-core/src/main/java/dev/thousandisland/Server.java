package dev.thousandisland;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import dev.thousandisland.telemetry.Span;
import dev.thousandisland.telemetry.Telemetry;
import dev.thousandisland.transport.Transport;

/**
 * A running server: one listening endpoint and everything under it (the listener, the acceptors,
 * their connection sets and the connections). Start one with {@link ThousandIsland#start}.
 *
 * <p>Stopping follows one global deadline:
 * <ol>
 * <li>the listen sockets close, so new connects are refused by the kernel;
 * <li>the acceptors leave their loops;
 * <li>every live connection is told to finish at once: {@link Handler#handleShutdown} runs on its
 * own thread, with the socket open, as soon as it is between callbacks;
 * <li>the server waits until no connection is left or the deadline passes;
 * <li>whatever is still open is closed, without further callbacks, and its stop event emitted.
 * </ol>
 */
public final class Server {

	/** The capacity of a pooled read buffer: a large read costs one system call. */
	static final int READ_BUFFER_SIZE = 64 * 1024;

	private final ServerConfig config;

	private final Telemetry telemetry;

	private final Map<String, Object> spanMetadata;

	private final Poller[] pollers;

	private final BufferPool buffers;

	private final DataReader dataReader;

	/** Wakes hibernating connections at their read deadlines; its thread starts with the first. */
	private final ScheduledThreadPoolExecutor alarms;

	private final ConnectionSet[] connectionSets;

	private final AtomicInteger activeConnections = new AtomicInteger();

	private final AtomicLong connectionIds = new AtomicLong();

	private final CompletableFuture<Void> terminated = new CompletableFuture<>();

	private final Instant startedAt = Instant.now();

	private final ReentrantLock lock = new ReentrantLock();


	private volatile ServerStatus status = ServerStatus.SUSPENDED;

	private volatile Listener listener;

	private List<Acceptor> acceptors = List.of();

	private SocketAddress boundAddress;

	private boolean stopping;

	/** Made by the first stop: waits for the connections, then closes the rest. */
	private volatile Drain drain;

	/** The thread that waits for connections to finish, once the server stops. */
	private volatile Thread drainThread;

	private Server(ServerConfig config) throws IOException {
		this.config = config;
		this.buffers = new BufferPool(config.readBufferPoolSize(), READ_BUFFER_SIZE);
		this.dataReader = new DataReader(config.dataBuffers(), this.buffers);
		this.telemetry = new Telemetry(config.telemetryListeners(), config.telemetryPayloads());
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
				this.pollers[i] = new Poller(config.name() + "-poller-" + i);
			}
		}
		catch (IOException ex) {
			closePollers();
			throw ex;
		}
	}

	static Server start(ServerConfig config) throws IOException {
		Server server = new Server(config);
		server.lock.lock();
		try {
			server.listen(config.port());
		}
		catch (IOException | RuntimeException ex) {
			server.closePollers();
			server.status = ServerStatus.STOPPED;
			server.terminated.complete(null);
			throw ex;
		}
		finally {
			server.lock.unlock();
		}
		return server;
	}

	/**
	 * Returns the configuration the server was started with.
	 * @return the configuration
	 */
	public ServerConfig config() {
		return this.config;
	}

	/**
	 * Returns where the server is in its life.
	 * @return the status
	 */
	public ServerStatus status() {
		return this.status;
	}

	/**
	 * Returns the address the server listens on, as Thousand Island's {@code listener_info/1}.
	 * @return the bound address ({@link InetSocketAddress} or
	 * {@link java.net.UnixDomainSocketAddress}), or empty while not listening
	 */
	public Optional<SocketAddress> listenerInfo() {
		Listener listener = this.listener;
		return (listener != null) ? Optional.of(listener.localAddress()) : Optional.empty();
	}

	/**
	 * Returns the TCP port the server listens on, or last listened on: the port the system
	 * picked when the configured port is 0.
	 * @return the port
	 * @throws IllegalStateException for a Unix domain socket server
	 */
	public int port() {
		this.lock.lock();
		try {
			if (this.boundAddress instanceof InetSocketAddress inet) {
				return inet.getPort();
			}
			throw new IllegalStateException("Server '" + this.config.name() + "' listens on " + this.boundAddress
					+ ", which has no port");
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Returns when the server started.
	 * @return the start time
	 */
	public Instant startedAt() {
		return this.startedAt;
	}

	/**
	 * Returns the number of live connections, cheaply.
	 * @return the live connections
	 */
	public int activeConnections() {
		return this.activeConnections.get();
	}

	/**
	 * Returns the live connections. The list is a snapshot: connections may end while you look.
	 * @return the live connections
	 */
	public List<Connection> connections() {
		List<Connection> connections = new ArrayList<>();
		for (ConnectionSet set : this.connectionSets) {
			connections.addAll(set.connections());
		}
		return connections;
	}

	/**
	 * Returns a snapshot of status, address and connection count, as Thousand Island's
	 * {@code info/1}.
	 * @return the snapshot
	 */
	public ServerInfo info() {
		Listener listener = this.listener;
		return new ServerInfo(this.status, (listener != null) ? listener.localAddress() : null,
				this.activeConnections.get());
	}

	/**
	 * Stops listening; live connections go on. New connects are refused until {@link #resume()}.
	 * Does nothing if already suspended.
	 * @throws IllegalStateException if the server is stopping or stopped
	 */
	public void suspend() {
		List<Acceptor> leaving;
		this.lock.lock();
		try {
			if (this.status == ServerStatus.SUSPENDED) {
				return;
			}
			requireNotStopping("suspend");
			leaving = closeListener();
			this.status = ServerStatus.SUSPENDED;
		}
		finally {
			this.lock.unlock();
		}
		awaitExit(leaving);
	}

	/**
	 * Listens again after {@link #suspend()}, on the same address (a server configured with port
	 * 0 keeps the port it was given). Does nothing if already running.
	 * @throws IOException if the address cannot be bound again
	 * @throws IllegalStateException if the server is stopping or stopped
	 */
	public void resume() throws IOException {
		this.lock.lock();
		try {
			if (this.status == ServerStatus.RUNNING) {
				return;
			}
			requireNotStopping("resume");
			listen((this.boundAddress instanceof InetSocketAddress inet) ? inet.getPort() : this.config.port());
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Stops the server, waiting at most the configured {@code shutdownTimeout} for connections
	 * to finish.
	 */
	public void stop() {
		stop(this.config.shutdownTimeout());
	}

	/**
	 * Stops the server, waiting at most {@code timeout} for connections to finish before closing
	 * them, and returns when every connection is closed.
	 *
	 * <p>Called on one of the server's own threads (inside a handler callback, or in a telemetry
	 * listener called by a connection or an acceptor), it cannot wait for itself: it starts the
	 * stop and returns at once, as {@link #stopAsync}. The calling connection's
	 * {@link Handler#handleShutdown} runs when its callback returns.
	 * @param timeout how long connections may take to finish; {@link Duration#ZERO} closes them
	 * at once without {@link Handler#handleShutdown}
	 */
	public void stop(Duration timeout) {
		boolean ownThread = isOwnThread(Thread.currentThread());
		CompletableFuture<Void> stopped = stopAsync(timeout);
		if (ownThread) {
			return;
		}
		boolean interrupted = false;
		while (true) {
			try {
				stopped.get();
				break;
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
			catch (ExecutionException ex) {
				throw new IllegalStateException("Stopping server '" + this.config.name() + "' failed", ex.getCause());
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Starts stopping the server and returns at once. The listen sockets are closed and every
	 * connection told to finish before this method returns; the future completes when the last
	 * connection is gone, closing stragglers when {@code timeout} passes. Calling it again while
	 * stopping can only bring the deadline forward: {@code stopAsync(Duration.ZERO)} closes
	 * whatever is left now.
	 * @param timeout how long connections may take to finish
	 * @return a future completed when the server has stopped
	 */
	public CompletableFuture<Void> stopAsync(Duration timeout) {
		ServerConfig.requireTimeout("timeout", timeout);
		long deadline = Transport.deadline(timeout);
		List<Acceptor> leaving;
		this.lock.lock();
		try {
			if (this.stopping) {
				this.drain.bringForward(deadline);
				return this.terminated.copy();
			}
			this.stopping = true;
			this.status = ServerStatus.STOPPING;
			this.drain = new Drain(this, deadline, timeout.isZero());
			leaving = closeListener();
		}
		finally {
			this.lock.unlock();
		}
		try {
			// Outside the lock: an acceptor on its way out may call back into the server (a
			// telemetry listener calling suspend, say) and must not wait for the lock this holds.
			awaitExit(leaving);
		}
		finally {
			this.lock.lock();
			try {
				try {
					if (!timeout.isZero()) {
						for (ConnectionSet set : this.connectionSets) {
							set.connections().forEach(ConnectionLoop::requestShutdown);
						}
					}
				}
				finally {
					// Whatever went wrong above, the drain runs: it is what completes the stop.
					Thread thread = Thread.ofVirtual().name(this.config.name() + "-drain").unstarted(this.drain);
					this.drainThread = thread;
					thread.start();
				}
			}
			finally {
				this.lock.unlock();
			}
		}
		return this.terminated.copy();
	}

	/**
	 * Waits until the server has stopped, for a {@code main} that has nothing else to do.
	 * @throws InterruptedException if interrupted while waiting
	 */
	public void awaitTermination() throws InterruptedException {
		try {
			this.terminated.get();
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
	}

	/**
	 * Waits until the server has stopped, at most {@code timeout}.
	 * @param timeout how long to wait
	 * @return whether the server stopped in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean awaitTermination(Duration timeout) throws InterruptedException {
		try {
			this.terminated.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
			return true;
		}
		catch (TimeoutException ex) {
			return false;
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
	}

	@Override
	public String toString() {
		return "Server '" + this.config.name() + "' (" + this.status + ", "
				+ listenerInfo().map(Listener::describe).orElse("not listening") + ")";
	}

	/** Called by an acceptor with a new socket: wait for room if need be, then start its thread. */
	void admit(SocketChannel socket, ConnectionSet set, Span acceptorSpan) {
		long acceptTime = System.nanoTime();
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
	 * Makes a thread for a connection: its first, or the one that takes over from a hibernating one.
	 */
	Thread connectionThread(ConnectionLoop connection, Runnable work) {
		return Thread.ofVirtual().name(this.config.name() + "-connection-" + connection.id()).unstarted(work);
	}

	/** Runs a task after a delay: a hibernating connection's read deadline. */
	ScheduledFuture<?> alarm(Runnable task, long delayNanos) {
		return this.alarms.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
	}

	/** Called exactly once per started connection, whichever way it ended. */
	void connectionEnded(ConnectionLoop connection, ConnectionSet set) {
		set.remove(connection);
		Drain drain = this.drain;
		if (this.activeConnections.decrementAndGet() == 0 && drain != null) {
			drain.drained();
		}
	}

	Telemetry telemetry() {
		return this.telemetry;
	}

	BufferPool buffers() {
		return this.buffers;
	}

	DataReader dataReader() {
		return this.dataReader;
	}

	Map<String, Object> spanMetadata() {
		return this.spanMetadata;
	}

	Poller poller(long connectionId) {
		return this.pollers[(int) (connectionId % this.pollers.length)];
	}

	/** Keys the pollers saw ready after they had been cancelled: each such report is wasted work. */
	long invalidKeyDispatches() {
		long total = 0;
		for (Poller poller : this.pollers) {
			total += poller.invalidKeyDispatches();
		}
		return total;
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
			return this.status == ServerStatus.RUNNING;
		}
		catch (InterruptedException ex) {
			return false;
		}
	}

	private void listen(int port) throws IOException {
		Listener listener = Listener.bind(this.config, port, this.telemetry, this.spanMetadata);
		List<Acceptor> acceptors = new ArrayList<>();
		for (int i = 0; i < this.config.numAcceptors(); i++) {
			acceptors.add(new Acceptor(this, i, listener.socketFor(i), listener.span(), this.connectionSets[i]));
		}
		this.listener = listener;
		this.boundAddress = listener.localAddress();
		this.acceptors = acceptors;
		acceptors.forEach(Acceptor::start);
		this.status = ServerStatus.RUNNING;
	}

	/**
	 * Closes the listen sockets, which ends the acceptors' loops. Under the lock.
	 * @return the acceptors to wait for, outside the lock
	 */
	private List<Acceptor> closeListener() {
		Listener listener = this.listener;
		if (listener == null) {
			return List.of();
		}
		listener.close();
		this.listener = null;
		List<Acceptor> leaving = this.acceptors;
		this.acceptors = List.of();
		return leaving;
	}

	/** Waits for acceptors to leave their loops; not for the one calling, if one is. */
	private static void awaitExit(List<Acceptor> acceptors) {
		boolean interrupted = false;
		for (Acceptor acceptor : acceptors) {
			if (acceptor.runsOn(Thread.currentThread())) {
				continue;
			}
			while (true) {
				try {
					acceptor.stop();
					break;
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Whether {@code thread} is one of this server's own: a connection's, an acceptor's or the
	 * drain's, any of which may run a handler callback or a telemetry listener.
	 */
	private boolean isOwnThread(Thread thread) {
		if (thread == this.drainThread) {
			return true;
		}
		this.lock.lock();
		try {
			for (Acceptor acceptor : this.acceptors) {
				if (acceptor.runsOn(thread)) {
					return true;
				}
			}
		}
		finally {
			this.lock.unlock();
		}
		for (ConnectionSet set : this.connectionSets) {
			for (ConnectionLoop connection : set.connections()) {
				if (connection.runsOn(thread)) {
					return true;
				}
			}
		}
		return false;
	}

	ConnectionSet[] connectionSets() {
		return this.connectionSets;
	}

	/** Called by the drain when it is done, however it went: closes the pollers and completes the stop. */
	void drainFinished() {
		try {
			closePollers();
		}
		finally {
			this.status = ServerStatus.STOPPED;
			this.terminated.complete(null);
		}
	}

	private void closePollers() {
		this.alarms.shutdownNow();
		for (Poller poller : this.pollers) {
			if (poller != null) {
				poller.close();
			}
		}
	}

	private void requireNotStopping(String operation) {
		if (this.stopping) {
			throw new IllegalStateException("Cannot " + operation + " server '" + this.config.name() + "': it is "
					+ this.status.name().toLowerCase());
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
