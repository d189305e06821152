package dev.thousandisland.internal.pubsub;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.thousandisland.Connection;

/**
 * The local subscribers of each topic, read by every broadcast without a lock, and the adapter's
 * interest in each topic, kept in step with them.
 *
 * <p>A topic's subscribers are an array replaced whole on each change, so a broadcast iterates
 * a snapshot with no lock and no allocation, and a topic without subscribers has no entry at all:
 * a broadcast to it costs one map lookup. Each change runs inside the map's atomic
 * {@code compute} for its topic, and so does the adapter call that the change makes: the first
 * subscriber's {@code subscribe} and the last one's {@code unsubscribe} are ordered with every
 * other change of that topic, and the adapter sees, per topic, subscribe, unsubscribe, subscribe,
 * ... strictly alternating, subscribed exactly while there are local subscribers.
 */
final class TopicTable {

	private final ConcurrentHashMap<String, Connection[]> topics = new ConcurrentHashMap<>();

	private final AdapterGate adapter;

	TopicTable(AdapterGate adapter) {
		this.adapter = adapter;
	}

	/**
	 * Returns a topic's subscribers.
	 * @return a snapshot not to be modified, or {@code null} if the topic has none
	 */
	Connection[] subscribers(String topic) {
		return this.topics.get(topic);
	}

	/** Adds a subscriber that the caller knows is not one yet. */
	void add(String topic, Connection connection) {
		this.topics.compute(topic, (key, current) -> {
			if (current == null) {
				this.adapter.subscribe(key);
				return new Connection[] { connection };
			}
			Connection[] more = Arrays.copyOf(current, current.length + 1);
			more[current.length] = connection;
			return more;
		});
	}

	/** Removes a subscriber, if it is one. */
	void remove(String topic, Connection connection) {
		this.topics.computeIfPresent(topic, (key, current) -> {
			int index = indexOf(current, connection);
			if (index < 0) {
				return current;
			}
			if (current.length == 1) {
				this.adapter.unsubscribe(key);
				return null;
			}
			Connection[] fewer = new Connection[current.length - 1];
			System.arraycopy(current, 0, fewer, 0, index);
			System.arraycopy(current, index + 1, fewer, index, current.length - index - 1);
			return fewer;
		});
	}

	Set<String> topics() {
		return Set.copyOf(this.topics.keySet());
	}

	private static int indexOf(Connection[] connections, Connection connection) {
		for (int i = 0; i < connections.length; i++) {
			if (connections[i] == connection) {
				return i;
			}
		}
		return -1;
	}

}
