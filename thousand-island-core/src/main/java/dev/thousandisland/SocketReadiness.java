package dev.thousandisland;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.util.concurrent.locks.LockSupport;

import dev.thousandisland.transport.Readiness;

/**
 * One connection's registration with its {@link Poller}: who to wake when its socket becomes
 * readable (always the connection's own thread, the only reader) or writable (whichever thread
 * is sending; sends are serialised, so there is at most one).
 */
final class SocketReadiness implements Readiness {

	private final Poller poller;

	private final Thread owner;

	private SelectionKey key;

	private volatile Thread writer;

	private volatile boolean readable;

	private volatile boolean writable;

	private volatile boolean closed;

	/** Whether read interest is armed and not yet reported. Touched by the owner only. */
	private boolean readArmed;

	SocketReadiness(Poller poller, Thread owner) {
		this.poller = poller;
		this.owner = owner;
	}

	void attach(SelectionKey key) {
		this.key = key;
	}

	/** Called by the poller with the operations that became ready. */
	void ready(int ops) {
		if ((ops & SelectionKey.OP_READ) != 0) {
			this.readable = true;
			LockSupport.unpark(this.owner);
		}
		if ((ops & SelectionKey.OP_WRITE) != 0) {
			this.writable = true;
			Thread waiting = this.writer;
			if (waiting != null) {
				LockSupport.unpark(waiting);
			}
		}
	}

	/**
	 * Consumes a readability report, if there is one. Owner only.
	 * @return whether the socket was reported readable since read interest was armed
	 */
	boolean takeReadable() {
		if (this.readable) {
			this.readable = false;
			this.readArmed = false;
			return true;
		}
		return false;
	}

	/** Asks the poller to report readability, unless it already will. Owner only. */
	void armRead() throws ClosedChannelException {
		if (!this.readArmed) {
			this.readArmed = true;
			this.poller.arm(this.key, SelectionKey.OP_READ);
		}
	}

	@Override
	public void awaitReadable(long deadline) throws IOException {
		while (!takeReadable()) {
			checkOpen();
			armRead();
			park(deadline, "read");
		}
	}

	@Override
	public void awaitWritable(long deadline) throws IOException {
		this.writer = Thread.currentThread();
		try {
			this.writable = false;
			checkOpen();
			this.poller.arm(this.key, SelectionKey.OP_WRITE);
			while (!this.writable) {
				checkOpen();
				park(deadline, "write");
			}
		}
		finally {
			this.writer = null;
		}
	}

	boolean isClosed() {
		return this.closed;
	}

	/** Wakes every waiter for good: the connection closed. */
	void close() {
		this.closed = true;
		LockSupport.unpark(this.owner);
		Thread waiting = this.writer;
		if (waiting != null) {
			LockSupport.unpark(waiting);
		}
		this.poller.wakeup();
	}

	private void checkOpen() throws ClosedChannelException {
		if (this.closed) {
			throw new ClosedChannelException();
		}
	}

	private static void park(long deadline, String operation) throws IOException {
		long remaining = deadline - System.nanoTime();
		if (remaining <= 0) {
			throw new SocketTimeoutException("Timed out waiting to " + operation);
		}
		LockSupport.parkNanos(remaining);
		if (Thread.interrupted()) {
			throw new InterruptedIOException("Interrupted while waiting to " + operation);
		}
	}

}
