package dev.thousandisland.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.ConfigurableEnvironment;

import dev.thousandisland.Handler;
import dev.thousandisland.Server;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * Thousand Island: every {@link Handler} bean becomes a socket server configured by
 * {@link ThousandIslandProperties}, started and stopped with the application context.
 */
@AutoConfiguration(after = { SslAutoConfiguration.class, LifecycleAutoConfiguration.class })
@ConditionalOnClass(Server.class)
@EnableConfigurationProperties(ThousandIslandProperties.class)
public final class ThousandIslandAutoConfiguration {

	private static final Duration DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(30);

	@Bean
	@ConditionalOnMissingBean
	ThousandIslandServers thousandIslandServers(ThousandIslandProperties properties, ConfigurableEnvironment environment,
			ListableBeanFactory beanFactory, ObjectProvider<SslBundles> sslBundles,
			ObjectProvider<ThousandIslandServerCustomizer> customizers) {
		Map<String, Handler<?>> handlers = new LinkedHashMap<>();
		beanFactory.getBeansOfType(Handler.class).forEach(handlers::put);
		ServerDefinitions definitions = new ServerDefinitions(Binder.get(environment), handlers, sslBundles,
				customizers.orderedStream().toList());
		return new ThousandIslandServers(definitions.resolve(properties));
	}

	@Bean
	@ConditionalOnMissingBean
	ThousandIslandLifecycle thousandIslandLifecycle(ThousandIslandServers servers, ApplicationEventPublisher publisher,
			ConfigurableEnvironment environment) {
		return new ThousandIslandLifecycle(servers, publisher, environment, phaseTimeout(environment));
	}

	@Bean
	@ConditionalOnMissingBean
	ThousandIslandGracefulShutdown thousandIslandGracefulShutdown(ThousandIslandServers servers,
			ThousandIslandProperties properties, ApplicationEventPublisher publisher,
			ConfigurableEnvironment environment) {
		return new ThousandIslandGracefulShutdown(servers, properties.getShutdown(), publisher,
				phaseTimeout(environment));
	}

	private static Duration phaseTimeout(ConfigurableEnvironment environment) {
		return Binder.get(environment)
			.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
			.orElse(DEFAULT_PHASE_TIMEOUT);
	}

}
