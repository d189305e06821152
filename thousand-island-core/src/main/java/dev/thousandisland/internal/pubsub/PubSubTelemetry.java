package dev.thousandisland.internal.pubsub;

import java.util.Map;

import dev.thousandisland.Connection;
import dev.thousandisland.telemetry.Span;
import dev.thousandisland.telemetry.Telemetry;

/**
 * The telemetry of one PubSub: its root span {@code pubsub}, open from build to close, and the
 * events within it. Every event is built only when someone listens; a PubSub without listeners
 * pays one field read per event.
 */
final class PubSubTelemetry {

	static final String REASON_UNSUBSCRIBE = "unsubscribe";

	static final String REASON_CONNECTION_END = "connection_end";

	static final String SCOPE_CLUSTER = "cluster";

	static final String SCOPE_LOCAL = "local";

	static final String REASON_DECODE_FAILED = "decode_failed";

	private final Span span;

	private final boolean enabled;

	PubSubTelemetry(Telemetry telemetry, String name, String nodeName, String adapterKind) {
		this.enabled = telemetry.isEnabled();
		this.span = telemetry.startSpan("pubsub", Map.of("name", name, "node", nodeName, "adapter", adapterKind));
	}

	boolean isEnabled() {
		return this.enabled;
	}

	void subscribed(String topic, Connection connection) {
		if (this.enabled) {
			this.span.event("subscribe", Map.of(), Map.of("topic", topic, "connection_id", connection.id()));
		}
	}

	void unsubscribed(String topic, Connection connection, String reason) {
		if (this.enabled) {
			this.span.event("unsubscribe", Map.of(),
					Map.of("topic", topic, "connection_id", connection.id(), "reason", reason));
		}
	}

	void broadcast(String topic, String scope, Fanout.Outcome outcome, boolean published) {
		if (this.enabled) {
			this.span.event("broadcast",
					Map.of("subscribers", outcome.subscribers(), "delivered", outcome.delivered(), "dropped",
							outcome.dropped(), "published", published ? 1 : 0),
					Map.of("topic", topic, "scope", scope));
		}
	}

	void delivered(String topic, Fanout.Outcome outcome) {
		if (this.enabled) {
			this.span.event("deliver", Map.of("subscribers", outcome.subscribers(), "delivered", outcome.delivered(),
					"dropped", outcome.dropped()), Map.of("topic", topic));
		}
	}

	void dropped(String topic, String reason, int count) {
		if (this.enabled) {
			this.span.event("drop", Map.of("count", count),
					(topic != null) ? Map.of("topic", topic, "reason", reason) : Map.of("reason", reason));
		}
	}

	void adapterDown(String error) {
		if (this.enabled) {
			this.span.event("adapter_down", Map.of(), Map.of("error", error));
		}
	}

	void adapterUp(long lost) {
		if (this.enabled) {
			this.span.event("adapter_up", Map.of("lost", lost), Map.of());
		}
	}

	void stop() {
		this.span.stop(Map.of(), null);
	}

}
