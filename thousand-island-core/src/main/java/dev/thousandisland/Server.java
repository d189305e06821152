package dev.thousandisland;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.thousandisland.internal.server.ServerTree;

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

	private final ServerConfig config;

	private final ServerTree tree;

	private final Instant startedAt = Instant.now();

	private Server(ServerConfig config, ServerTree tree) {
		this.config = config;
		this.tree = tree;
	}

	static Server start(ServerConfig config) throws IOException {
		return new Server(config, ServerTree.start(config));
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
		return this.tree.status();
	}

	/**
	 * Returns the address the server listens on, as Thousand Island's {@code listener_info/1}.
	 * @return the bound address ({@link InetSocketAddress} or
	 * {@link java.net.UnixDomainSocketAddress}), or empty while not listening
	 */
	public Optional<SocketAddress> listenerInfo() {
		return Optional.ofNullable(this.tree.listeningAddress());
	}

	/**
	 * Returns the address the server listens on or, while suspended or once stopped, last
	 * listened on: the address a {@link #resume()} binds again (with the port the system picked
	 * when the configured port is 0). Unlike {@link #listenerInfo()}, never empty for a started
	 * server, so that status pages can say where a suspended server will be back.
	 * @return the bound address ({@link InetSocketAddress} or
	 * {@link java.net.UnixDomainSocketAddress})
	 */
	public SocketAddress boundAddress() {
		return this.tree.boundAddress();
	}

	/**
	 * Returns the TCP port the server listens on, or last listened on: the port the system
	 * picked when the configured port is 0.
	 * @return the port
	 * @throws IllegalStateException for a Unix domain socket server
	 */
	public int port() {
		SocketAddress bound = this.tree.boundAddress();
		if (bound instanceof InetSocketAddress inet) {
			return inet.getPort();
		}
		throw new IllegalStateException("Server '" + this.config.name() + "' listens on " + bound
				+ ", which has no port");
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
		return this.tree.connections().activeConnections();
	}

	/**
	 * Returns the live connections. The list is a snapshot: connections may end while you look.
	 * @return the live connections
	 */
	public List<Connection> connections() {
		return this.tree.connections().connections();
	}

	/**
	 * Returns a snapshot of status, address and connection count, as Thousand Island's
	 * {@code info/1}.
	 * @return the snapshot
	 */
	public ServerInfo info() {
		return new ServerInfo(this.tree.status(), this.tree.listeningAddress(), activeConnections());
	}

	/**
	 * Stops listening; live connections go on. New connects are refused until {@link #resume()}.
	 * Does nothing if already suspended.
	 * @throws IllegalStateException if the server is stopping or stopped
	 */
	public void suspend() {
		this.tree.suspend();
	}

	/**
	 * Listens again after {@link #suspend()}, on the same address (a server configured with port
	 * 0 keeps the port it was given). Does nothing if already running.
	 * @throws IOException if the address cannot be bound again
	 * @throws IllegalStateException if the server is stopping or stopped
	 */
	public void resume() throws IOException {
		this.tree.resume();
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
		boolean ownThread = this.tree.isOwnThread(Thread.currentThread());
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
		return this.tree.stopAsync(timeout);
	}

	/**
	 * Returns how many connections the stop closed without waiting for them to finish: those
	 * still open when its timeout passed, or every one for a stop with a zero timeout. Each was
	 * closed with no callback (stop reason {@code shutdown_timeout} or {@code shutdown_immediate}).
	 * Known once the stop's future has completed; 0 before a stop and when every connection
	 * finished in time. This is how a caller tells a drain that completed from one that ran out of
	 * time.
	 * @return the connections closed at the stop's deadline
	 */
	public int forcedCloses() {
		return this.tree.forcedCloses();
	}

	/**
	 * Waits until the server has stopped, for a {@code main} that has nothing else to do.
	 * @throws InterruptedException if interrupted while waiting
	 */
	public void awaitTermination() throws InterruptedException {
		try {
			this.tree.terminated().get();
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
			this.tree.terminated().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
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
		return "Server '" + this.config.name() + "' (" + status() + ", "
				+ listenerInfo().map(ServerTree::describe).orElse("not listening") + ")";
	}

	/** {@return the tree of processes under this server, for tests of the machinery} */
	ServerTree tree() {
		return this.tree;
	}

}
