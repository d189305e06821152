package dev.thousandisland.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns two beans whose names are one server name into Spring Boot's start-up failure report,
 * naming both beans and the properties they would share.
 */
class HandlerNameClashFailureAnalyzer extends AbstractFailureAnalyzer<HandlerNameClashException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, HandlerNameClashException cause) {
		return new FailureAnalysis(
				"Beans " + HandlerNameClashException.quoted(cause.getBeanNames()) + " have names that are the same "
						+ "server name, '" + cause.getName() + "', once Spring Boot relaxes them (case and dashes "
						+ "are ignored), so they would share the properties under " + cause.getPropertyPrefix() + ".*",
				"Rename one of the beans (for example with @Bean(\"otherName\") or @Component(\"otherName\")) so that "
						+ "their names differ in more than case and dashes.",
				cause);
	}

}
