package dev.thousandisland;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Map;

import dev.thousandisland.telemetry.Span;

/**
 * One accept loop: take a socket off the listen queue, find it room, start its connection thread,
 * accept again. It never reads from or writes to a client. Accept errors are counted and
 * survived: running out of descriptors backs off 100 ms instead of spinning, transient errno
 * failures retry at once, and anything else (an exception from a custom transport, an Error) backs
 * off 100 ms and retries. Only the listen socket closing ends the loop.
 */
final class Acceptor implements Runnable {

	private static final System.Logger logger = System.getLogger(Acceptor.class.getName());

	static final long EMFILE_BACKOFF_MILLIS = 100;

	private final Server server;

	private final int index;

	private final ServerSocketChannel listenSocket;

	private final Span listenerSpan;

	private final ConnectionSet connectionSet;

	private volatile Thread thread;

	private long connections;

	Acceptor(Server server, int index, ServerSocketChannel listenSocket, Span listenerSpan,
			ConnectionSet connectionSet) {
		this.server = server;
		this.index = index;
		this.listenSocket = listenSocket;
		this.listenerSpan = listenerSpan;
		this.connectionSet = connectionSet;
	}

	void start() {
		this.thread = Thread.ofVirtual().name(this.server.config().name() + "-acceptor-" + this.index).start(this);
	}

	/** Whether this acceptor's loop runs on {@code thread} (a telemetry listener may call back). */
	boolean runsOn(Thread thread) {
		return this.thread == thread;
	}

	/** Interrupts a throttling wait and waits for the loop to end; the listen socket is already closed. */
	void stop() throws InterruptedException {
		Thread thread = this.thread;
		thread.interrupt();
		thread.join();
	}

	@Override
	public void run() {
		Map<String, Object> metadata = new HashMap<>(this.server.spanMetadata());
		metadata.put("acceptor_id", this.index);
		Span span = this.listenerSpan.startChild("acceptor", metadata);
		boolean inDescriptorShortage = false;
		while (this.listenSocket.isOpen()) {
			SocketChannel socket;
			try {
				socket = this.server.config().transport().accept(this.listenSocket);
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
				inDescriptorShortage = acceptFailed(span, ex, inDescriptorShortage);
				continue;
			}
			if (inDescriptorShortage) {
				logger.log(Level.INFO, "Server '" + this.server.config().name() + "' accepts connections again");
				inDescriptorShortage = false;
			}
			if (socket != null) {
				this.connections++;
				this.server.admit(socket, this.connectionSet, span);
			}
		}
		span.stop(Map.of("connections", this.connections), null);
	}

	private boolean acceptFailed(Span span, Throwable ex, boolean inDescriptorShortage) {
		AcceptError error = AcceptError.of(ex);
		span.event(error.event, Map.of(), Map.of("error", error.reason(ex)));
		if (error == AcceptError.EMFILE || error == AcceptError.ENFILE) {
			if (!inDescriptorShortage) {
				logger.log(Level.WARNING, "Server '" + this.server.config().name() + "' ran out of file descriptors ("
						+ ex.getMessage() + "); backing off " + EMFILE_BACKOFF_MILLIS
						+ " ms between accepts until some are free");
			}
			backOff();
			return true;
		}
		if (error == AcceptError.OTHER) {
			logger.log(Level.WARNING, "Server '" + this.server.config().name() + "' failed to accept; retrying", ex);
			if (!(ex instanceof IOException)) {
				// Not an errno from accept(2) but a failure of our own (or an Error): it may well
				// repeat at once, so back off rather than spin.
				backOff();
			}
		}
		return inDescriptorShortage;
	}

	private static void backOff() {
		try {
			Thread.sleep(EMFILE_BACKOFF_MILLIS);
		}
		catch (InterruptedException interrupted) {
			// Stopping: the loop condition sees the closed listen socket.
		}
	}

	/** accept(2) failures the loop survives, by the event each one emits. */
	enum AcceptError {

		EMFILE("emfile"), ENFILE("emfile"), ECONNABORTED("econnaborted"), EINVAL("einval"), OTHER("accept_error");

		final String event;

		AcceptError(String event) {
			this.event = event;
		}

		/** The JDK reports errno only through the message, which is strerror(3)'s text. */
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
