package dev.thousandisland.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.framing.Framing;

/**
 * Declares {@link ThousandIslandClients}, the clients of {@code thousandisland.clients.*}, for
 * {@link ThousandIslandAutoConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
class ThousandIslandClientsConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ThousandIslandClients thousandIslandClients(ThousandIslandProperties properties, ListableBeanFactory beanFactory,
			ObjectProvider<SslBundles> sslBundles, ObjectProvider<ClientTelemetryListener> listeners,
			ObjectProvider<LifecycleProperties> lifecycle, ObjectProvider<Framing> framing) {
		Map<String, ClientHandler> handlers = new LinkedHashMap<>(beanFactory.getBeansOfType(ClientHandler.class));
		Map<String, Framing> framings = new LinkedHashMap<>(beanFactory.getBeansOfType(Framing.class));
		ClientDefinitions definitions = new ClientDefinitions(handlers, framings, framing.getIfUnique(), sslBundles,
				listeners.orderedStream().toList());
		return new ThousandIslandClients(definitions.resolve(properties.getClients()),
				ThousandIslandAutoConfiguration.phaseTimeout(lifecycle));
	}

}
