package dev.thousandisland.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Reports a {@link MissingPropertyException}: which property is required, and when. Runs before
 * Boot's analyzer of invalid values, which would call the unset property an invalid 'null'.
 */
class MissingPropertyFailureAnalyzer extends AbstractFailureAnalyzer<MissingPropertyException> implements Ordered {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MissingPropertyException cause) {
		return new FailureAnalysis("'" + cause.getName() + "' is required and not set: " + cause.getReason(),
				"Set '" + cause.getName() + "'.",
				cause);
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
