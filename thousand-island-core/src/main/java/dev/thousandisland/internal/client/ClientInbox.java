package dev.thousandisland.internal.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import dev.thousandisland.client.ClientState;
import dev.thousandisland.client.NotConnectedException;
import dev.thousandisland.client.QueueFullException;

/**
 * Everything other threads hand a client's thread: requests to write, messages for the handler,
 * and the client's state, which decides whether a request is taken at all. One lock makes "is
 * the client accepting?" and "queue the request" one step, so a request never slips in after the
 * client failed or stopped and waits for a thread that will not come.
 */
final class ClientInbox {

	private final ReentrantLock lock = new ReentrantLock();

	/*
	 * Insertion-ordered sets, not deques: a request that times out or is cancelled while queued is
	 * removed in constant time, where a deque's removal scans past everything ahead of it (100,000
	 * queued requests made that quadratic, under the lock every caller needs).
	 */
	private final LinkedHashSet<PendingRequest> requests = new LinkedHashSet<>();

	/** Requests the handler made from {@code handleConnection}: they go out first. */
	private final LinkedHashSet<PendingRequest> greetings = new LinkedHashSet<>();

	private final ArrayDeque<Object> messages = new ArrayDeque<>();

	/** Requests taken and not completed yet, queued or in flight: what {@code queueSize} bounds. */
	private final AtomicInteger held = new AtomicInteger();

	private final int queueSize;

	private final Runnable wakeup;

	private volatile ClientState state = ClientState.NEW;

	private volatile Throwable lastConnectError;

	ClientInbox(int queueSize, Runnable wakeup) {
		this.queueSize = queueSize;
		this.wakeup = wakeup;
	}

	ClientState state() {
		return this.state;
	}

	int held() {
		return this.held.get();
	}

	int queued() {
		this.lock.lock();
		try {
			return this.requests.size() + this.greetings.size();
		}
		finally {
			this.lock.unlock();
		}
	}

	void lastConnectError(Throwable error) {
		this.lastConnectError = error;
	}

	Throwable lastConnectError() {
		return this.lastConnectError;
	}

	/** Takes a request, or refuses it with the reason a caller can act on. */
	void offer(PendingRequest request, boolean greeting) throws NotConnectedException, QueueFullException {
		boolean connected;
		this.lock.lock();
		try {
			ClientState current = this.state;
			switch (current) {
				case FAILED -> throw new NotConnectedException("The client gave up connecting after backoff.maxAttempts "
						+ "failed attempts; start a new client to try again", this.lastConnectError);
				case STOPPING, STOPPED -> throw new NotConnectedException("The client is " + current.name().toLowerCase()
						+ "; requests are no longer taken", null);
				default -> {
				}
			}
			if (current != ClientState.CONNECTED && this.queueSize == 0) {
				throw new NotConnectedException("The client is " + current.name().toLowerCase()
						+ " and queueSize is 0, so requests are not queued while it connects", this.lastConnectError);
			}
			int bound = (this.queueSize == 0) ? Integer.MAX_VALUE : this.queueSize;
			if (this.held.get() >= bound) {
				throw new QueueFullException("The client already holds " + bound
						+ " requests (queueSize) waiting to be written or answered");
			}
			this.held.incrementAndGet();
			request.holdsSlot = true;
			(greeting ? this.greetings : this.requests).add(request);
			connected = current == ClientState.CONNECTED;
		}
		finally {
			this.lock.unlock();
		}
		// Only a connected client's thread has anything to do with a new request; woken for each of
		// 100,000 requests queued during an outage, it competed for the lock and the cores with the
		// timeouts. A connection that starts takes what was queued (its state is set under this lock).
		if (connected) {
			this.wakeup.run();
		}
	}

	/**
	 * Forgets a request that ended before it was written (timed out or cancelled), so a long
	 * outage cannot pile them up; returns whether it was still queued, so never written.
	 */
	boolean forget(PendingRequest request) {
		this.lock.lock();
		try {
			return this.requests.remove(request) || this.greetings.remove(request);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Forgets, under one lock, the requests of {@code expired} from {@code from} on that belong to
	 * this inbox and are still queued; returns the index of the first that does not belong here.
	 * The deadlines' thread takes the lock once per batch rather than once per request, so 100,000
	 * requests timing out together do not fight the callers still queueing for it 100,000 times.
	 */
	int forgetExpired(List<PendingRequest> expired, int from) {
		int index = from;
		this.lock.lock();
		try {
			while (index < expired.size() && expired.get(index).inbox() == this) {
				PendingRequest request = expired.get(index);
				if (this.requests.remove(request) || this.greetings.remove(request)) {
					request.withdrawn = true;
				}
				index++;
			}
		}
		finally {
			this.lock.unlock();
		}
		return index;
	}

	/** A request that held a slot ended: the slot is free for the next. */
	void release() {
		this.held.decrementAndGet();
	}

	void tell(Object message) {
		this.lock.lock();
		try {
			this.messages.add(message);
		}
		finally {
			this.lock.unlock();
		}
		this.wakeup.run();
	}

	/** Moves every waiting request into {@code into}, greetings first. */
	void drainRequests(List<PendingRequest> into) {
		this.lock.lock();
		try {
			into.addAll(this.greetings);
			this.greetings.clear();
			into.addAll(this.requests);
			this.requests.clear();
		}
		finally {
			this.lock.unlock();
		}
	}

	boolean hasRequests() {
		this.lock.lock();
		try {
			return !this.requests.isEmpty() || !this.greetings.isEmpty();
		}
		finally {
			this.lock.unlock();
		}
	}

	Object pollMessage() {
		this.lock.lock();
		try {
			return this.messages.poll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Sets the state; entering a state that takes no requests hands back the requests still
	 * waiting, for the caller to fail.
	 */
	List<PendingRequest> moveTo(ClientState next) {
		this.lock.lock();
		try {
			if (this.state == ClientState.STOPPED
					|| (this.state == ClientState.STOPPING && next != ClientState.STOPPED)) {
				return List.of();
			}
			this.state = next;
			if (next == ClientState.FAILED || next == ClientState.STOPPED) {
				List<PendingRequest> left = new ArrayList<>();
				drainRequests(left);
				return left;
			}
			return List.of();
		}
		finally {
			this.lock.unlock();
		}
	}

}
