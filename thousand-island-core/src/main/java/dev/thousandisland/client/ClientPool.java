package dev.thousandisland.client;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.thousandisland.InvalidOptionException;

/**
 * N client connections to the same server behind one object: poolboy's pool of workers, each
 * member a {@link ClientConnection} with its own thread, queue and reconnect loop.
 *
 * <ul>
 * <li>{@link #request} and {@link #requestAsync} go to the connected member with the fewest
 * outstanding requests; when none is connected, to the one with the fewest queued, where they
 * wait like any request while it connects. A member that dropped reconnects in the background
 * and takes requests again once connected. When every member is borrowed, they wait for one to
 * be given back, within their own timeout.
 * <li>{@link #borrow} hands one member to one caller until the {@link Lease} is closed (poolboy's
 * checkout and checkin): for protocols with connection state, such as a transaction or a
 * {@code SELECT}ed database. A borrowed member takes no pooled requests.
 * </ul>
 */
public final class ClientPool implements AutoCloseable {

	private final List<ClientConnection> members;

	private final boolean[] borrowed;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition returned = this.lock.newCondition();

	private final Duration requestTimeout;

	private ClientPool(List<ClientConnection> members, Duration requestTimeout) {
		this.members = List.copyOf(members);
		this.borrowed = new boolean[members.size()];
		this.requestTimeout = requestTimeout;
	}

	/**
	 * Starts {@code size} members, each with {@code config} and named {@code <name>-<index>}; they
	 * connect in the background and this returns at once.
	 * @param config the members' configuration
	 * @param size how many members, at least 1
	 * @return the pool
	 */
	public static ClientPool start(ClientConfig config, int size) {
		if (size < 1) {
			throw new InvalidOptionException("poolSize", size, "must be at least 1");
		}
		List<ClientConnection> members = new ArrayList<>();
		for (int i = 0; i < size; i++) {
			members.add(ClientConnection.start(config.withName(config.name() + "-" + i)));
		}
		return new ClientPool(members, config.requestTimeout());
	}

	/**
	 * Sends a request through the least busy member with the members'
	 * {@link ClientConfig#requestTimeout()} and waits for its reply, as
	 * {@link ClientConnection#request(ByteBuffer)}.
	 * @param payload the request's bytes
	 * @return the reply's payload
	 * @throws RequestFailedException if there is no reply, and why
	 * @throws InterruptedException if interrupted while waiting
	 */
	public ByteBuffer request(ByteBuffer payload) throws RequestFailedException, InterruptedException {
		return request(payload, this.requestTimeout);
	}

	/**
	 * Sends a request through the least busy member and waits for its reply, as
	 * {@link ClientConnection#request(ByteBuffer, Duration)}. When every member is borrowed it
	 * first waits for one to be given back; that wait counts against {@code timeout}.
	 * @param payload the request's bytes
	 * @param timeout the longest wait, for a free member and the reply together
	 * @return the reply's payload
	 * @throws RequestFailedException if there is no reply, and why: a
	 * {@link RequestTimeoutException} (not written) when every member stayed borrowed
	 * @throws InterruptedException if interrupted while waiting
	 */
	public ByteBuffer request(ByteBuffer payload, Duration timeout) throws RequestFailedException, InterruptedException {
		ClientConfig.requirePositive("timeout", timeout);
		long start = System.nanoTime();
		ClientConnection member = this.members.get(awaitFree(timeout, false));
		return member.request(payload, left(timeout, start));
	}

	/**
	 * Sends a request through the least busy member with the members'
	 * {@link ClientConfig#requestTimeout()} without waiting, as
	 * {@link ClientConnection#requestAsync(ByteBuffer)}.
	 * @param payload the request's bytes
	 * @return the reply's future
	 */
	public CompletableFuture<ByteBuffer> requestAsync(ByteBuffer payload) {
		return requestAsync(payload, this.requestTimeout);
	}

	/**
	 * Sends a request through the least busy member without waiting, as
	 * {@link ClientConnection#requestAsync(ByteBuffer, Duration)}. When every member is borrowed,
	 * a virtual thread waits for one to be given back, within {@code timeout}; cancelling the
	 * future ends that wait.
	 * @param payload the request's bytes
	 * @param timeout the longest wait, for a free member and the reply together
	 * @return the reply's future, failing with a {@link RequestTimeoutException} (not written)
	 * when every member stayed borrowed
	 */
	public CompletableFuture<ByteBuffer> requestAsync(ByteBuffer payload, Duration timeout) {
		ClientConfig.requirePositive("timeout", timeout);
		Optional<ClientConnection> free = freeNow();
		if (free.isPresent()) {
			return free.get().requestAsync(payload, timeout);
		}
		CompletableFuture<ByteBuffer> reply = new CompletableFuture<>();
		long start = System.nanoTime();
		Thread waiter = Thread.ofVirtual().name("client-pool-wait").start(() -> {
			try {
				ClientConnection member = this.members.get(awaitFree(timeout, false));
				if (!reply.isDone()) {
					forward(member.requestAsync(payload, left(timeout, start)), reply);
				}
			}
			catch (RequestTimeoutException ex) {
				reply.completeExceptionally(ex);
			}
			catch (InterruptedException ex) {
				// Only the caller's cancel interrupts this thread: the future is already done.
				reply.completeExceptionally(ex);
			}
		});
		reply.whenComplete((value, failure) -> {
			if (reply.isCancelled()) {
				waiter.interrupt();
			}
		});
		return reply;
	}

