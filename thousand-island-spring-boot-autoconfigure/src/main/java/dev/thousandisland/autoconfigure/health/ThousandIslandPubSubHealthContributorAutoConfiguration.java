package dev.thousandisland.autoconfigure.health;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.autoconfigure.pubsub.ThousandIslandPubSubAutoConfiguration;
import dev.thousandisland.pubsub.PubSub;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of
 * the {@code pubsub} health indicator: whether the PubSub's adapter can reach other instances. It
 * is not added to the liveness group (an instance whose Redis is down still serves its own
 * connections, and restarting it would not help); add it to readiness with
 * {@code management.endpoint.health.group.readiness.include=readinessState,pubsub} if an instance
 * cut off from the others should take no traffic.
 */
@AutoConfiguration(after = ThousandIslandPubSubAutoConfiguration.class)
@ConditionalOnClass({ PubSub.class, HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(PubSub.class)
@ConditionalOnEnabledHealthIndicator("pubsub")
public final class ThousandIslandPubSubHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "pubsubHealthIndicator")
	HealthIndicator pubsubHealthIndicator(PubSub pubsub) {
		return new PubSubHealthIndicator(pubsub);
	}

}
