package dev.thousandisland.autoconfigure;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.framing.Framing;

/**
 * Declares {@link ThousandIslandClients}, the clients of {@code thousandisland.clients.*}, for
 * {@link ThousandIslandAutoConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
class ThousandIslandClientsConfiguration {

	@Bean
	static ClientPropertiesBindHandlerAdvisor thousandIslandClientPropertiesBindHandlerAdvisor() {
		return new ClientPropertiesBindHandlerAdvisor();
	}

	@Bean
	@ConditionalOnMissingBean
	ThousandIslandClients thousandIslandClients(ThousandIslandProperties properties, ListableBeanFactory beanFactory,
			ObjectProvider<SslBundles> sslBundles, ObjectProvider<ClientTelemetryListener> listeners,
			ObjectProvider<LifecycleProperties> lifecycle, ObjectProvider<Framing> framing,
			ConfigurableEnvironment environment, ObjectProvider<ThousandIslandServers> servers,
			ObjectProvider<ThousandIslandClientCustomizer> customizers) {
		Map<String, ClientHandler> handlers = new LinkedHashMap<>(beanFactory.getBeansOfType(ClientHandler.class));
		Map<String, Framing> framings = new LinkedHashMap<>(beanFactory.getBeansOfType(Framing.class));
		ThousandIslandServers ownServers = servers.getIfAvailable();
		ClientDefinitions definitions = new ClientDefinitions(handlers, framings, framing.getIfUnique(), sslBundles,
				listeners.orderedStream().toList(), customizers.orderedStream().toList(), environment,
				(ownServers != null) ? ownServers.definitions() : List.of());
		return new ThousandIslandClients(definitions.resolve(properties.getClients()), definitions,
				ThousandIslandAutoConfiguration.phaseTimeout(lifecycle));
	}

	@Bean
	ThousandIslandServerClientsLifecycle thousandIslandServerClientsLifecycle(ThousandIslandClients clients) {
		return new ThousandIslandServerClientsLifecycle(clients);
	}

}
