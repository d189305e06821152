package dev.thousandisland;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.framing.Framing;

import static dev.thousandisland.ScriptedLineServer.line;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deadline is a correctness property: a request ends when its timeout passes, however many
 * others wait with it. The peer is down, so every request ends by its timeout, and the test
 * measures how early (never) and how late the requests ended.
 *
 * <p>How late is compared with what the machine does to any timer during the same run: a control,
 * a platform thread of the test's own that waits 2 ms at a time with the JDK's timed park and
 * records its worst oversleep, and the time the JVM was stopped for garbage collection. A request
 * may end no later than {@link #ALLOWANCE_NANOS} plus twice the control's worst oversleep plus
 * those pauses: the client's timer is one such waiting thread, plus the work of expiring what
 * came due while it was kept waiting. Before the timer kept one lane per timeout, the lateness
 * grew with the queue (1.2 s and more at 100,000 requests on a quiet machine, where the control
 * oversleeps by a millisecond or two and the pauses add up to about 300 ms).
 */
class ClientDeadlineTests {

	private static final int QUEUED = 100_000;

	private static final Duration TIMEOUT = Duration.ofSeconds(1);

	/** The lateness the client aims at on a 2-core machine, over what the machine does to any timer. */
	private static final long ALLOWANCE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private final List<ClientConnection> clients = new ArrayList<>();

	@AfterEach
	void stopClients() throws InterruptedException {
		for (ClientConnection client : this.clients) {
			client.stop(Duration.ofSeconds(1));
		}
	}

	@Test
	void aHundredThousandQueuedRequestsEachEndWithinABoundOfTheirDeadline() throws Exception {
		ClientConnection client = downPeerClient();
		assertPunctual(measure(client, 0, 1, (i) -> TIMEOUT));
	}

	@Test
	void longTimeoutsAtTheHeadOfTheQueueDoNotDelayTheShortOnesBehindThem() throws Exception {
		ClientConnection client = downPeerClient();
		assertPunctual(measure(client, 20_000, 1, (i) -> TIMEOUT));
	}

	/**
	 * Four threads queue at once, with timeouts from a few common values and, for one request in
	 * fifty, one of more distinct values than the timer keeps lanes for: those share its heap.
	 */
	@Test
	void aFloodFromManyThreadsWithManyDistinctTimeoutsStaysPunctual() throws Exception {
		ClientConnection client = downPeerClient();
		assertPunctual(measure(client, 0, 4, (i) -> (i % 50 == 0) ? TIMEOUT.plusMillis(i % 97)
				: TIMEOUT.plusMillis(100L * (i % 4))));
	}

	private static void assertPunctual(Lateness lateness) {
		assertThat(lateness.earliestNanos()).as("no request ends before its timeout").isNotNegative();
		assertThat(lateness.worstNanos())
			.as("worst lateness against the control's %.1f ms and %.1f ms of GC pauses",
					lateness.controlWorstNanos() / 1e6, lateness.gcPauseNanos() / 1e6)
			.isLessThan(ALLOWANCE_NANOS + 2 * lateness.controlWorstNanos() + lateness.gcPauseNanos());
	}

	/**
	 * Queues {@code longFirst} requests with a long timeout, then QUEUED from {@code threads}
	 * threads, request {@code i} with {@code timeouts.apply(i)}; returns how early and late they ended.
	 */
	private Lateness measure(ClientConnection client, int longFirst, int threads, IntFunction<Duration> timeouts)
			throws Exception {
		for (int i = 0; i < longFirst; i++) {
			client.requestAsync(line("long " + i), Duration.ofMinutes(1));
		}
		AtomicLong worst = new AtomicLong(Long.MIN_VALUE);
		AtomicLong earliest = new AtomicLong(Long.MAX_VALUE);
		CountDownLatch ended = new CountDownLatch(QUEUED);
		ConcurrentLinkedQueue<CompletableFuture<ByteBuffer>> futures = new ConcurrentLinkedQueue<>();
		ByteBuffer payload = line("short");
		TimedWaitControl control = TimedWaitControl.start();
		long gcBefore = gcPauseMillis();
		long timerCpuBefore = timerCpuNanos();
		long start = System.nanoTime();
		List<Thread> submitters = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int first = t;
			submitters.add(Thread.ofPlatform().start(() -> {
				for (int i = first; i < QUEUED; i += threads) {
					Duration timeout = timeouts.apply(i);
					long deadline = System.nanoTime() + timeout.toNanos();
					CompletableFuture<ByteBuffer> reply = client.requestAsync(payload.duplicate(), timeout);
					// handle, not whenComplete: a whenComplete stage wraps each failure in a new exception, a
					// cost of the test's own, on the thread that completes the requests.
					reply.handle((ok, error) -> {
						long late = System.nanoTime() - deadline;
						worst.accumulateAndGet(late, Math::max);
						earliest.accumulateAndGet(late, Math::min);
						ended.countDown();
						return null;
					});
					futures.add(reply);
				}
			}));
		}
		for (Thread submitter : submitters) {
			submitter.join();
		}
		long submitted = System.nanoTime() - start;
		// A latch, not allOf: allOf's tree of stages wraps every failure in a new exception on the completing thread.
		assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
		long controlWorst = control.stop();
		long gcPause = TimeUnit.MILLISECONDS.toNanos(gcPauseMillis() - gcBefore);
		assertThat(futures).hasSize(QUEUED);
		for (CompletableFuture<ByteBuffer> reply : futures) {
			assertThat(reply).isCompletedExceptionally();
			assertThat(reply.exceptionNow()).isInstanceOf(RequestTimeoutException.class);
			assertThat(((RequestTimeoutException) reply.exceptionNow()).wasWritten()).isFalse();
		}
		System.out.printf("%,d requests from %d threads behind %,d long ones: worst lateness %.1f ms, control %.1f ms "
				+ "(queued in %.1f ms; GC pauses %.0f ms; timer CPU %.2f us per request)%n", QUEUED, threads, longFirst,
				worst.get() / 1e6, controlWorst / 1e6, submitted / 1e6, gcPause / 1e6,
				(timerCpuNanos() - timerCpuBefore) / 1e3 / QUEUED);
		return new Lateness(worst.get(), earliest.get(), controlWorst, gcPause);
	}

	private static long timerCpuNanos() {
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals("thousand-island-client-deadlines"))
			.mapToLong((thread) -> threads.getThreadCpuTime(thread.threadId()))
			.sum();
	}

	/** Time spent in stop-the-world collections: the collectors whose name does not say they run concurrently. */
	private static long gcPauseMillis() {
		return ManagementFactory.getGarbageCollectorMXBeans()
			.stream()
			.filter((collector) -> !collector.getName().contains("Concurrent"))
			.mapToLong(GarbageCollectorMXBean::getCollectionTime)
			.sum();
	}

	private ClientConnection downPeerClient() throws Exception {
		ClientConfig config = ClientConfig.builder(Framing.line())
			.tcp(InetAddress.getLoopbackAddress().getHostAddress(), ClientConnectionTests.freePort())
			.requestFraming(Framing.line())
			.queueSize(QUEUED + 20_000)
			.backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2.0, 0.2, 0))
			.handler(new ClientHandler() {
				@Override
				public void handleError(Throwable error, ClientConnection client) {
				}
			})
			.build();
		ClientConnection client = ClientConnection.start(config);
		this.clients.add(client);
		return client;
	}

	private record Lateness(long worstNanos, long earliestNanos, long controlWorstNanos, long gcPauseNanos) {
	}

	/** A thread that waits 2 ms at a time and records its worst oversleep, until stopped. */
	private static final class TimedWaitControl {

		private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

		private final AtomicLong worst = new AtomicLong();

		private volatile boolean stopped;

		private Thread thread;

		static TimedWaitControl start() {
			TimedWaitControl control = new TimedWaitControl();
			control.thread = Thread.ofPlatform().daemon().name("deadline-test-control").start(control::run);
			return control;
		}

		private void run() {
			while (!this.stopped) {
				long before = System.nanoTime();
				LockSupport.parkNanos(WAIT_NANOS);
				long over = System.nanoTime() - before - WAIT_NANOS;
				this.worst.accumulateAndGet(over, Math::max);
			}
		}

		long stop() throws InterruptedException {
			this.stopped = true;
			this.thread.join();
			return this.worst.get();
		}

	}

}
