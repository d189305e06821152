package dev.thousandisland;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.thousandisland.pubsub.PubSubAdapter;

/**
 * A transport between PubSubs of one JVM, standing in for Redis in the core tests: every publish
 * goes to every node interested in the topic, the publishing node included (as Redis echoes a
 * node's own messages back to it), each node receiving on a thread of its own in publish order.
 */
final class InMemoryPubSubBus implements AutoCloseable {

	private final List<Node> nodes = new CopyOnWriteArrayList<>();

	/** Makes the adapter of one more node on this bus. */
	Node node(String label) {
		Node node = new Node(label);
		this.nodes.add(node);
		return node;
	}

	/** Hands bytes to every node interested in the topic, as if another instance published them. */
	void inject(String topic, byte[] payload) {
		for (Node node : this.nodes) {
			node.deliver(topic, payload);
		}
	}

	@Override
	public void close() {
		for (Node node : this.nodes) {
			node.receiver.shutdownNow();
		}
	}

	/** One node's adapter: it records every call the PubSub makes to it. */
	final class Node implements PubSubAdapter {

		private final String label;

		private final ExecutorService receiver = Executors.newSingleThreadExecutor();

		final Set<String> interest = ConcurrentHashMap.newKeySet();

		/** Every subscribe and unsubscribe call, as {@code +topic} and {@code -topic}, in order. */
		final List<String> interestCalls = new CopyOnWriteArrayList<>();

		final AtomicInteger published = new AtomicInteger();

		final AtomicInteger stops = new AtomicInteger();

		private volatile Inbound inbound;

		private volatile String pubsubName;

		Node(String label) {
			this.label = label;
		}

		Inbound inbound() {
			return this.inbound;
		}

		String pubsubName() {
			return this.pubsubName;
		}

		@Override
		public String kind() {
			return "bus";
		}

		@Override
		public void start(String pubsubName, Inbound inbound) {
			this.pubsubName = pubsubName;
			this.inbound = inbound;
		}

		@Override
		public void subscribe(String topic) {
			this.interestCalls.add("+" + topic);
			this.interest.add(topic);
		}

		@Override
		public void unsubscribe(String topic) {
			this.interestCalls.add("-" + topic);
			this.interest.remove(topic);
		}

		@Override
		public void publish(String topic, byte[] payload) {
			this.published.incrementAndGet();
			inject(topic, payload);
		}

		private void deliver(String topic, byte[] payload) {
			if (this.interest.contains(topic) && !this.receiver.isShutdown()) {
				this.receiver.execute(() -> this.inbound.receive(topic, payload));
			}
		}

		/** Waits until everything handed to this node so far was received. */
		void drain() throws InterruptedException {
			java.util.concurrent.Future<?> marker = this.receiver.submit(() -> {
			});
			try {
				marker.get(10, TimeUnit.SECONDS);
			}
			catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
				throw new AssertionError(ex);
			}
		}

		@Override
		public boolean isConnected() {
			return true;
		}

		@Override
		public void stop() {
			this.stops.incrementAndGet();
		}

		@Override
		public String toString() {
			return "bus node " + this.label;
		}

	}

}
