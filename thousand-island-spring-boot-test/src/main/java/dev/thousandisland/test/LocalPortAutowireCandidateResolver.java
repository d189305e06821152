package dev.thousandisland.test;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.context.annotation.ContextAnnotationAutowireCandidateResolver;

/**
 * Answers {@link LocalThousandIslandPort} with a placeholder for the server's published port,
 * which the bean factory then resolves and converts as it does an {@code @Value}. An annotation
 * attribute cannot be spliced into an {@code @Value} expression, which is why this is not a plain
 * {@code @Value} meta-annotation like Boot's {@code @LocalServerPort}. It extends the resolver
 * every annotation-configured context uses, because Spring replaces any resolver that is not one.
 */
final class LocalPortAutowireCandidateResolver extends ContextAnnotationAutowireCandidateResolver {

	static String placeholder(LocalThousandIslandPort annotation) {
		String server = annotation.value();
		return server.isEmpty() ? "${local.thousandisland.port}" : "${" + localPrefix(server) + ".port}";
	}

	/**
	 * Where the server publishes its address: under its canonical, kebab-case name, which the
	 * annotation may give as the bean's name ({@code echoServer} for {@code echo-server}). A name
	 * that cannot be a plain property-name element (it has dots) is published in brackets.
	 */
	private static String localPrefix(String server) {
		String dashed = DataObjectPropertyName.toDashedForm(server);
		boolean plain = dashed.indexOf('.') < 0 && ConfigurationPropertyName.isValid(dashed);
		return plain ? "local.thousandisland.servers." + dashed : "local.thousandisland.servers[" + server + "]";
	}

	@Override
	public @Nullable Object getSuggestedValue(DependencyDescriptor descriptor) {
		LocalThousandIslandPort port = descriptor.getAnnotation(LocalThousandIslandPort.class);
		return (port != null) ? placeholder(port) : super.getSuggestedValue(descriptor);
	}

}
