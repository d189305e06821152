package dev.thousandisland.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Server;
import dev.thousandisland.autoconfigure.ThousandIslandClients;
import dev.thousandisland.autoconfigure.ThousandIslandProperties;
import dev.thousandisland.autoconfigure.ThousandIslandServerCustomizer;
import dev.thousandisland.autoconfigure.ThousandIslandServers;
import dev.thousandisland.pubsub.PubSub;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * Thousand Island's Micrometer meters, when the application has a {@link MeterRegistry}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({ Server.class, MeterRegistry.class })
@ConditionalOnBean(MeterRegistry.class)
public final class ThousandIslandMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ThousandIslandMetrics thousandIslandMetrics(ObjectProvider<ThousandIslandServers> servers) {
		return new ThousandIslandMetrics(servers);
	}

	@Bean
	@ConditionalOnMissingBean
	ThousandIslandClientMetrics thousandIslandClientMetrics(ObjectProvider<ThousandIslandClients> clients) {
		return new ThousandIslandClientMetrics(clients);
	}

	@Bean
	@ConditionalOnClass(PubSub.class)
	@ConditionalOnMissingBean
	ThousandIslandPubSubMetrics thousandIslandPubSubMetrics(ObjectProvider<PubSub> pubsub,
			ObjectProvider<ThousandIslandProperties> properties) {
		ThousandIslandProperties configured = properties.getIfAvailable();
		String name = (configured != null) ? configured.getPubsub().getName() : "pubsub";
		return new ThousandIslandPubSubMetrics(pubsub, name);
	}

	@Bean
	ThousandIslandServerCustomizer thousandIslandMetricsCustomizer(ThousandIslandMetrics metrics) {
		return (name, builder) -> builder.telemetryListener(metrics);
	}

}
