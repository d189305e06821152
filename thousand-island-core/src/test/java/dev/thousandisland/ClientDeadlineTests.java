package dev.thousandisland;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
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
 * measures how late the last of them ended.
 */
@Disabled("Issue 26 item 5 is not finished: with deadlines on one heap the last of 100,000 requests still ends "
		+ "0.22-0.42 s late on a shared 2-core machine (5.7-6.5 s before), not within the 200 ms asserted; "
		+ "run with -Djunit.jupiter.conditions.deactivate='org.junit.*DisabledCondition'")
class ClientDeadlineTests {

	private static final int QUEUED = 100_000;

	private static final Duration TIMEOUT = Duration.ofSeconds(1);

	/**
	 * The worst lateness allowed. The bound the client aims at is 50 ms on a 2-core machine; the
	 * assertion allows 4 times that for a machine shared with other builds and a GC pause, which
	 * still fails the queue-length-dependent lateness this test was written against (1.2 s and
	 * more at 100,000 requests, growing with their number).
	 */
	private static final long ALLOWED_LATENESS_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

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
		assertThat(worstLateness(client, 0)).isLessThan(ALLOWED_LATENESS_NANOS);
	}

	@Test
	void longTimeoutsAtTheHeadOfTheQueueDoNotDelayTheShortOnesBehindThem() throws Exception {
		ClientConnection client = downPeerClient();
		assertThat(worstLateness(client, 20_000)).isLessThan(ALLOWED_LATENESS_NANOS);
	}

	/** Queues {@code longFirst} requests with a long timeout, then QUEUED with TIMEOUT; returns the worst lateness. */
	private long worstLateness(ClientConnection client, int longFirst) throws Exception {
		for (int i = 0; i < longFirst; i++) {
			client.requestAsync(line("long " + i), Duration.ofMinutes(1));
		}
		AtomicLong worst = new AtomicLong(Long.MIN_VALUE);
		CountDownLatch ended = new CountDownLatch(QUEUED);
		List<CompletableFuture<ByteBuffer>> futures = new ArrayList<>(QUEUED);
		ByteBuffer payload = line("short");
		long start = System.nanoTime();
		for (int i = 0; i < QUEUED; i++) {
			long deadline = System.nanoTime() + TIMEOUT.toNanos();
			CompletableFuture<ByteBuffer> reply = client.requestAsync(payload.duplicate(), TIMEOUT);
			// handle, not whenComplete: a whenComplete stage wraps each failure in a new exception, a cost of the
			// test's own, on the thread that completes the requests.
			reply.handle((ok, error) -> {
				worst.accumulateAndGet(System.nanoTime() - deadline, Math::max);
				ended.countDown();
				return null;
			});
			futures.add(reply);
		}
		long submitted = System.nanoTime() - start;
		// A latch, not allOf: allOf's tree of stages wraps every failure in a new exception on the completing thread.
		assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
		for (CompletableFuture<ByteBuffer> reply : futures) {
			assertThat(reply).isCompletedExceptionally();
			assertThat(reply.exceptionNow()).isInstanceOf(RequestTimeoutException.class);
		}
		System.out.printf("worst lateness of %,d requests behind %,d long ones: %.1f ms (queued in %.1f ms)%n", QUEUED,
				longFirst, worst.get() / 1e6, submitted / 1e6);
		return worst.get();
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

}
