package dev.thousandisland;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.pubsub.PubSubAdapter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many threads subscribe and unsubscribe real connections to a few topics while some of the
 * connections end: the adapter must be told {@code subscribe} and {@code unsubscribe} strictly in
 * turn per topic, and be subscribed to exactly the topics with local subscribers once it settles.
 */
class PubSubInterestRaceTests {

	private static final List<String> TOPICS = List.of("t0", "t1", "t2");

	private static final int THREADS = 4;

	private static final int OPERATIONS = 3_000;

	@Test
	void theAdapterIsSubscribedExactlyWhileATopicHasLocalSubscribersUnderContention() throws Exception {
		InterestChecker adapter = new InterestChecker();
		try (PubSub pubsub = PubSub.builder().adapter(adapter).build();
				PubSubTestServer server = PubSubTestServer.start(pubsub, 64)) {
			List<PubSubClient> clients = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				clients.add(server.connect());
				clients.get(i).command("sub t0");
			}
			List<Connection> connections = clients.stream().map(server::connectionOf).toList();
			CountDownLatch start = new CountDownLatch(1);
			AtomicInteger done = new AtomicInteger();
			List<Thread> threads = new ArrayList<>();
			for (int t = 0; t < THREADS; t++) {
				Random random = new Random(t);
				threads.add(Thread.ofPlatform().start(() -> {
					awaitQuietly(start);
					for (int i = 0; i < OPERATIONS; i++) {
						Connection connection = connections.get(random.nextInt(connections.size()));
						String topic = TOPICS.get(random.nextInt(TOPICS.size()));
						if (random.nextBoolean()) {
							pubsub.subscribe(connection, topic);
						}
						else {
							pubsub.unsubscribe(connection, topic);
						}
						if (i == OPERATIONS / 2 && done.incrementAndGet() == THREADS / 2) {
							// Two connections end while the others keep churning.
							closeQuietly(clients.get(0));
							connections.get(1).close();
						}
					}
				}));
			}
			start.countDown();
			for (Thread thread : threads) {
				thread.join(PubSubTestServer.WAIT.toMillis());
				assertThat(thread.isAlive()).isFalse();
			}
			await().atMost(PubSubTestServer.WAIT)
				.until(() -> pubsub.topics(connections.get(0)).isEmpty() && pubsub.topics(connections.get(1)).isEmpty());
			assertThat(adapter.violations).isEmpty();
			assertThat(adapter.calls.get()).as("interest changes made under contention").isGreaterThan(10);
			int subscriptions = 0;
			for (String topic : TOPICS) {
				assertThat(adapter.isInterested(topic)).as("adapter interest in %s", topic)
					.isEqualTo(pubsub.subscriberCount(topic) > 0);
				subscriptions += pubsub.subscriberCount(topic);
			}
			assertThat(connections.stream().mapToInt((connection) -> pubsub.topics(connection).size()).sum())
				.as("subscriptions seen per connection against per topic")
				.isEqualTo(subscriptions);
			for (PubSubClient client : clients) {
				client.close();
			}
			await().atMost(PubSubTestServer.WAIT).until(() -> pubsub.topics().isEmpty());
			assertThat(TOPICS).noneMatch(adapter::isInterested);
			assertThat(adapter.violations).isEmpty();
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void closeQuietly(PubSubClient client) {
		try {
			client.close();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	/** An adapter that checks every interest change against the previous one of its topic. */
	private static final class InterestChecker implements PubSubAdapter {

		final Map<String, AtomicBoolean> interest = new ConcurrentHashMap<>();

		final List<String> violations = new CopyOnWriteArrayList<>();

		final AtomicInteger calls = new AtomicInteger();

		boolean isInterested(String topic) {
			return this.interest.computeIfAbsent(topic, (key) -> new AtomicBoolean()).get();
		}

		@Override
		public String kind() {
			return "checker";
		}

		@Override
		public void start(String pubsubName, Inbound inbound) {
		}

		@Override
		public void subscribe(String topic) {
			this.calls.incrementAndGet();
			if (!this.interest.computeIfAbsent(topic, (key) -> new AtomicBoolean()).compareAndSet(false, true)) {
				this.violations.add("subscribe(" + topic + ") while subscribed");
			}
		}

		@Override
		public void unsubscribe(String topic) {
			this.calls.incrementAndGet();
			if (!this.interest.computeIfAbsent(topic, (key) -> new AtomicBoolean()).compareAndSet(true, false)) {
				this.violations.add("unsubscribe(" + topic + ") while not subscribed");
			}
		}

		@Override
		public void publish(String topic, byte[] payload) {
		}

		@Override
		public boolean isConnected() {
			return true;
		}

		@Override
		public void stop() {
		}

	}

}
