package dev.thousandisland.autoconfigure;

import dev.thousandisland.telemetry.TelemetryListener;

/**
 * A {@link TelemetryListener} bean that receives the telemetry of every client configured under
 * {@code thousandisland.clients} (the client events of docs/telemetry.md). The client meters are
 * one; declare your own to trace or log clients.
 */
public interface ClientTelemetryListener extends TelemetryListener {

}
