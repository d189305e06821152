package dev.thousandisland.benchmarks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The push-and-request workload: while {@link PacedPublisher} publishes {@link #PUSH_RATE}
 * messages a second, {@link BlockingCallers} send SET and GET through the subscribed RESP3
 * connection itself, so that pushes and replies share it. Every reply is checked (a push taken
 * for a reply would fail a GET), and every message published must reach the subscriber, in order.
 */
final class PushAndRequestMix {

	/** Messages published per second. */
	static final int PUSH_RATE = 10_000;

	private static final Duration DRAIN = Duration.ofSeconds(10);

	private PushAndRequestMix() {
	}

	/**
	 * Measures one subscriber for the given time.
	 * @return requests per second, and pushes received per second within the window
	 * @throws IllegalStateException if a reply was wrong, or a push lost, repeated, out of order or
	 * unexpected
	 */
	static Rates run(PushSubscriber subscriber, PacedPublisher publisher, int seconds) throws Exception {
		PushTally tally = subscriber.tally();
		tally.reset();
		long start = System.nanoTime();
		long end = start + TimeUnit.SECONDS.toNanos(seconds);
		CompletableFuture<Long> published = new CompletableFuture<>();
		Thread.ofVirtual().start(() -> {
			try {
				published.complete(publisher.publishUntil(subscriber.channel(), end, PUSH_RATE));
			}
			catch (Throwable ex) {
				published.completeExceptionally(ex);
			}
		});
		double requests = BlockingCallers.run(subscriber, seconds);
		long inWindow = tally.received();
		double window = (System.nanoTime() - start) / 1e9;
		long sent = published.join();
		long deadline = System.nanoTime() + DRAIN.toNanos();
		while (tally.received() < sent && System.nanoTime() - deadline < 0) {
			Thread.sleep(10);
		}
		if (tally.received() != sent || tally.problem() != null) {
			throw new IllegalStateException(subscriber.name() + " received " + tally.received() + " of " + sent
					+ " pushes" + ((tally.problem() != null) ? ", " + tally.problem() : ""));
		}
		return new Rates(requests, Math.min(inWindow, sent) / window, sent);
	}

	/**
	 * What one measurement gave.
	 * @param requests SET and GET per second
	 * @param pushes pushes received per second while the callers ran
	 * @param delivered how many were published, every one of them received in order
	 */
	record Rates(double requests, double pushes, long delivered) {
	}

}