	/**
	 * Takes one member for the caller alone, waiting up to {@code timeout} for one that is not
	 * borrowed; a connected member is preferred. Close the lease to give it back.
	 * @param timeout the longest wait for a free member
	 * @return the lease
	 * @throws RequestTimeoutException if every member stayed borrowed for {@code timeout}
	 * @throws InterruptedException if interrupted while waiting
	 */
	public Lease borrow(Duration timeout) throws RequestTimeoutException, InterruptedException {
		return new Lease(awaitFree(timeout, true));
	}

	/**
	 * Runs {@code work} with a borrowed member and gives it back, whatever {@code work} does.
	 * @param timeout the longest wait for a free member
	 * @param work what to do with the member
	 * @param <T> what the work returns
	 * @return what the work returned
	 * @throws Exception what borrowing or the work threw
	 */
	public <T> T withConnection(Duration timeout, LeaseWork<T> work) throws Exception {
		try (Lease lease = borrow(timeout)) {
			return work.run(lease.client());
		}
	}

	/**
	 * Returns the members, in the order they were started.
	 * @return the members
	 */
	public List<ClientConnection> members() {
		return this.members;
	}

	/**
	 * Returns how many members are connected now.
	 * @return the count
	 */
	public int connected() {
		return (int) this.members.stream().filter(ClientConnection::isConnected).count();
	}

	/**
	 * Stops every member at once, with one deadline for all.
	 * @param timeout how long outstanding requests may take
	 * @return whether every member drained in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean stop(Duration timeout) throws InterruptedException {
		List<Thread> stoppers = new ArrayList<>();
		boolean[] clean = new boolean[this.members.size()];
		for (int i = 0; i < this.members.size(); i++) {
			int index = i;
			stoppers.add(Thread.ofVirtual().start(() -> {
				try {
					clean[index] = this.members.get(index).stop(timeout);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}));
		}
		boolean all = true;
		for (int i = 0; i < stoppers.size(); i++) {
			stoppers.get(i).join();
			all &= clean[i];
		}
		return all;
	}

	/** Stops every member, with the members' request timeout as the deadline. */
	@Override
	public void close() {
		try {
			stop(this.requestTimeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private Optional<ClientConnection> freeNow() {
		this.lock.lock();
		try {
			return leastBusy().map(this.members::get);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Waits up to {@code timeout} for a member that is not borrowed and returns its index,
	 * marking it borrowed when {@code borrow} is set.
	 */
	private int awaitFree(Duration timeout, boolean borrow) throws RequestTimeoutException, InterruptedException {
		// Durations past Long.MAX_VALUE nanoseconds (about 292 years) wait as long as that.
		long remaining = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE
				: timeout.toNanos();
		this.lock.lockInterruptibly();
		try {
			while (true) {
				Optional<Integer> free = leastBusy();
				if (free.isPresent()) {
					this.borrowed[free.get()] |= borrow;
					return free.get();
				}
				if (remaining <= 0) {
					throw new RequestTimeoutException("All " + this.members.size() + " members of the pool stayed "
							+ "borrowed for " + timeout + "; return leases sooner or grow the pool", false);
				}
				remaining = this.returned.awaitNanos(remaining);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** What is left of {@code timeout} since {@code start}; at least a nanosecond, so the member decides. */
	private static Duration left(Duration timeout, long start) {
		Duration left = timeout.minusNanos(System.nanoTime() - start);
		return left.isNegative() || left.isZero() ? Duration.ofNanos(1) : left;
	}

	private static void forward(CompletableFuture<ByteBuffer> sent, CompletableFuture<ByteBuffer> reply) {
		sent.whenComplete((value, failure) -> {
			if (failure != null) {
				reply.completeExceptionally(failure);
			}
			else {
				reply.complete(value);
			}
		});
		reply.whenComplete((value, failure) -> {
			if (reply.isCancelled()) {
				sent.cancel(true);
			}
		});
	}

	/** The free member with the fewest outstanding requests, connected ones first; under the lock. */
	private Optional<Integer> leastBusy() {
		Comparator<Integer> order = Comparator
			.<Integer, Boolean>comparing((index) -> !this.members.get(index).isConnected())
			.thenComparingInt((index) -> this.members.get(index).outstanding());
		List<Integer> free = new ArrayList<>();
		for (int i = 0; i < this.members.size(); i++) {
			if (!this.borrowed[i]) {
				free.add(i);
			}
		}
		return free.stream().min(order);
	}

	private void giveBack(int index) {
		this.lock.lock();
		try {
			this.borrowed[index] = false;
			// Pooled requests wait here too without taking the member: wake them all, so a waiting
			// borrower is never left asleep behind a pooled request that took the signal.
			this.returned.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * What {@link #withConnection} runs with a borrowed member.
	 * @param <T> what it returns
	 */
	@FunctionalInterface
	public interface LeaseWork<T> {

		/**
		 * Does the work.
		 * @param client the borrowed member, for this caller alone until the work returns
		 * @return the result
		 * @throws Exception anything; the member is given back all the same
		 */
		T run(ClientConnection client) throws Exception;

	}

	/**
	 * One member borrowed from the pool until {@link #close()}.
	 */
	public final class Lease implements AutoCloseable {

		private final int index;

		private boolean closed;

		private Lease(int index) {
			this.index = index;
		}

		/**
		 * Returns the borrowed member.
		 * @return the member
		 */
		public ClientConnection client() {
			return ClientPool.this.members.get(this.index);
		}

		/** Gives the member back to the pool; a second call does nothing. */
		@Override
		public void close() {
			if (!this.closed) {
				this.closed = true;
				giveBack(this.index);
			}
		}

	}

}
