package dev.thousandisland.autoconfigure.endpoint;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Server;
import dev.thousandisland.autoconfigure.ThousandIslandAutoConfiguration;
import dev.thousandisland.autoconfigure.ThousandIslandClients;
import dev.thousandisland.autoconfigure.ThousandIslandServers;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for the
 * {@code thousandisland} actuator endpoint.
 */
@AutoConfiguration(after = ThousandIslandAutoConfiguration.class)
@ConditionalOnClass({ Server.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(ThousandIslandServers.class)
@ConditionalOnAvailableEndpoint(ThousandIslandEndpoint.class)
public final class ThousandIslandEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ThousandIslandEndpoint thousandIslandEndpoint(ThousandIslandServers servers,
			ObjectProvider<ThousandIslandClients> clients) {
		return new ThousandIslandEndpoint(servers, clients.getIfAvailable());
	}

}
