package dev.thousandisland;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * Watches waiting connections for readiness and wakes their threads: the server's one place that
 * blocks in epoll. A connection that waits for data parks its virtual thread here instead of in a
 * blocking read, so that it can also be woken by its mailbox, and so that it holds no buffer
 * while it waits (the buffer a parked read would hold is most of an idle connection's cost).
 *
 * <p>Interest is one-shot, like Thousand Island's {@code active: :once}: when a socket is
 * reported ready, its interest is cleared, so the poller never spins on a socket whose
 * connection is busy in a callback; the connection re-arms it when it waits again.
 */
final class Poller {

	private static final System.Logger logger = System.getLogger(Poller.class.getName());

	private final Selector selector;

	private final Thread thread;

	Poller(String name) throws IOException {
		this.selector = Selector.open();
		// A platform thread: it spends its life in epoll_wait, which would pin a carrier.
		this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
		this.thread.start();
	}

	/**
	 * Registers a connection's socket, with no interest yet.
	 * @param socket the socket, already non-blocking
	 * @param owner the connection's thread, woken when the socket is readable
	 * @return the connection's readiness
	 */
	SocketReadiness register(SocketChannel socket, Thread owner) throws IOException {
		SocketReadiness readiness = new SocketReadiness(this, owner);
		try {
			readiness.attach(socket.register(this.selector, 0, readiness));
		}
		catch (ClosedSelectorException ex) {
			throw new ClosedChannelException();
		}
		return readiness;
	}

	void arm(SelectionKey key, int ops) throws ClosedChannelException {
		try {
			key.interestOpsOr(ops);
		}
		catch (CancelledKeyException | ClosedSelectorException ex) {
			throw new ClosedChannelException();
		}
		// The selector only sees new interest on its next select; wake it. Wakeups coalesce
		// until that select, so a busy poller pays for one, not one per connection.
		this.selector.wakeup();
	}

	/** Wakes the selector so that it releases the descriptors of sockets closed meanwhile. */
	void wakeup() {
		this.selector.wakeup();
	}

	void close() {
		try {
			this.selector.close();
		}
		catch (IOException ex) {
			logger.log(Level.DEBUG, "Closing a poller's selector failed", ex);
		}
	}

	private void run() {
		while (this.selector.isOpen()) {
			try {
				this.selector.select(this::dispatch);
			}
			catch (ClosedSelectorException ex) {
				return;
			}
			catch (IOException | RuntimeException ex) {
				logger.log(Level.ERROR, "Poller " + this.thread.getName() + " failed to select; retrying", ex);
			}
		}
	}

	private void dispatch(SelectionKey key) {
		int ready;
		try {
			ready = key.readyOps();
			key.interestOpsAnd(~ready);
		}
		catch (CancelledKeyException ex) {
			ready = SelectionKey.OP_READ | SelectionKey.OP_WRITE;
		}
		((SocketReadiness) key.attachment()).ready(ready);
	}

}
