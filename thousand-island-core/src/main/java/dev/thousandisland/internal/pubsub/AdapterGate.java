package dev.thousandisland.internal.pubsub;

import dev.thousandisland.pubsub.PubSubAdapter;

/**
 * The PubSub's calls into its adapter. A broken adapter must not break local delivery, so what
 * an adapter call throws is logged and absorbed here (a publish that threw counts as lost); once
 * the PubSub is closed, no call reaches the adapter any more. The local adapter is never called
 * at all: there is nothing for it to do.
 */
final class AdapterGate {

	private final PubSubAdapter adapter;

	private final boolean local;

	private final PubSubLog log;

	private volatile boolean stopped;

	/** Where a publish that threw is reported lost, as the adapter would report it. */
	private volatile PubSubAdapter.Inbound inbound;

	AdapterGate(PubSubAdapter adapter, PubSubLog log) {
		this.adapter = adapter;
		this.local = adapter == PubSubAdapter.local();
		this.log = log;
	}

	PubSubAdapter adapter() {
		return this.adapter;
	}

	/**
	 * Whether broadcasts are carried to other instances: an adapter other than the local one, not
	 * stopped. Only then are they encoded.
	 */
	boolean crosses() {
		return !this.local && !this.stopped;
	}

	void start(String pubsubName, PubSubAdapter.Inbound inbound) {
		this.inbound = inbound;
		this.adapter.start(pubsubName, inbound);
	}

	/** The topic got its first local subscriber. */
	void subscribe(String topic) {
		if (this.local || this.stopped) {
			return;
		}
		try {
			this.adapter.subscribe(topic);
		}
		catch (RuntimeException ex) {
			this.log.adapterCallFailed("subscribe", topic, ex);
		}
	}

	/** The topic lost its last local subscriber. */
	void unsubscribe(String topic) {
		if (this.local || this.stopped) {
			return;
		}
		try {
			this.adapter.unsubscribe(topic);
		}
		catch (RuntimeException ex) {
			this.log.adapterCallFailed("unsubscribe", topic, ex);
		}
	}

	/**
	 * Hands a sealed broadcast to the adapter.
	 * @return whether the adapter took it
	 */
	boolean publish(String topic, byte[] payload) {
		if (this.local || this.stopped) {
			return false;
		}
		try {
			this.adapter.publish(topic, payload);
			return true;
		}
		catch (RuntimeException ex) {
			this.log.adapterCallFailed("publish", topic, ex);
			this.inbound.lost(topic, 1, "publish_failed");
			return false;
		}
	}

	/** Stops the adapter, once; nothing reaches it afterwards. */
	void stop() {
		if (this.stopped) {
			return;
		}
		this.stopped = true;
		if (this.local) {
			return;
		}
		try {
			this.adapter.stop();
		}
		catch (RuntimeException ex) {
			this.log.adapterCallFailed("stop", null, ex);
		}
	}

}
