package dev.thousandisland.internal.pubsub;

import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.pubsub.PubSubAdapter;
import dev.thousandisland.pubsub.PubSubCodec;
import dev.thousandisland.telemetry.Telemetry;

/**
 * Placeholder until the PubSub lands: see issue 25.
 */
public final class LocalPubSub {

	private LocalPubSub() {
	}

	public static PubSub start(String name, String nodeName, PubSubAdapter adapter, PubSubCodec codec,
			PubSub.SlowSubscriberPolicy slowSubscriberPolicy, Telemetry telemetry) {
		throw new UnsupportedOperationException("not yet");
	}

}
