package dev.thousandisland.client;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import dev.thousandisland.InvalidOptionException;
import dev.thousandisland.internal.client.PoolMember;
import dev.thousandisland.internal.client.PoolMembers;

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
 *
 * <p>A pool started with a {@link PoolSize#growing growing} {@link PoolSize} starts its
 * {@code minSize} members. When a request or a borrower finds no member that is connected, not
 * borrowed and without outstanding requests, the pool starts one more (connecting in the
 * background, one at a time, only while every member is connected, never past {@code maxSize})
 * and the caller takes the first member that gets room or the new one once connected (after
 * 100 ms without a connect, a request goes to the least busy member as in a fixed pool). The pool
 * stops, gracefully, the members above {@code minSize} that had no request and were not borrowed
 * for {@code idleTimeout}. Members are named {@code <name>-<index>}; a new member takes the
 * lowest index that no open member holds. After {@link #stop} a pool with no member left throws
 * {@link IllegalStateException} for a request or a borrow.
 */
public final class ClientPool implements AutoCloseable {

	private final PoolMembers members;

	private final Duration requestTimeout;

	/** Whether members may be stopped for idleness, so that a request must say when it ended. */
	private final boolean grows;

	private ClientPool(PoolMembers members, Duration requestTimeout, boolean grows) {
		this.members = members;
		this.requestTimeout = requestTimeout;
		this.grows = grows;
	}

	/**
	 * Starts {@code size} members, each with {@code config} and named {@code <name>-<index>}; they
	 * connect in the background and this returns at once.
	 * @param config the members' configuration
	 * @param size how many members, at least 1
	 * @return the pool
	 * @throws InvalidOptionException (option {@code poolSize}) if {@code size} is below 1
	 */
	public static ClientPool start(ClientConfig config, int size) {
		return start(config, PoolSize.fixed(size));
	}

	/**
	 * Starts a pool of {@code size.minSize()} members, each with {@code config} and named
	 * {@code <name>-<index>}, that grows to {@code size.maxSize()} under load and stops members
	 * idle for {@code size.idleTimeout()}; they connect in the background and this returns at once.
	 * @param config the members' configuration
	 * @param size how many members: {@link PoolSize#fixed} or {@link PoolSize#growing}
	 * @return the pool
	 */
	public static ClientPool start(ClientConfig config, PoolSize size) {
		return new ClientPool(new PoolMembers(config, size), config.requestTimeout(), size.grows());
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
		PoolMember member = this.members.take(timeout, false);
		try {
			return member.client().request(payload, left(timeout, start));
		}
		finally {
			this.members.used(member);
		}
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
		Optional<PoolMember> free;
		try {
			free = this.members.takeNow();
		}
		catch (IllegalStateException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		if (free.isPresent()) {
			return send(free.get(), payload, timeout);
		}
		CompletableFuture<ByteBuffer> reply = new CompletableFuture<>();
		long start = System.nanoTime();
		Thread waiter = Thread.ofVirtual().name("client-pool-wait").start(() -> {
			try {
				PoolMember member = this.members.take(timeout, false);
				if (!reply.isDone()) {
					forward(send(member, payload, left(timeout, start)), reply);
				}
				else {
					this.members.used(member);
				}
			}
			catch (RequestTimeoutException | RuntimeException ex) {
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
		return new Lease(this.members.take(timeout, true));
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
	 * Returns the members open now, by index: a snapshot, which a growing pool's later growth or
	 * idle stops do not change.
	 * @return the members
	 */
	public List<ClientConnection> members() {
		return this.members.clients();
	}

	/**
	 * Returns how many members are connected now.
	 * @return the count
	 */
	public int connected() {
		return (int) members().stream().filter(ClientConnection::isConnected).count();
	}

	/**
	 * Stops every member at once, with one deadline for all.
	 * @param timeout how long outstanding requests may take
	 * @return whether every member drained in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean stop(Duration timeout) throws InterruptedException {
		return this.members.stop(timeout);
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

	/** Sends through a member taken for a request, which is released when the request ends. */
	private CompletableFuture<ByteBuffer> send(PoolMember member, ByteBuffer payload, Duration timeout) {
		CompletableFuture<ByteBuffer> sent;
		try {
			sent = member.client().requestAsync(payload, timeout);
		}
		catch (RuntimeException ex) {
			this.members.used(member);
			throw ex;
		}
		if (this.grows) {
			// The member is idle only once the reply came: a growing pool must not stop it before.
			sent.whenComplete((value, failure) -> this.members.used(member));
		}
		else {
			this.members.used(member);
		}
		return sent;
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

		private final PoolMember member;

		private boolean closed;

		private Lease(PoolMember member) {
			this.member = member;
		}

		/**
		 * Returns the borrowed member.
		 * @return the member
		 */
		public ClientConnection client() {
			return this.member.client();
		}

		/** Gives the member back to the pool; a second call does nothing. */
		@Override
		public void close() {
			if (!this.closed) {
				this.closed = true;
				ClientPool.this.members.giveBack(this.member);
			}
		}

	}

}
