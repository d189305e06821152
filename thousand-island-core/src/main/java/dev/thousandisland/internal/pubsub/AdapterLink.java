package dev.thousandisland.internal.pubsub;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.thousandisland.Connection;
import dev.thousandisland.pubsub.PubSubAdapter;
import dev.thousandisland.pubsub.PubSubCodec;

/**
 * What the adapter hands this PubSub: broadcasts of other instances, delivered to the local
 * subscribers; losses, counted; and the transport's ups and downs, logged once each.
 */
final class AdapterLink implements PubSubAdapter.Inbound {

	private final Envelope envelope;

	private final PubSubCodec codec;

	private final TopicTable topics;

	private final Fanout fanout;

	private final PubSubTelemetry telemetry;

	private final PubSubLog log;

	private final AtomicBoolean down = new AtomicBoolean();

	/** Messages reported lost since the transport last went down. */
	private final AtomicLong lostWhileDown = new AtomicLong();

	private volatile boolean receiving = true;

	private volatile boolean closed;

	AdapterLink(Envelope envelope, PubSubCodec codec, TopicTable topics, Fanout fanout, PubSubTelemetry telemetry,
			PubSubLog log) {
		this.envelope = envelope;
		this.codec = codec;
		this.topics = topics;
		this.fanout = fanout;
		this.telemetry = telemetry;
		this.log = log;
	}

	@Override
	public void receive(String topic, byte[] payload) {
		if (!this.receiving || this.envelope.isOwn(payload)) {
			// This instance's own broadcast, echoed back: delivered locally when it was made.
			return;
		}
		Connection[] subscribers = (topic != null) ? this.topics.subscribers(topic) : null;
		if (subscribers == null) {
			// No one left to deliver to (the adapter's unsubscribe is on its way): not worth decoding.
			return;
		}
		Object message;
		try {
			message = this.codec.decode(Envelope.body(payload));
			if (message == null) {
				throw new IllegalStateException("the codec " + this.codec.getClass().getName() + " decoded null");
			}
		}
		catch (RuntimeException ex) {
			this.telemetry.dropped(topic, PubSubTelemetry.REASON_DECODE_FAILED, 1);
			this.log.decodeFailed(topic, ex);
			return;
		}
		Fanout.Outcome outcome = this.fanout.deliver(subscribers, null, message);
		if (outcome.dropped() > 0) {
			this.telemetry.dropped(topic, this.fanout.dropReason(), outcome.dropped());
		}
		this.telemetry.delivered(topic, outcome);
	}

	@Override
	public void lost(String topic, int count, String reason) {
		if (this.closed || count <= 0) {
			return;
		}
		if (this.down.get()) {
			this.lostWhileDown.addAndGet(count);
		}
		this.telemetry.dropped(topic, (reason != null) ? reason : "unknown", count);
	}

	@Override
	public void transportStatus(Throwable error) {
		if (this.closed) {
			return;
		}
		if (error != null) {
			if (this.down.compareAndSet(false, true)) {
				this.lostWhileDown.set(0);
				String description = PubSubLog.describe(error);
				this.log.transportDown(description);
				this.telemetry.adapterDown(description);
			}
		}
		else if (this.down.compareAndSet(true, false)) {
			long lost = this.lostWhileDown.getAndSet(0);
			this.log.transportUp(lost);
			this.telemetry.adapterUp(lost);
		}
	}

	/** No broadcast from the adapter is delivered any more; losses it reports still count. */
	void stopReceiving() {
		this.receiving = false;
	}

	/** Nothing from the adapter counts any more. */
	void close() {
		this.receiving = false;
		this.closed = true;
	}

}
