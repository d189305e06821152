package dev.thousandisland.autoconfigure.observation;

import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Server;
import dev.thousandisland.autoconfigure.ThousandIslandServerCustomizer;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * connection observations. Off unless {@code thousandisland.observations.connections.enabled} is
 * true: an observation per connection costs an object graph and, with tracing, a span per
 * connection, which a server holding many connections may not want. A
 * {@link ConnectionObservationConvention} bean, else a global convention registered with the
 * {@link ObservationRegistry}, else {@link DefaultConnectionObservationConvention} names the
 * observations.
 */
@AutoConfiguration(
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass({ Server.class, ObservationRegistry.class })
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty("thousandisland.observations.connections.enabled")
public final class ThousandIslandObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ConnectionObservations connectionObservations(ObservationRegistry registry,
			ObjectProvider<ConnectionObservationConvention> convention) {
		// No default bean: a convention passed as custom would hide any GlobalObservationConvention.
		return new ConnectionObservations(registry, convention.getIfUnique());
	}

	@Bean
	ThousandIslandServerCustomizer thousandIslandObservationCustomizer(ConnectionObservations observations) {
		return (name, builder) -> builder.telemetryListener(observations);
	}

}
