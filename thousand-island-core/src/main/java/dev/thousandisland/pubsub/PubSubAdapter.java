package dev.thousandisland.pubsub;

/**
 * Carries broadcasts between instances: Phoenix.PubSub's adapter. The {@link PubSub} does the
 * local part (subscriptions, mailboxes, policies, telemetry) and hands the adapter opaque bytes
 * per topic; the adapter only moves them. The bytes carry the publishing node's name, and the
 * PubSub drops what comes back from its own node, so an adapter may echo a node's own messages
 * back to it (Redis does) without any being delivered twice.
 *
 * <p>Every method but {@link #start} is called from publisher and subscriber threads and must
 * not block: an adapter queues its work and does it on its own threads. What it cannot carry it
 * reports through {@link Inbound#lost}, so that nothing is lost unseen.
 */
public interface PubSubAdapter {

	/**
	 * Returns the adapter for an instance alone: it carries nothing anywhere.
	 * @return the local adapter
	 */
	static PubSubAdapter local() {
		return LocalAdapter.INSTANCE;
	}

	/**
	 * Returns the adapter's kind, such as {@code local} or {@code redis}, for telemetry and health.
	 * @return the kind
	 */
	String kind();

	/**
	 * Starts the adapter: called once, by the PubSub that uses it, before anything else.
	 * @param pubsubName the PubSub's name, to keep several PubSubs on one transport apart
	 * @param inbound where to hand what other instances broadcast
	 */
	void start(String pubsubName, Inbound inbound);

	/**
	 * Says that this instance now has subscribers of a topic (the first one subscribed), so the
	 * adapter should receive it from other instances. Per topic, {@code subscribe} and
	 * {@link #unsubscribe} are called strictly in turn, this one first, however many threads
	 * subscribe at once: the PubSub calls them while it holds the topic's lock, so they must return
	 * quickly and must not call the PubSub.
	 * @param topic the topic
	 */
	void subscribe(String topic);

	/**
	 * Says that this instance no longer has subscribers of a topic (the last one left or ended).
	 * Called as {@link #subscribe} is.
	 * @param topic the topic
	 */
	void unsubscribe(String topic);

	/**
	 * Sends a broadcast to the other instances. Must not block; publishes of one calling thread
	 * must reach each other instance in the order they were made.
	 * @param topic the topic
	 * @param payload the encoded message, with the node name; the adapter must not change it
	 */
	void publish(String topic, byte[] payload);

	/**
	 * Returns whether the adapter can currently carry messages, for health.
	 * @return whether it is connected (always {@code true} for the local adapter)
	 */
	boolean isConnected();

	/**
	 * Stops the adapter: stops receiving and drops what it has not sent (counted through
	 * {@link Inbound#lost}).
	 */
	void stop();

	/**
	 * What an adapter calls back: the PubSub that started it.
	 */
	interface Inbound {

		/**
		 * Hands over a broadcast from another instance (or this one's own, echoed back, which
		 * the PubSub drops). Call it for one topic from one thread at a time, in the order the
		 * transport delivered, so that each publisher's order is kept.
		 * @param topic the topic
		 * @param payload the bytes a {@link #publish} on some instance was given
		 */
		void receive(String topic, byte[] payload);

		/**
		 * Reports broadcasts the adapter could not carry: a publish that failed or was dropped
		 * while the transport was down, or a queue that overflowed.
		 * @param topic the topic, or {@code null} if it is not known
		 * @param count how many messages
		 * @param reason why, short and stable (such as {@code disconnected}, {@code queue_full},
		 * {@code publish_failed}, {@code stopped}), for telemetry and meters
		 */
		void lost(String topic, int count, String reason);

		/**
		 * Reports that the transport failed or came back, for health, telemetry and a log line
		 * (the PubSub logs a failure once, not per message, until the transport comes back).
		 * @param error what failed, or {@code null} when the transport is connected again
		 */
		void transportStatus(Throwable error);

	}

}
