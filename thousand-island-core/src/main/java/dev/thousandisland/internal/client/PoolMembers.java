package dev.thousandisland.internal.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.PoolSize;
import dev.thousandisland.client.RequestTimeoutException;

/**
 * The members of a client pool: which are live, which are borrowed, which one a request or a
 * borrower gets, when one more is started and when an idle one is stopped. Not API.
 *
 * <p>A member <em>has room</em> when it is connected, not borrowed and holds no request. A take
 * that finds none with room starts one more, up to {@code maxSize}, and waits for the first member
 * that gets room or for the new one to connect (at most {@link #JOIN_WAIT_NANOS}): a request
 * should not wait behind another's reply (a slow command, a {@code BLPOP}) while the pool may
 * open a connection of its own for it, as with Jedis. Past {@code maxSize}, requests share
 * members by pipelining, as in a fixed pool. The pool grows only while every live member is
 * connected: one connect at a time, and none against a peer that is down or refusing.
 *
 * <p>A member stopped for idleness keeps its index (its name is {@code <name>-<index>}) and counts
 * against {@code maxSize} until its stop has ended; a new member takes the lowest free index.
 */
public final class PoolMembers {

	/**
	 * How long takes wait for a member started by growth to connect, rather than pipeline behind a
	 * busy member: a connect over loopback or a LAN takes about a millisecond, and one that takes
	 * longer should not hold requests that a connected member can serve.
	 */
	static final long JOIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	/** How often a waiting take looks at a joining member again: connects are not announced. */
	private static final long JOIN_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

	/** How often a take waiting for a borrowed member looks again at whether the pool may grow. */
	private static final long GROWTH_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

	private final ClientConfig config;

	private final PoolSize size;

	private final ReentrantLock lock = new ReentrantLock();

	/** Signalled when a member is given back, stopped for idleness, or the pool stops. */
	private final Condition changed = this.lock.newCondition();

	/** Live members by ascending index; under the lock. */
	private final List<PoolMember> live = new ArrayList<>();

	/** Indexes of live members and of members being stopped for idleness; under the lock. */
	private final BitSet taken = new BitSet();

	/** Threads stopping idle members, joined by {@link #stop}; under the lock. */
	private final List<Thread> closers = new ArrayList<>();

	private volatile List<ClientConnection> clients = List.of();

	private boolean stopped;

	private Thread reaper;

