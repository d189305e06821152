package dev.thousandisland.autoconfigure.observation;

import io.micrometer.common.KeyValues;

import dev.thousandisland.autoconfigure.observation.ConnectionObservationDocumentation.HighCardinalityKeyNames;
import dev.thousandisland.autoconfigure.observation.ConnectionObservationDocumentation.LowCardinalityKeyNames;

/**
 * The observation {@code thousandisland.connection}: named after the server in traces
 * ({@code connection <server>}), with low-cardinality key values {@code server},
 * {@code transport} and {@code reason} (these become meter tags) and the high-cardinality
 * {@code peer.address}, for traces only. Extend it to change one part and keep the rest.
 */
public class DefaultConnectionObservationConvention implements ConnectionObservationConvention {

	/** The shared instance. */
	public static final DefaultConnectionObservationConvention INSTANCE = new DefaultConnectionObservationConvention();

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
		return KeyValues.of(LowCardinalityKeyNames.SERVER.withValue(context.getServer()),
				LowCardinalityKeyNames.TRANSPORT.withValue(context.getTransport()),
				LowCardinalityKeyNames.REASON.withValue(context.getReason()));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(ConnectionObservationContext context) {
		return KeyValues.of(HighCardinalityKeyNames.PEER_ADDRESS.withValue(String.valueOf(context.getRemoteAddress())));
	}

}
