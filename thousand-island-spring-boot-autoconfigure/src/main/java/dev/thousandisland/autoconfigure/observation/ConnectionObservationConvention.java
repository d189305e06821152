package dev.thousandisland.autoconfigure.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names a connection observation and chooses its key values. The default is
 * {@link DefaultConnectionObservationConvention}; a
 * {@link io.micrometer.observation.GlobalObservationConvention GlobalObservationConvention} for
 * {@link ConnectionObservationContext} registered with the observation registry replaces it, and
 * a bean of this type replaces both, as Micrometer's
 * {@link Observation#createNotStarted(ObservationConvention, ObservationConvention, java.util.function.Supplier, io.micrometer.observation.ObservationRegistry)
 * custom, global, default} order says.
 *
 * @see ConnectionObservationDocumentation
 */
public interface ConnectionObservationConvention extends ObservationConvention<ConnectionObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof ConnectionObservationContext;
	}

}