	/**
	 * Starts {@code size.minSize()} members, connecting in the background, and for a growing pool
	 * the thread that stops idle ones.
	 * @param config the members' configuration; each is named {@code <name>-<index>}
	 * @param size how many members
	 */
	public PoolMembers(ClientConfig config, PoolSize size) {
		this.config = config;
		this.size = size;
		this.lock.lock();
		try {
			for (int i = 0; i < size.minSize(); i++) {
				startMember(false);
			}
			if (size.grows()) {
				this.reaper = Thread.ofVirtual()
					.name("client-pool-idle-" + config.name())
					.start(this::reapIdle);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Returns the live members' connections, by index: a snapshot, cheap to read.
	 * @return the connections
	 */
	public List<ClientConnection> clients() {
		return this.clients;
	}

	/**
	 * Takes a member for a request without waiting: the least busy that is not borrowed.
	 * @return the member, empty if the caller must wait: every member borrowed, or one opened for
	 * it still connecting
	 */
	public Optional<PoolMember> takeNow() {
		this.lock.lock();
		try {
			return Optional.ofNullable(pick(false));
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Takes a member, for a request (released with {@link #used}) or borrowed (given back with
	 * {@link #giveBack}), waiting up to {@code timeout} while every member is borrowed.
	 * @param timeout the longest wait
	 * @param borrow whether the caller takes the member for itself alone
	 * @return the member
	 * @throws RequestTimeoutException (not written) if every member stayed borrowed, or the
	 * member opened for the caller did not connect in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	public PoolMember take(Duration timeout, boolean borrow) throws RequestTimeoutException, InterruptedException {
		// Durations past Long.MAX_VALUE nanoseconds (about 292 years) wait as long as that.
		long remaining = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE
				: timeout.toNanos();
		this.lock.lockInterruptibly();
		try {
			while (true) {
				PoolMember member = pick(borrow);
				if (member != null) {
					return member;
				}
				boolean joining = joining(System.nanoTime());
				if (remaining <= 0) {
					throw new RequestTimeoutException(joining ? "No member of the pool was free and the member it "
							+ "opened did not connect within " + timeout : "All " + this.live.size() + " members of "
							+ "the pool stayed borrowed for " + timeout + "; return leases sooner or "
							+ (this.size.grows() ? "raise maxSize (" + this.size.maxSize() + ")" : "grow the pool"),
							false);
				}
				long recheck = joining ? JOIN_RECHECK_NANOS
						: (this.size.grows() && !this.stopped) ? GROWTH_RECHECK_NANOS : remaining;
				long wait = Math.min(remaining, recheck);
				remaining -= wait - Math.max(0, this.changed.awaitNanos(wait));
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * A request taken with {@link #take} or {@link #takeNow} ended: the member is idle from now
	 * if it holds nothing else.
	 * @param member the member
	 */
	public void used(PoolMember member) {
		member.lastUsed = System.nanoTime();
		member.inUse.decrementAndGet();
	}

	/**
	 * Gives back a borrowed member.
	 * @param member the member
	 */
	public void giveBack(PoolMember member) {
		this.lock.lock();
		try {
			member.borrowed = false;
			member.lastUsed = System.nanoTime();
			// Pooled requests wait here too without taking the member: wake them all, so a waiting
			// borrower is never left asleep behind a pooled request that took the signal.
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Stops every member at once, with one deadline for all; the pool starts no member after.
	 * @param timeout how long outstanding requests may take
	 * @return whether every member drained in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean stop(Duration timeout) throws InterruptedException {
		List<PoolMember> members;
		List<Thread> closing;
		this.lock.lock();
		try {
			this.stopped = true;
			this.changed.signalAll();
			members = List.copyOf(this.live);
			closing = List.copyOf(this.closers);
		}
		finally {
			this.lock.unlock();
		}
		AtomicBoolean clean = new AtomicBoolean(true);
		List<Thread> waits = new ArrayList<>(closing);
		for (PoolMember member : members) {
			waits.add(Thread.ofVirtual().start(() -> {
				try {
					if (!member.client.stop(timeout)) {
						clean.set(false);
					}
				}
				catch (InterruptedException ex) {
					clean.set(false);
					Thread.currentThread().interrupt();
				}
			}));
		}
		if (this.reaper != null) {
			waits.add(this.reaper);
		}
		for (Thread wait : waits) {
			wait.join();
		}
		return clean.get();
	}

	/**
	 * The member a take gets, or {@code null} to wait: the least busy free member, unless none has
	 * room, in which case one more is started if the pool may grow, and the take waits while a
	 * member started so is joining (the first that gets room or connects is taken); under the
	 * lock.
	 */
	private PoolMember pick(boolean borrow) {
		if (this.stopped && this.live.isEmpty()) {
			throw new IllegalStateException("The pool of client " + this.config.name() + " was stopped");
		}
		long now = System.nanoTime();
		PoolMember best = leastBusy(now);
		if (best == null || !best.hasRoom()) {
			if (mayGrow()) {
				startMember(true);
			}
			if (joining(now)) {
				return null;
			}
		}
		if (best != null) {
			best.borrowed = borrow;
			best.lastUsed = System.nanoTime();
			if (!borrow) {
				best.inUse.incrementAndGet();
			}
		}
		return best;
	}

	/**
	 * The free member with the fewest requests, connected ones first, leaving out those joining;
	 * under the lock. A request counts from its take: a take that waited is sent later, from a
	 * thread of its own, and until then the member's inbox alone would show it idle.
	 */
	private PoolMember leastBusy(long now) {
		return this.live.stream()
			.filter((member) -> !member.borrowed && !member.joining(now))
			.min(Comparator.<PoolMember, Boolean>comparing((member) -> !member.client.isConnected())
				.thenComparingInt((member) -> Math.max(member.inUse.get(), member.client.outstanding())))
			.orElse(null);
	}

	/** Below the maximum, counting members still stopping, and every live member connected; under the lock. */
	private boolean mayGrow() {
		return !this.stopped && this.taken.cardinality() < this.size.maxSize()
				&& this.live.stream().allMatch((member) -> member.client.isConnected());
	}

	/** Whether a member started by growth is still making its first connect; under the lock. */
	private boolean joining(long now) {
		for (PoolMember member : this.live) {
			if (member.joining(now)) {
				return true;
			}
		}
		return false;
	}

	/** Starts a member under the lowest free index; under the lock. */
	private PoolMember startMember(boolean grown) {
		int index = this.taken.nextClearBit(0);
		this.taken.set(index);
		PoolMember member = new PoolMember(
				ClientConnection.start(this.config.withName(this.config.name() + "-" + index)), index, grown);
		int at = 0;
		while (at < this.live.size() && this.live.get(at).index < index) {
			at++;
		}
		this.live.add(at, member);
		publish();
		return member;
	}

	private void publish() {
		this.clients = this.live.stream().map((member) -> member.client).toList();
	}

	/** The growing pool's own thread: stops idle members as their idle timeout passes, until the pool stops. */
	private void reapIdle() {
		try {
			long next = closeIdle();
			while (next > 0) {
				this.lock.lock();
				try {
					if (!this.stopped) {
						this.changed.awaitNanos(next);
					}
				}
				finally {
					this.lock.unlock();
				}
				next = closeIdle();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Stops the members above the minimum that stayed idle for the idle timeout, those idle longest
	 * first; a member busy now, by whoever (a caller using it directly included), is used now.
	 * Returns how long until the next one could be idle long enough, or -1 once stopped.
	 */
	private long closeIdle() {
		long idleNanos = this.size.idleTimeout().toNanos();
		this.lock.lock();
		try {
			if (this.stopped) {
				return -1;
			}
			long now = System.nanoTime();
			// Read once: requests end (and touch lastUsed) without the lock, so sort a snapshot.
			record Idle(PoolMember member, long since) {
			}
			List<Idle> idle = new ArrayList<>();
			for (PoolMember member : this.live) {
				if (member.borrowed || member.inUse.get() > 0 || member.client.outstanding() > 0) {
					member.lastUsed = now;
				}
				else {
					idle.add(new Idle(member, member.lastUsed));
				}
			}
			idle.sort(Comparator.comparingLong(Idle::since));
			for (Idle candidate : idle) {
				if (this.live.size() <= this.size.minSize()) {
					break;
				}
				if (now - candidate.since() < idleNanos) {
					return Math.max(1, idleNanos - (now - candidate.since()));
				}
				PoolMember member = candidate.member();
				this.live.remove(member);
				publish();
				this.closers.add(Thread.ofVirtual()
					.name("client-pool-close-" + member.client.config().name())
					.start(() -> close(member)));
			}
			return idleNanos;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Stops an idle member gracefully, then frees its index. */
	private void close(PoolMember member) {
		try {
			member.client.stop(this.config.requestTimeout());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.lock.lock();
			try {
				this.taken.clear(member.index);
				this.closers.remove(Thread.currentThread());
				this.changed.signalAll();
			}
			finally {
				this.lock.unlock();
			}
		}
	}

}
