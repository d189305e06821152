package dev.thousandisland.autoconfigure;

import java.util.Comparator;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.Ordered;

/**
 * Reports {@code thousandisland.*} keys that do not exist (Boot's binder refuses them, since
 * {@link ThousandIslandProperties} does not ignore unknown fields): each key as written, where it
 * was set, and the key meant, the new name of a renamed key or else the closest existing one. Runs
 * before Boot's own analyzer of the same failure, which names no key to use instead.
 */
class UnknownPropertyFailureAnalyzer extends AbstractFailureAnalyzer<UnboundConfigurationPropertiesException>
		implements Ordered {

	private static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of(ServerPropertyNames.PREFIX);

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, UnboundConfigurationPropertiesException cause) {
		List<ConfigurationProperty> unknown = cause.getUnboundProperties()
			.stream()
			.filter((property) -> PREFIX.isAncestorOf(property.getName()))
			.sorted(Comparator.comparing((property) -> property.getName().toString()))
			.toList();
		if (unknown.isEmpty()) {
			return null;
		}
		StringBuilder description = new StringBuilder("Thousand Island properties that do not exist are set:\n");
		StringBuilder action = new StringBuilder();
		for (ConfigurationProperty property : unknown) {
			PropertyNameSuggestions.Suggestion suggestion = PropertyNameSuggestions.suggest(property.getName());
			String written = written(property);
			description.append("\n    '").append(written).append("' (").append(origin(property.getOrigin())).append(")");
			if (suggestion.renamed()) {
				description.append(" was renamed to '").append(suggestion.key()).append("'");
				if (suggestion.note() != null) {
					description.append("; ").append(suggestion.note());
				}
			}
			else {
				description.append(" does not exist; the closest property is '").append(suggestion.key()).append("'");
			}
			action.append((action.isEmpty()) ? "" : "\n")
				.append("Replace '")
				.append(written)
				.append("' with '")
				.append(suggestion.key())
				.append("'.");
		}
		action.append("\nEvery property is listed in docs/properties.md and in the IDE's completion.");
		return new FailureAnalysis(description.toString(), action.toString(), cause);
	}

	/** The key as the user wrote it (Boot's name of it drops underscores and case). */
	private static String written(ConfigurationProperty property) {
		if (property.getOrigin() instanceof PropertySourceOrigin origin) {
			return origin.getPropertyName();
		}
		return property.getName().toString();
	}

	private static String origin(@Nullable Origin origin) {
		Origin location = (origin instanceof PropertySourceOrigin source && source.getOrigin() != null)
				? source.getOrigin() : origin;
		if (location instanceof TextResourceOrigin text && text.getLocation() != null) {
			return "from " + text.getResource().getDescription() + ", line " + (text.getLocation().getLine() + 1);
		}
		if (origin instanceof PropertySourceOrigin source) {
			return "from property source '" + source.getPropertySource().getName() + "'";
		}
		return (origin != null) ? "from " + origin : "origin unknown";
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
