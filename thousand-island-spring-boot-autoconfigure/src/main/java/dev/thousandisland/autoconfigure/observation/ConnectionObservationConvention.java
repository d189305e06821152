package dev.thousandisland.autoconfigure.observation;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names connection observations and their key values. Declare a bean of this type to change
 * them. Low-cardinality key values ({@code server}, {@code transport}, {@code reason}) become meter
 * tags; the peer's address is high-cardinality, for traces only.
 */
public class ConnectionObservationConvention implements ObservationConvention<ConnectionObservationContext> {

	/** The observation's name. */
	public static final String NAME = "thousandisland.connection";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(ConnectionObservationContext context) {
		return "connection " + context.getServer();
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(ConnectionObservationContext context) {
		return KeyValues.of("server", context.getServer(), "transport", context.getTransport(), "reason",
				context.getReason());
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(ConnectionObservationContext context) {
		return KeyValues.of("peer.address", String.valueOf(context.getRemoteAddress()));
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof ConnectionObservationContext;
	}

}
