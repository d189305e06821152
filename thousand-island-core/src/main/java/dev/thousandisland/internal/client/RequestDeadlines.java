package dev.thousandisland.internal.client;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The timeouts of every client's requests, on one thread: a binary heap ordered by deadline, each
 * request knowing its place in it, so adding and removing cost a logarithm and never a scan. The
 * thread takes every expired request off the heap under the lock, then expires them off it, so
 * callers adding and removing are never held up by the work a timeout does.
 *
 * <p>It replaces {@code CompletableFuture.orTimeout}, whose timer built a {@code TimeoutException}
 * with its stack trace for every request and ran, on the JDK's single delay thread, the chain of
 * callbacks that turned it into the client's exception: at 100,000 queued requests the last one
 * ended seconds after its deadline.
 */
final class RequestDeadlines {

	private static final System.Logger logger = System.getLogger(RequestDeadlines.class.getName());

	/** Longest timeout honoured; longer ones saturate here (73 years), so deadlines never overflow. */
	static final long MAX_TIMEOUT_NANOS = Long.MAX_VALUE / 4;

	private static final RequestDeadlines shared = new RequestDeadlines();

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private PendingRequest[] heap = new PendingRequest[64];

	private int size;

	private Thread thread;

	static RequestDeadlines shared() {
		return shared;
	}

	/** Watches {@code request}, whose {@link PendingRequest#deadline} is set. */
	void add(PendingRequest request) {
		this.lock.lock();
		try {
			if (this.size == this.heap.length) {
				this.heap = Arrays.copyOf(this.heap, this.size * 2);
			}
			this.heap[this.size] = request;
			request.heapIndex = this.size;
			this.size++;
			up(this.size - 1);
			if (request.heapIndex == 0) {
				if (this.thread == null) {
					this.thread = Thread.ofPlatform().daemon().name("thousand-island-client-deadlines").start(this::run);
				}
				this.changed.signal();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Stops watching a request that ended before its deadline. */
	void remove(PendingRequest request) {
		if (request.heapIndex < 0) {
			return;
		}
		this.lock.lock();
		try {
			int index = request.heapIndex;
			if (index < 0 || index >= this.size || this.heap[index] != request) {
				return;
			}
			request.heapIndex = -1;
			this.size--;
			PendingRequest last = this.heap[this.size];
			this.heap[this.size] = null;
			if (index < this.size) {
				this.heap[index] = last;
				last.heapIndex = index;
				down(index);
				up(last.heapIndex);
			}
			if (this.size == 0 && this.heap.length > 1024) {
				this.heap = new PendingRequest[64];
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private void run() {
		List<PendingRequest> expired = new ArrayList<>();
		while (true) {
			takeExpired(expired);
			for (int from = 0; from < expired.size();) {
				from = expired.get(from).inbox().forgetExpired(expired, from);
			}
			for (PendingRequest request : expired) {
				try {
					request.expire();
				}
				catch (RuntimeException | Error ex) {
					// One request's failure must not end the thread every client's deadlines depend on.
					logger.log(Level.ERROR, "Expiring a client request failed", ex);
				}
			}
			expired.clear();
		}
	}

	/** Waits until at least one deadline passed, then moves every passed one into {@code into}. */
	private void takeExpired(List<PendingRequest> into) {
		this.lock.lock();
		try {
			while (true) {
				long now = System.nanoTime();
				while (this.size > 0 && this.heap[0].deadline - now <= 0) {
					PendingRequest first = this.heap[0];
					remove(first);
					into.add(first);
				}
				if (!into.isEmpty()) {
					return;
				}
				if (this.size == 0) {
					this.changed.awaitUninterruptibly();
				}
				else {
					try {
						this.changed.awaitNanos(this.heap[0].deadline - now);
					}
					catch (InterruptedException ex) {
						// The thread is the JVM's for its lifetime: nothing interrupts it on purpose.
					}
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private void up(int index) {
		PendingRequest moving = this.heap[index];
		while (index > 0) {
			int parent = (index - 1) >>> 1;
			PendingRequest above = this.heap[parent];
			if (above.deadline - moving.deadline <= 0) {
				break;
			}
			place(above, index);
			index = parent;
		}
		place(moving, index);
	}

	private void down(int index) {
		PendingRequest moving = this.heap[index];
		int half = this.size >>> 1;
		while (index < half) {
			int child = 2 * index + 1;
			int right = child + 1;
			if (right < this.size && this.heap[right].deadline - this.heap[child].deadline < 0) {
				child = right;
			}
			if (moving.deadline - this.heap[child].deadline <= 0) {
				break;
			}
			place(this.heap[child], index);
			index = child;
		}
		place(moving, index);
	}

	private void place(PendingRequest request, int index) {
		this.heap[index] = request;
		request.heapIndex = index;
	}

}
