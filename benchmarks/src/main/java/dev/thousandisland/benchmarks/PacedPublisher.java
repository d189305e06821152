package dev.thousandisland.benchmarks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.example.resp.RespClient;
import dev.thousandisland.example.resp.RespFraming;

/**
 * Publishes numbered messages (0, 1, 2...) to a subscriber's channel at a fixed rate
 * through a connection of its own, the same publisher for every subscriber measured, and checks
 * that each PUBLISH reached exactly one subscriber.
 */
final class PacedPublisher implements AutoCloseable {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final ClientConnection connection;

	private final RespClient client;

	PacedPublisher(int port) {
		this.connection = ClientConnection
			.start(RedisClients.thousandIslandConfig("publisher", port, new RespFraming()).build());
		this.client = new RespClient(this.connection);
	}

	/**
	 * Publishes {@code rate} messages a second, in a burst each millisecond, until {@code end}, then
	 * waits for the last PUBLISH's reply.
	 * @param channel where to publish
	 * @param end when to stop, on {@link System#nanoTime()}'s clock
	 * @param rate messages per second
	 * @return how many were published
	 * @throws IllegalStateException if a PUBLISH reached no subscriber or more than one
	 */
	long publishUntil(String channel, long end, int rate) throws InterruptedException {
		long start = System.nanoTime();
		long sent = 0;
		CompletableFuture<String> last = null;
		AtomicReference<String> wrong = new AtomicReference<>();
		long now;
		while ((now = System.nanoTime()) - end < 0) {
			long due = (now - start) * rate / 1_000_000_000L;
			for (; sent < due; sent++) {
				String number = Long.toString(sent);
				last = this.client.commandAsync(TIMEOUT, "PUBLISH", channel, number);
				last.whenComplete((receivers, error) -> {
					if (!"1".equals(receivers)) {
						wrong.compareAndSet(null, "PUBLISH " + number + " reached " + receivers + " subscriber(s), "
								+ ((error != null) ? error : "not 1"));
					}
				});
			}
			Thread.sleep(1);
		}
		if (last != null) {
			// Replies come in order: once the last has come, so have all the others.
			last.exceptionally((error) -> null).join();
		}
		if (wrong.get() != null) {
			throw new IllegalStateException(wrong.get());
		}
		return sent;
	}

	@Override
	public void close() throws InterruptedException {
		this.connection.stop(Duration.ofSeconds(5));
	}

}
