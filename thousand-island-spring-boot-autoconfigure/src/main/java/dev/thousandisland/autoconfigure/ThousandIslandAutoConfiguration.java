package dev.thousandisland.autoconfigure;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.ConfigurableEnvironment;

import dev.thousandisland.Handler;
import dev.thousandisland.Server;
import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.Framing;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for
 * Thousand Island: every {@link Handler} bean, and every {@link FramedHandler} bean with its
 * framing (the {@code framing.*} properties or a {@link Framing} bean), becomes a socket server
 * configured by {@link ThousandIslandProperties}, started and stopped with the application context.
 */
@AutoConfiguration(after = { SslAutoConfiguration.class, LifecycleAutoConfiguration.class })
@ConditionalOnClass(Server.class)
@EnableConfigurationProperties(ThousandIslandProperties.class)
@Import(ThousandIslandClientsConfiguration.class)
public final class ThousandIslandAutoConfiguration {

	/**
	 * Spring Framework's {@code DefaultLifecycleProcessor} default, which applies when Boot's
	 * {@link LifecycleAutoConfiguration} (and so its {@link LifecycleProperties}) is not in use.
	 */
	private static final String KEEP_ALIVE_PROPERTY = "spring.main.keep-alive";

	private static final Duration FRAMEWORK_PHASE_TIMEOUT = Duration.ofSeconds(10);

	@Bean
	@ConditionalOnMissingBean
	ThousandIslandServers thousandIslandServers(ThousandIslandProperties properties, ConfigurableEnvironment environment,
			ListableBeanFactory beanFactory, ObjectProvider<SslBundles> sslBundles,
			ObjectProvider<ThousandIslandServerCustomizer> customizers, ObjectProvider<LifecycleProperties> lifecycle,
			ObjectProvider<Framing> framing) {
		Map<String, Handler<?>> handlers = new LinkedHashMap<>();
		beanFactory.getBeansOfType(Handler.class).forEach(handlers::put);
		Map<String, FramedHandler<?>> framedHandlers = new LinkedHashMap<>();
		beanFactory.getBeansOfType(FramedHandler.class).forEach((name, bean) -> {
			// A bean that is both runs as the Handler it also is.
			if (!handlers.containsKey(name)) {
				framedHandlers.put(name, bean);
			}
		});
		Set<String> framingBeans = new LinkedHashSet<>(Arrays.asList(beanFactory.getBeanNamesForType(Framing.class)));
		ServerDefinitions definitions = new ServerDefinitions(Binder.get(environment), handlers, framedHandlers,
				framingBeans, framing.getIfUnique(), sslBundles, customizers.orderedStream().toList(),
				phaseTimeout(lifecycle));
		return new ThousandIslandServers(definitions.resolve(properties));
	}

	@Bean
	ThousandIslandLifecycle thousandIslandLifecycle(ThousandIslandServers servers, ApplicationEventPublisher publisher,
			ConfigurableEnvironment environment, ObjectProvider<LifecycleProperties> lifecycle,
			ThousandIslandProperties properties) {
		return new ThousandIslandLifecycle(servers, publisher, environment, phaseTimeout(lifecycle),
				properties.getShutdown(), keepsJvmAlive(environment));
	}

	@Bean
	ThousandIslandGracefulShutdown thousandIslandGracefulShutdown(ThousandIslandServers servers,
			ThousandIslandProperties properties, ApplicationEventPublisher publisher,
			ObjectProvider<LifecycleProperties> lifecycle) {
		return new ThousandIslandGracefulShutdown(servers, properties.getShutdown(), publisher,
				phaseTimeout(lifecycle));
	}

	static Duration phaseTimeout(ObjectProvider<LifecycleProperties> lifecycle) {
		LifecycleProperties properties = lifecycle.getIfAvailable();
		return (properties != null) ? properties.getTimeoutPerShutdownPhase() : FRAMEWORK_PHASE_TIMEOUT;
	}

	/**
	 * Whether the servers keep the JVM alive themselves, as Boot's embedded web servers do. Not
	 * when {@code spring.main.keep-alive} is set: when true, {@link org.springframework.boot.SpringApplication}
	 * keeps a thread of its own; when false, the application asked for none.
	 */
	private static boolean keepsJvmAlive(ConfigurableEnvironment environment) {
		return !Binder.get(environment).bind(KEEP_ALIVE_PROPERTY, Boolean.class).isBound();
	}

}
