package dev.thousandisland.test;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.ContextAnnotationAutowireCandidateResolver;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Installs the {@link LocalThousandIslandPort} resolver and, when asked, sets every server's port
 * to 0. Runs after the application's configuration is loaded and before the context is refreshed,
 * so it sees every server named in it.
 */
final class ThousandIslandTestContextCustomizer implements ContextCustomizer {

	static final String RANDOM_PORTS_PROPERTY_SOURCE = "thousandisland.test.random-ports";

	private static final ConfigurationPropertyName SERVERS = ConfigurationPropertyName.of("thousandisland.servers");

	private final boolean randomPorts;

	ThousandIslandTestContextCustomizer(boolean randomPorts) {
		this.randomPorts = randomPorts;
	}

	@Override
	public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
		// At refresh, not now: in a mock web environment the context has no annotation resolver
		// yet, and Spring would install its own over one set now.
		context.addBeanFactoryPostProcessor(ThousandIslandTestContextCustomizer::installResolver);
		if (this.randomPorts) {
			ConfigurableEnvironment environment = context.getEnvironment();
			environment.getPropertySources()
				.addFirst(new MapPropertySource(RANDOM_PORTS_PROPERTY_SOURCE, randomPorts(environment)));
		}
	}

	private static void installResolver(ConfigurableListableBeanFactory beanFactory) {
		// Only over Spring's own resolver: a custom one is the application's business, and the
		// annotation's fallback @Value then fails with a message rather than guessing.
		if (beanFactory instanceof DefaultListableBeanFactory factory && factory.getAutowireCandidateResolver()
			.getClass() == ContextAnnotationAutowireCandidateResolver.class) {
			factory.setAutowireCandidateResolver(new LocalPortAutowireCandidateResolver());
		}
	}

	private static Map<String, Object> randomPorts(ConfigurableEnvironment environment) {
		Map<String, Object> ports = new LinkedHashMap<>();
		ports.put("thousandisland.port", 0);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.stream()
					.filter((name) -> SERVERS.isAncestorOf(name) && name.getNumberOfElements() > 2)
					.map((name) -> name.getElement(2, ConfigurationPropertyName.Form.ORIGINAL))
					.forEach((server) -> ports.put("thousandisland.servers." + server + ".port", 0));
			}
		}
		return ports;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (other instanceof ThousandIslandTestContextCustomizer customizer)
				&& customizer.randomPorts == this.randomPorts;
	}

	@Override
	public int hashCode() {
		return Boolean.hashCode(this.randomPorts);
	}

}
