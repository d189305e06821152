package dev.thousandisland.autoconfigure.pubsub;

import dev.thousandisland.telemetry.TelemetryListener;

/**
 * A {@link TelemetryListener} bean that receives the telemetry of the auto-configured
 * {@code PubSub} (the {@code pubsub.*} events of docs/telemetry.md). The PubSub meters are one;
 * declare your own to trace or log broadcasts.
 */
public interface PubSubTelemetryListener extends TelemetryListener {

}
