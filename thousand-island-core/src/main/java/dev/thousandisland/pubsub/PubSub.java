package dev.thousandisland.pubsub;

import java.util.Set;

import dev.thousandisland.Connection;

/**
 * Topics that connections subscribe to and anyone can broadcast on: Phoenix's
 * {@code Phoenix.PubSub} for Thousand Island connections. A subscriber receives each message in
 * its {@link dev.thousandisland.Handler#handleMessage handleMessage}, on its own thread, exactly
 * as it was broadcast (across instances: as the {@link PubSubCodec} decoded it).
 *
 * <p>Guarantees:
 * <ul>
 * <li>A broadcast never blocks the publisher: it puts the message in each local subscriber's
 * mailbox ({@link Connection#tell}) and hands it to the {@link PubSubAdapter} for other
 * instances, and returns.
 * <li>Each subscriber receives one publisher's messages in the order they were broadcast.
 * <li>A subscriber whose mailbox is full is dealt with by the {@link SlowSubscriberPolicy}: the
 * message is dropped for it alone, or it is closed; no other subscriber is affected. Either is
 * counted in telemetry ({@code pubsub.drop}).
 * <li>Delivery is at most once: a message is never delivered twice to a subscriber, and one lost
 * on the way to another instance (the adapter down) is counted, not retried.
 * <li>A subscription lives as long as its connection: when the connection ends, whatever ended
 * it, it is unsubscribed from every topic ({@link Connection#onEnd}).
 * </ul>
 *
 * <pre>{@code
 * PubSub pubsub = PubSub.builder().build();
 * // in a handler callback:
 * pubsub.subscribe(socket.connection(), "room:lobby");
 * pubsub.broadcastFrom(socket.connection(), "room:lobby", "hello");
 * }</pre>
 */
public interface PubSub extends AutoCloseable {

	/**
	 * The longest topic accepted, in UTF-16 chars.
	 */
	int MAX_TOPIC_LENGTH = 1024;

	/**
	 * Starts building a PubSub.
	 * @return a builder
	 */
	static PubSubBuilder builder() {
		return new PubSubBuilder();
	}

	/**
	 * Returns this instance's node name, which tells its messages apart from other instances'
	 * when they come back through the adapter.
	 * @return the node name
	 */
	String nodeName();

	/**
	 * Subscribes a connection to a topic. Subscribing twice to one topic is one subscription.
	 * @param connection the subscriber, usually the handler's own ({@code socket.connection()})
	 * @param topic the topic
	 * @return {@code true} if the connection was not subscribed to the topic before; {@code false}
	 * if it was, or if it has already ended (an ended connection is never subscribed)
	 * @throws IllegalArgumentException if the topic is {@code null}, empty or longer than
	 * {@link #MAX_TOPIC_LENGTH}
	 */
	boolean subscribe(Connection connection, String topic);

	/**
	 * Unsubscribes a connection from a topic.
	 * @param connection the subscriber
	 * @param topic the topic
	 * @return {@code true} if it was subscribed
	 * @throws IllegalArgumentException if the topic is invalid or the connection {@code null}
	 */
	boolean unsubscribe(Connection connection, String topic);

	/**
	 * Broadcasts a message to every subscriber of a topic, on this instance and, through the
	 * adapter, on every other.
	 * @param topic the topic
	 * @param message the message
	 * @return the number of local subscribers whose mailbox received it
	 * @throws IllegalArgumentException if the topic is invalid or the message {@code null}
	 * @throws PubSubCodecException if the message must cross to other instances and the codec
	 * cannot encode it; nothing was delivered, locally or elsewhere
	 */
	int broadcast(String topic, Object message);

	/**
	 * Broadcasts a message to every subscriber of a topic but the sender.
	 * @param sender the connection that does not receive it
	 * @param topic the topic
	 * @param message the message
	 * @return the number of local subscribers whose mailbox received it
	 * @throws IllegalArgumentException if the topic is invalid, or the sender or the message
	 * {@code null}
	 * @throws PubSubCodecException as for {@link #broadcast}
	 */
	int broadcastFrom(Connection sender, String topic, Object message);

	/**
	 * Broadcasts a message to the subscribers of a topic on this instance only. The message is
	 * never encoded, so it may be of any type.
	 * @param topic the topic
	 * @param message the message
	 * @return the number of subscribers whose mailbox received it
	 * @throws IllegalArgumentException if the topic is invalid or the message {@code null}
	 */
	int localBroadcast(String topic, Object message);

	/**
	 * Broadcasts a message to the subscribers of a topic on this instance only, but the sender.
	 * @param sender the connection that does not receive it
	 * @param topic the topic
	 * @param message the message
	 * @return the number of subscribers whose mailbox received it
	 * @throws IllegalArgumentException if the topic is invalid, or the sender or the message
	 * {@code null}
	 */
	int localBroadcastFrom(Connection sender, String topic, Object message);

	/**
	 * Returns the number of local subscribers of a topic.
	 * @param topic the topic
	 * @return its subscribers on this instance
	 * @throws IllegalArgumentException if the topic is invalid
	 */
	int subscriberCount(String topic);

	/**
	 * Returns the topics a connection is subscribed to.
	 * @param connection the connection
	 * @return its topics
	 */
	Set<String> topics(Connection connection);

	/**
	 * Returns every topic with at least one local subscriber.
	 * @return the topics
	 */
	Set<String> topics();

	/**
	 * Returns the adapter that carries messages to other instances.
	 * @return the adapter; {@link PubSubAdapter#local()} when there are no others
	 */
	PubSubAdapter adapter();

	/**
	 * Stops the adapter; local subscriptions and local broadcasts keep working.
	 */
	@Override
	void close();

	/**
	 * What happens to a subscriber whose mailbox is full when a message arrives for it.
	 */
	enum SlowSubscriberPolicy {

		/** The message is dropped for that subscriber only; it stays subscribed. */
		DROP,

		/** That subscriber's connection is closed (stop reason {@code closed}). */
		CLOSE

	}

}
