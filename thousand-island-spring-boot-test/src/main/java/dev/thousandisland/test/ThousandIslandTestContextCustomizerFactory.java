package dev.thousandisland.test;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Adds Thousand Island's test support to every Spring test context: the
 * {@link LocalThousandIslandPort} resolver always, random ports when the test class (or an
 * enclosing class, or a meta-annotation) carries {@link RandomThousandIslandPorts}. Registered in
 * {@code META-INF/spring.factories}.
 */
class ThousandIslandTestContextCustomizerFactory implements ContextCustomizerFactory {

	@Override
	public @Nullable ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		boolean randomPorts = TestContextAnnotationUtils.hasAnnotation(testClass, RandomThousandIslandPorts.class);
		return new ThousandIslandTestContextCustomizer(randomPorts);
	}

}
