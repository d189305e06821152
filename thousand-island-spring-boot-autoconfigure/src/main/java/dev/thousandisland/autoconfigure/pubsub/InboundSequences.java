package dev.thousandisland.autoconfigure.pubsub;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The last sequence number seen from each sender on each subscribed channel: what lets the
 * receiving side count precisely the messages it missed, whatever lost them (the sender's queue,
 * Redis down, this instance's subscription down), and drop one it already delivered. A channel's
 * numbers are forgotten when its topic loses its last local subscriber, so the first message after
 * a new subscription sets the baseline and counts nothing.
 */
final class InboundSequences {

	private final Map<String, Senders> lastSeen = new ConcurrentHashMap<>();

	/**
	 * Records a message.
	 * @param topic its topic
	 * @param envelope the message
	 * @return how many messages from that sender on that topic came before it and were never
	 * seen (0 when none), or -1 if this one was seen already (or an older one arrives late)
	 */
	long accept(String topic, RedisEnvelope envelope) {
		Senders senders = this.lastSeen.get(topic);
		if (senders == null) {
			senders = this.lastSeen.computeIfAbsent(topic, (key) -> new Senders());
		}
		return senders.accept(envelope.sender(), envelope.sequence());
	}

	void forget(String topic) {
		this.lastSeen.remove(topic);
	}

	/**
	 * One channel's senders. Messages of a channel arrive one at a time, mostly from the sender of
	 * the one before, so the last sender's number is kept at hand: no map lookup, no boxing.
	 */
	private static final class Senders {

		private final Map<UUID, long[]> bySender = new HashMap<>();

		private @Nullable UUID lastSender;

		private long @Nullable [] lastSenderSequence;

		synchronized long accept(UUID sender, long sequence) {
			long[] last = sender.equals(this.lastSender) ? this.lastSenderSequence : this.bySender.get(sender);
			if (last == null) {
				last = new long[] { sequence };
				this.bySender.put(sender, last);
				remember(sender, last);
				return 0;
			}
			remember(sender, last);
			long previous = last[0];
			if (sequence <= previous) {
				return -1;
			}
			last[0] = sequence;
			return sequence - previous - 1;
		}

		private void remember(UUID sender, long[] sequence) {
			this.lastSender = sender;
			this.lastSenderSequence = sequence;
		}

	}

}
