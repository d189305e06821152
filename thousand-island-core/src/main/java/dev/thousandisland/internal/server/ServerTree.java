package dev.thousandisland.internal.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

import dev.thousandisland.ServerConfig;
import dev.thousandisland.ServerStatus;
import dev.thousandisland.internal.connection.ConnectionLoop;
import dev.thousandisland.internal.connection.ConnectionSupervisor;
import dev.thousandisland.internal.listener.Acceptor;
import dev.thousandisland.internal.listener.Listener;
import dev.thousandisland.telemetry.Telemetry;
import dev.thousandisland.transport.Transport;

/**
 * One server's supervision tree, as Thousand Island's {@code Server} supervisor: the listener, the
 * acceptors under it, and the connection supervisor they hand sockets to. It starts them in order,
 * suspends and resumes the listening half, and runs the stop sequence that the public
 * {@code Server} documents.
 */
public final class ServerTree {

	private final ServerConfig config;

	private final Telemetry telemetry;

	private final ConnectionSupervisor connections;

	private final CompletableFuture<Void> terminated = new CompletableFuture<>();

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

	private ServerTree(ServerConfig config) throws IOException {
		this.config = config;
		this.telemetry = new Telemetry(config.telemetryListeners(), config.telemetryPayloads());
		this.connections = new ConnectionSupervisor(config, this.telemetry,
				() -> this.status == ServerStatus.RUNNING);
		this.connections.onLastConnectionEnded(() -> {
			Drain drain = this.drain;
			if (drain != null) {
				drain.drained();
			}
		});
	}

	/**
	 * Starts a tree: binds the listener and starts the acceptors.
	 * @param config the configuration, already validated
	 * @return the running tree
	 * @throws IOException if the address cannot be bound
	 */
	public static ServerTree start(ServerConfig config) throws IOException {
		ServerTree tree = new ServerTree(config);
		tree.lock.lock();
		try {
			tree.listen(config.port());
		}
		catch (IOException | RuntimeException ex) {
			tree.connections.close();
			tree.status = ServerStatus.STOPPED;
			tree.terminated.complete(null);
			throw ex;
		}
		finally {
			tree.lock.unlock();
		}
		return tree;
	}

	/** {@return where the tree is in its life} */
	public ServerStatus status() {
		return this.status;
	}

	/** {@return the live connections' supervisor} */
	public ConnectionSupervisor connections() {
		return this.connections;
	}

	/** {@return the address listened on now, or {@code null} while not listening} */
	public SocketAddress listeningAddress() {
		Listener listener = this.listener;
		return (listener != null) ? listener.localAddress() : null;
	}

	/** {@return the address listened on now or last, or {@code null} if never} */
	public SocketAddress boundAddress() {
		this.lock.lock();
		try {
			return this.boundAddress;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** {@return a copy of the future completed when the tree has stopped} */
	public CompletableFuture<Void> terminated() {
		return this.terminated.copy();
	}

	/** Closes the listener and waits for the acceptors; connections go on. */
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
	 * Listens again on the address last bound.
	 * @throws IOException if the address cannot be bound again
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
	 * {@return how many connections the stop closed without waiting for them; 0 before a stop
	 * and until its drain has run}
	 */
	public int forcedCloses() {
		Drain drain = this.drain;
		return (drain != null) ? drain.forcedCloses() : 0;
	}

	/**
	 * Runs steps 1 to 3 of the stop sequence and starts the drain, which runs steps 4 and 5.
	 * @param timeout how long connections may take to finish
	 * @return a future completed when the tree has stopped
	 */
	public CompletableFuture<Void> stopAsync(Duration timeout) {
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
			this.drain = new Drain(this.config.name(), this.connections, deadline, timeout.isZero(),
					this::drainFinished);
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
						this.connections.connectionLoops().forEach(ConnectionLoop::requestShutdown);
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
	 * Whether {@code thread} is one of this server's own: a connection's, an acceptor's or the
	 * drain's, any of which may run a handler callback or a telemetry listener.
	 * @param thread the thread
	 * @return whether the server runs it
	 */
	public boolean isOwnThread(Thread thread) {
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
		return this.connections.runsConnectionOn(thread);
	}

	/**
	 * Describes a listening address for logs and {@code toString}.
	 * @param address the address
	 * @return the description
	 */
	public static String describe(SocketAddress address) {
		return Listener.describe(address);
	}

	private void listen(int port) throws IOException {
		Listener listener = Listener.bind(this.config, port, this.telemetry, this.connections.spanMetadata());
		List<Acceptor> acceptors = new ArrayList<>();
		for (int i = 0; i < this.config.numAcceptors(); i++) {
			acceptors.add(new Acceptor(this.config, this.connections, i, listener.socketFor(i), listener.span()));
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

	/** Called by the drain when it is done, however it went: closes the pollers and completes the stop. */
	private void drainFinished() {
		try {
			this.connections.close();
		}
		finally {
			this.status = ServerStatus.STOPPED;
			this.terminated.complete(null);
		}
	}

	private void requireNotStopping(String operation) {
		if (this.stopping) {
			throw new IllegalStateException("Cannot " + operation + " server '" + this.config.name() + "': it is "
					+ this.status.name().toLowerCase());
		}
	}

}
