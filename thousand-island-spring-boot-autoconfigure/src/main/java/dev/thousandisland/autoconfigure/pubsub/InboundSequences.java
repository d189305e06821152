package dev.thousandisland.autoconfigure.pubsub;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last sequence number seen from each sender on each subscribed channel: what lets the
 * receiving side count precisely the messages it missed, whatever lost them (the sender's queue,
 * Redis down, this instance's subscription down), and drop one it already delivered. A channel's
 * numbers are forgotten when its topic loses its last local subscriber, so the first message after
 * a new subscription sets the baseline and counts nothing.
 */
final class InboundSequences {

	private final Map<String, Map<UUID, Long>> lastSeen = new ConcurrentHashMap<>();

	/**
	 * Records a message.
	 * @param topic its topic
	 * @param envelope the message
	 * @return how many messages from that sender on that topic came before it and were never
	 * seen (0 when none), or -1 if this one was seen already (or an older one arrives late)
	 */
	long accept(String topic, RedisEnvelope envelope) {
		Map<UUID, Long> senders = this.lastSeen.computeIfAbsent(topic, (key) -> new ConcurrentHashMap<>());
		Long previous = senders.get(envelope.sender());
		if (previous != null && envelope.sequence() <= previous) {
			return -1;
		}
		senders.put(envelope.sender(), envelope.sequence());
		return (previous != null) ? envelope.sequence() - previous - 1 : 0;
	}

	void forget(String topic) {
		this.lastSeen.remove(topic);
	}

}
