package dev.thousandisland.pubsub;

import java.util.List;
import java.util.UUID;

import dev.thousandisland.telemetry.Telemetry;

/**
 * Builds a {@link PubSub}. Every setting has a default: {@code PubSub.builder().build()} is a
 * PubSub for this instance alone.
 */
public final class PubSubBuilder {

	String name = "pubsub";

	String nodeName;

	PubSubAdapter adapter = PubSubAdapter.local();

	PubSubCodec codec = PubSubCodec.bytesAndStrings();

	PubSub.SlowSubscriberPolicy slowSubscriberPolicy = PubSub.SlowSubscriberPolicy.DROP;

	Telemetry telemetry = new Telemetry(List.of(), false);

	PubSubBuilder() {
	}

	/**
	 * Sets the name used in telemetry, logs and metrics, and by adapters to keep two PubSubs on
	 * one Redis apart.
	 * @param name the name; default {@code pubsub}
	 * @return this builder
	 */
	public PubSubBuilder name(String name) {
		if (name == null || name.isBlank()) {
			throw new IllegalArgumentException("name must not be blank");
		}
		this.name = name;
		return this;
	}

	/**
	 * Sets this instance's node name. It must differ between instances that share an adapter.
	 * @param nodeName the node name; default a random one, different at every start
	 * @return this builder
	 */
	public PubSubBuilder nodeName(String nodeName) {
		if (nodeName == null || nodeName.isBlank()) {
			throw new IllegalArgumentException("nodeName must not be blank");
		}
		this.nodeName = nodeName;
		return this;
	}

	/**
	 * Sets the adapter that carries broadcasts to other instances.
	 * @param adapter the adapter; default {@link PubSubAdapter#local()}, none
	 * @return this builder
	 */
	public PubSubBuilder adapter(PubSubAdapter adapter) {
		if (adapter == null) {
			throw new IllegalArgumentException("adapter must not be null; use PubSubAdapter.local()");
		}
		this.adapter = adapter;
		return this;
	}

	/**
	 * Sets how messages are turned into bytes to cross to other instances.
	 * @param codec the codec; default {@link PubSubCodec#bytesAndStrings()}
	 * @return this builder
	 */
	public PubSubBuilder codec(PubSubCodec codec) {
		if (codec == null) {
			throw new IllegalArgumentException("codec must not be null");
		}
		this.codec = codec;
		return this;
	}

	/**
	 * Sets what happens to a subscriber whose mailbox is full.
	 * @param policy the policy; default {@link PubSub.SlowSubscriberPolicy#DROP}
	 * @return this builder
	 */
	public PubSubBuilder slowSubscriberPolicy(PubSub.SlowSubscriberPolicy policy) {
		if (policy == null) {
			throw new IllegalArgumentException("slowSubscriberPolicy must not be null");
		}
		this.slowSubscriberPolicy = policy;
		return this;
	}

	/**
	 * Sets where the PubSub's telemetry events go.
	 * @param telemetry the telemetry; default none
	 * @return this builder
	 */
	public PubSubBuilder telemetry(Telemetry telemetry) {
		if (telemetry == null) {
			throw new IllegalArgumentException("telemetry must not be null");
		}
		this.telemetry = telemetry;
		return this;
	}

	/**
	 * Builds the PubSub and starts its adapter.
	 * @return the PubSub
	 */
	public PubSub build() {
		String node = (this.nodeName != null) ? this.nodeName : UUID.randomUUID().toString();
		return dev.thousandisland.internal.pubsub.LocalPubSub.start(this.name, node, this.adapter, this.codec,
				this.slowSubscriberPolicy, this.telemetry);
	}

}
