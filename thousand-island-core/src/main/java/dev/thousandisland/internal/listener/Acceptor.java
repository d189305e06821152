package dev.thousandisland.internal.listener;

import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import dev.thousandisland.ServerConfig;
import dev.thousandisland.internal.connection.ConnectionSocket;
import dev.thousandisland.internal.connection.ConnectionSupervisor;
import dev.thousandisland.telemetry.Span;


/**
 * One accept loop: take a socket off the listen queue, find it room, start its connection thread,
 * accept again. It never reads from or writes to a client. Accept errors are counted and
 * survived, whatever they are (an errno from accept(2), an exception from a custom transport, an
 * Error): each emits an event, and a run of them is paced by an {@link AcceptBackoff}, so that no
 * persistent failure makes the acceptor spin or flood the log, and accepting resumes by itself
 * when the cause goes away. Only the listen socket closing ends the loop.
 */
public final class Acceptor implements Runnable {

	private static final System.Logger logger = System.getLogger(Acceptor.class.getName());

	private final ServerConfig config;

	private final ConnectionSupervisor connections;

	private final int index;

	private final ServerSocketChannel listenSocket;

	private final Span listenerSpan;

	private volatile Thread thread;

	private long accepted;

	private final AcceptBackoff backoff;

	public Acceptor(ServerConfig config, ConnectionSupervisor connections, int index, ServerSocketChannel listenSocket,
			Span listenerSpan) {
		this.config = config;
		this.connections = connections;
		this.index = index;
		this.listenSocket = listenSocket;
		this.listenerSpan = listenerSpan;
		this.backoff = new AcceptBackoff(config.maxAcceptBackoff());
	}

	public void start() {
		this.thread = Thread.ofVirtual().name(this.config.name() + "-acceptor-" + this.index).start(this);
	}

	/** Whether this acceptor's loop runs on {@code thread} (a telemetry listener may call back). */
	public boolean runsOn(Thread thread) {
		return this.thread == thread;
	}

	/**
	 * Ends a throttling pause and waits for the loop to end; the listen socket is already closed,
	 * which wakes a blocked accept. Never an interrupt: an interrupt that lands just as accept(2)
	 * returns a connection makes the JDK throw ClosedByInterruptException and drop the accepted
	 * descriptor, leaving a client connected to nothing (found by LifecycleStressTests).
	 */
	public void stop() throws InterruptedException {
		Thread thread = this.thread;
		LockSupport.unpark(thread);
		thread.join();
	}

	@Override
	public void run() {
		Map<String, Object> metadata = new HashMap<>(this.connections.spanMetadata());
		metadata.put("acceptor_id", this.index);
		Span span = this.listenerSpan.startChild("acceptor", metadata);
		while (this.listenSocket.isOpen()) {
			SocketChannel socket;
			try {
				socket = this.config.transport().accept(this.listenSocket);
			}
			catch (ClosedChannelException ex) {
				break;
			}
			catch (Throwable ex) {
				// Whatever accept throws, the loop survives it: an acceptor that died would leave a
				// server that reports RUNNING but accepts nothing.
				if (!this.listenSocket.isOpen()) {
					break;
				}
				acceptFailed(span, ex);
				continue;
			}
			if (this.backoff.failures() > 0) {
				recovered();
			}
			if (socket != null) {
				this.accepted++;
				this.connections.admit(socket, this.index, span);
			}
		}
		span.stop(Map.of("connections", this.accepted), null);
	}

	private void acceptFailed(Span span, Throwable ex) {
		AcceptError error = AcceptError.of(ex);
		span.event(error.event, Map.of(), Map.of("error", error.reason(ex)));
		long now = System.nanoTime();
		long pause = this.backoff.failed(now);
		if (this.backoff.shouldLog(now)) {
			String name = this.config.name();
			if (this.backoff.isFirstFailure()) {
				logger.log(Level.WARNING, "Server '" + name + "' failed to accept (" + error.reason(ex)
						+ "); retrying, with pauses growing to " + this.config.maxAcceptBackoff().toMillis()
						+ " ms while it keeps failing", ex);
			}
			else {
				logger.log(Level.WARNING, "Server '" + name + "' still fails to accept: " + this.backoff.failures()
						+ " failures in " + Duration.ofNanos(this.backoff.streakNanos(now)).toMillis()
						+ " ms, the last " + error.reason(ex) + "; retrying every "
						+ Duration.ofNanos(pause).toMillis() + " ms");
			}
		}
		if (pause > 0) {
			pause(pause);
		}
	}

	private void recovered() {
		long now = System.nanoTime();
		long streak = this.backoff.streakNanos(now);
		long failures = this.backoff.succeeded();
		if (failures > 1) {
			logger.log(Level.INFO, "Server '" + this.config.name() + "' accepts connections again after "
					+ failures + " failures in " + Duration.ofNanos(streak).toMillis() + " ms");
		}
	}

	private void pause(long nanos) {
		// stop() unparks: the loop condition then sees the closed listen socket. An early return
		// only costs one more accept attempt, which the back-off counts.
		long until = System.nanoTime() + nanos;
		long left = nanos;
		while (left > 0 && this.listenSocket.isOpen()) {
			LockSupport.parkNanos(left);
			left = until - System.nanoTime();
		}
	}

	/**
	 * accept(2) failures the loop survives, by the event each one emits: labels for telemetry and
	 * logs only, read from strerror's English text, so that under another locale every failure
	 * is labelled {@code accept_error}. Nothing the acceptor does depends on them.
	 */
	enum AcceptError {

		EMFILE("emfile"), ENFILE("emfile"), ECONNABORTED("econnaborted"), EINVAL("einval"), OTHER("accept_error");

		final String event;

		AcceptError(String event) {
			this.event = event;
		}

		/** The JDK reports errno only through the message, which is strerror(3)'s text in the C locale. */
		static AcceptError of(Throwable ex) {
			String message = String.valueOf(ex.getMessage());
			if (message.contains("Too many open files in system")) {
				return ENFILE;
			}
			if (message.contains("Too many open files")) {
				return EMFILE;
			}
			if (message.contains("Software caused connection abort") || message.contains("Connection aborted")) {
				return ECONNABORTED;
			}
			if (message.contains("Invalid argument")) {
				return EINVAL;
			}
			return OTHER;
		}

		String reason(Throwable ex) {
			return switch (this) {
				case EMFILE -> "emfile";
				case ENFILE -> "enfile";
				case ECONNABORTED -> "econnaborted";
				case EINVAL -> "einval";
				case OTHER -> ConnectionSocket.errorName(ex);
			};
		}

	}

}
