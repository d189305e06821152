package dev.thousandisland.autoconfigure.health;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Server;
import dev.thousandisland.autoconfigure.ServerDefinition;
import dev.thousandisland.autoconfigure.ThousandIslandAutoConfiguration;
import dev.thousandisland.autoconfigure.ThousandIslandClient;
import dev.thousandisland.autoconfigure.ThousandIslandClients;
import dev.thousandisland.autoconfigure.ThousandIslandServers;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * the {@code thousandisland} health contributor: one indicator per server, grouped under the
 * server names when there are several. It is not added to the liveness group; add it to readiness
 * with {@code management.endpoint.health.group.readiness.include=readinessState,thousandisland}.
 * The clients of {@code thousandisland.clients} have indicators of their own, under
 * {@code thousandislandClients}.
 */
@AutoConfiguration(after = ThousandIslandAutoConfiguration.class)
@ConditionalOnClass({ Server.class, HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(ThousandIslandServers.class)
@ConditionalOnEnabledHealthIndicator("thousandisland")
public final class ThousandIslandHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = { "thousandislandHealthIndicator", "thousandislandHealthContributor" })
	HealthContributor thousandislandHealthContributor(ThousandIslandServers servers) {
		if (servers.definitions().isEmpty()) {
			return (HealthIndicator) () -> Health.up().withDetail("servers", 0).build();
		}
		if (servers.definitions().size() == 1) {
			return new ServerHealthIndicator(servers, servers.definitions().get(0));
		}
		Map<String, HealthContributor> indicators = new LinkedHashMap<>();
		for (ServerDefinition definition : servers.definitions()) {
			indicators.put(definition.name(), new ServerHealthIndicator(servers, definition));
		}
		return CompositeHealthContributor.fromMap(indicators);
	}

	/**
	 * One indicator per client of {@code thousandisland.clients}, under its name:
	 * {@code /actuator/health/thousandislandClients/<name>}.
	 */
	@Bean
	@ConditionalOnBean(ThousandIslandClients.class)
	@ConditionalOnMissingBean(name = "thousandislandClientsHealthContributor")
	HealthContributor thousandislandClientsHealthContributor(ThousandIslandClients clients) {
		if (clients.all().isEmpty()) {
			return (HealthIndicator) () -> Health.up().withDetail("clients", 0).build();
		}
		Map<String, HealthContributor> indicators = new LinkedHashMap<>();
		for (ThousandIslandClient client : clients.all()) {
			indicators.put(client.name(), new ClientHealthIndicator(client));
		}
		return CompositeHealthContributor.fromMap(indicators);
	}

}
