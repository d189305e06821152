package dev.thousandisland.internal.pubsub;

import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.thousandisland.Connection;
import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.pubsub.PubSubAdapter;
import dev.thousandisland.pubsub.PubSubCodec;
import dev.thousandisland.pubsub.PubSubCodecException;
import dev.thousandisland.telemetry.Telemetry;

/**
 * The PubSub: subscriptions kept here, delivery into the subscribers' mailboxes, and an adapter
 * for the other instances. A broadcast encodes first (so a message the codec refuses fails the
 * call before anyone got it), delivers to the local subscribers, then hands the sealed bytes to
 * the adapter; the copy that the transport may echo back is recognised by its node name and
 * dropped.
 */
public final class LocalPubSub implements PubSub {

	private final String nodeName;

	private final PubSubCodec codec;

	private final Envelope envelope;

	private final PubSubTelemetry telemetry;

	private final AdapterGate adapter;

	private final TopicTable topics;

	private final Subscriptions subscriptions;

	private final Fanout fanout;

	private final AdapterLink link;

	private final AtomicBoolean closed = new AtomicBoolean();

	private LocalPubSub(String name, String nodeName, PubSubAdapter adapter, PubSubCodec codec,
			SlowSubscriberPolicy policy, Telemetry telemetry) {
		this.nodeName = nodeName;
		this.codec = codec;
		this.envelope = new Envelope(nodeName);
		PubSubLog log = new PubSubLog(name, adapter.kind());
		this.adapter = new AdapterGate(adapter, log);
		this.topics = new TopicTable(this.adapter);
		this.fanout = new Fanout(policy);
		this.telemetry = new PubSubTelemetry(telemetry, name, nodeName, adapter.kind());
		this.subscriptions = new Subscriptions(this.topics, this.telemetry);
		this.link = new AdapterLink(this.envelope, codec, this.topics, this.fanout, this.telemetry, log);
	}

	/**
	 * Builds a PubSub and starts its adapter; what {@link dev.thousandisland.pubsub.PubSubBuilder#build()} calls.
	 * @param name the PubSub's name
	 * @param nodeName this instance's node name
	 * @param adapter the adapter
	 * @param codec the codec for messages crossing instances
	 * @param slowSubscriberPolicy what happens to a subscriber whose mailbox is full
	 * @param telemetry where events go
	 * @return the started PubSub
	 */
	public static PubSub start(String name, String nodeName, PubSubAdapter adapter, PubSubCodec codec,
			SlowSubscriberPolicy slowSubscriberPolicy, Telemetry telemetry) {
		String kind = adapter.kind();
		if (kind == null || kind.isBlank()) {
			throw new IllegalArgumentException("The PubSub adapter " + adapter.getClass().getName()
					+ " returned no kind(): it names the adapter in telemetry and health");
		}
		LocalPubSub pubsub = new LocalPubSub(name, nodeName, adapter, codec, slowSubscriberPolicy, telemetry);
		try {
			pubsub.adapter.start(name, pubsub.link);
		}
		catch (RuntimeException | Error ex) {
			pubsub.link.close();
			pubsub.telemetry.stop();
			throw ex;
		}
		return pubsub;
	}

	@Override
	public String nodeName() {
		return this.nodeName;
	}

	@Override
	public boolean subscribe(Connection connection, String topic) {
		checkConnection(connection, "connection");
		checkTopic(topic);
		if (connection.state() == Connection.State.CLOSED) {
			return false;
		}
		return this.subscriptions.subscribe(connection, topic);
	}

	@Override
	public boolean unsubscribe(Connection connection, String topic) {
		checkConnection(connection, "connection");
		checkTopic(topic);
		return this.subscriptions.unsubscribe(connection, topic);
	}

	@Override
	public int broadcast(String topic, Object message) {
		return broadcast(null, topic, message, true);
	}

	@Override
	public int broadcastFrom(Connection sender, String topic, Object message) {
		checkConnection(sender, "sender");
		return broadcast(sender, topic, message, true);
	}

	@Override
	public int localBroadcast(String topic, Object message) {
		return broadcast(null, topic, message, false);
	}

	@Override
	public int localBroadcastFrom(Connection sender, String topic, Object message) {
		checkConnection(sender, "sender");
		return broadcast(sender, topic, message, false);
	}

	private int broadcast(Connection sender, String topic, Object message, boolean cluster) {
		checkTopic(topic);
		if (message == null) {
			throw new IllegalArgumentException("message must not be null: a mailbox holds no null");
		}
		byte[] payload = (cluster && this.adapter.crosses()) ? seal(message) : null;
		Connection[] subscribers = this.topics.subscribers(topic);
		Fanout.Outcome outcome = null;
		if (subscribers != null) {
			outcome = this.fanout.deliver(subscribers, sender, message);
			if (outcome.dropped() > 0) {
				this.telemetry.dropped(topic, this.fanout.dropReason(), outcome.dropped());
			}
		}
		boolean published = payload != null && this.adapter.publish(topic, payload);
		if (this.telemetry.isEnabled()) {
			this.telemetry.broadcast(topic, cluster ? PubSubTelemetry.SCOPE_CLUSTER : PubSubTelemetry.SCOPE_LOCAL,
					(outcome != null) ? outcome : new Fanout.Outcome(0, 0, 0), published);
		}
		return (outcome != null) ? outcome.delivered() : 0;
	}

	private byte[] seal(Object message) {
		byte[] body;
		try {
			body = this.codec.encode(message);
		}
		catch (PubSubCodecException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			throw new PubSubCodecException("The PubSub codec " + this.codec.getClass().getName() + " failed to encode a "
					+ message.getClass().getName() + ": " + PubSubLog.describe(ex), ex);
		}
		if (body == null) {
			throw new PubSubCodecException("The PubSub codec " + this.codec.getClass().getName() + " encoded a "
					+ message.getClass().getName() + " as null");
		}
		return this.envelope.seal(body);
	}

	@Override
	public int subscriberCount(String topic) {
		checkTopic(topic);
		Connection[] subscribers = this.topics.subscribers(topic);
		return (subscribers != null) ? subscribers.length : 0;
	}

	@Override
	public Set<String> topics(Connection connection) {
		checkConnection(connection, "connection");
		return this.subscriptions.topics(connection);
	}

	@Override
	public Set<String> topics() {
		return this.topics.topics();
	}

	@Override
	public PubSubAdapter adapter() {
		return this.adapter.adapter();
	}

	@Override
	public void close() {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		// Losses the adapter reports while it stops (what it had not sent) still count.
		this.link.stopReceiving();
		this.adapter.stop();
		this.link.close();
		this.telemetry.stop();
	}

	@Override
	public String toString() {
		return "PubSub[node=" + this.nodeName + ", adapter=" + this.adapter.adapter().kind() + "]";
	}

	private static void checkConnection(Connection connection, String what) {
		if (connection == null) {
			throw new IllegalArgumentException(what + " must not be null");
		}
	}

	/**
	 * Refuses a topic that no subscriber could have: cheap, since every broadcast runs it.
	 */
	static void checkTopic(String topic) {
		if (topic == null) {
			throw new IllegalArgumentException("topic must not be null");
		}
		if (topic.isEmpty()) {
			throw new IllegalArgumentException("topic must not be empty");
		}
		if (topic.length() > MAX_TOPIC_LENGTH) {
			throw new IllegalArgumentException("topic is " + topic.length() + " chars long, over PubSub.MAX_TOPIC_LENGTH ("
					+ MAX_TOPIC_LENGTH + "): use a shorter topic (a key, not the content)");
		}
	}

}
