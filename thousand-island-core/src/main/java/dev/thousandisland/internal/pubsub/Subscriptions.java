package dev.thousandisland.internal.pubsub;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.thousandisland.Connection;

/**
 * The topics of each subscribed connection, and the one {@link Connection#onEnd} watch per
 * connection that unsubscribes it from all of them when it ends, whatever ends it.
 *
 * <p>Each connection's record has a lock of its own, which every change of that connection's
 * subscriptions holds while it changes the {@link TopicTable} too: a connection ending while it
 * subscribes either finds the new topic and removes it, or ran before and leaves a retired record
 * that makes the subscribe start over (and find the connection ended). The watch is registered
 * before the first topic is added, so no subscription exists without it, and is cancelled when the
 * last topic is unsubscribed, so an idle connection keeps nothing of this PubSub.
 */
final class Subscriptions {

	private final ConcurrentHashMap<Connection, Subscriber> subscribers = new ConcurrentHashMap<>();

	private final TopicTable topics;

	private final PubSubTelemetry telemetry;

	Subscriptions(TopicTable topics, PubSubTelemetry telemetry) {
		this.topics = topics;
		this.telemetry = telemetry;
	}

	boolean subscribe(Connection connection, String topic) {
		while (true) {
			Subscriber subscriber = this.subscribers.computeIfAbsent(connection, Subscriber::new);
			synchronized (subscriber) {
				if (subscriber.retired) {
					// Its last topic was just unsubscribed, or the connection ended: start over.
					continue;
				}
				if (subscriber.watch == null) {
					// Runs the cleanup at once, here, if the connection has already ended.
					subscriber.watch = connection.onEnd(() -> ended(subscriber));
					if (subscriber.retired) {
						return false;
					}
				}
				if (subscriber.topics.contains(topic)) {
					return false;
				}
				this.topics.add(topic, connection);
				subscriber.topics.add(topic);
			}
			this.telemetry.subscribed(topic, connection);
			return true;
		}
	}

	boolean unsubscribe(Connection connection, String topic) {
		Subscriber subscriber = this.subscribers.get(connection);
		if (subscriber == null) {
			return false;
		}
		synchronized (subscriber) {
			if (subscriber.retired || !subscriber.topics.remove(topic)) {
				return false;
			}
			this.topics.remove(topic, connection);
			if (subscriber.topics.isEmpty()) {
				retire(subscriber);
				subscriber.watch.cancel();
			}
		}
		this.telemetry.unsubscribed(topic, connection, PubSubTelemetry.REASON_UNSUBSCRIBE);
		return true;
	}

	Set<String> topics(Connection connection) {
		Subscriber subscriber = this.subscribers.get(connection);
		if (subscriber == null) {
			return Set.of();
		}
		synchronized (subscriber) {
			return subscriber.retired ? Set.of() : Set.copyOf(subscriber.topics);
		}
	}

	/** The connection ended: forget every subscription it had. */
	private void ended(Subscriber subscriber) {
		List<String> left;
		synchronized (subscriber) {
			if (subscriber.retired) {
				return;
			}
			retire(subscriber);
			left = List.copyOf(subscriber.topics);
			subscriber.topics.clear();
			for (String topic : left) {
				this.topics.remove(topic, subscriber.connection);
			}
		}
		for (String topic : left) {
			this.telemetry.unsubscribed(topic, subscriber.connection, PubSubTelemetry.REASON_CONNECTION_END);
		}
	}

	private void retire(Subscriber subscriber) {
		subscriber.retired = true;
		this.subscribers.remove(subscriber.connection, subscriber);
	}

	/** One connection's subscriptions; every field is guarded by the record's own lock. */
	private static final class Subscriber {

		final Connection connection;

		final Set<String> topics = new HashSet<>(4);

		Connection.EndWatch watch;

		/** No longer in the map: its connection ended or left its last topic. */
		boolean retired;

		Subscriber(Connection connection) {
			this.connection = connection;
		}

	}

}
