package dev.thousandisland.autoconfigure;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * A property that must be set, in the situation described, is not. An
 * {@link InvalidConfigurationPropertyValueException} (of the value {@code null}) so that code and
 * tests that look for the property behind a start-up failure find it the same way;
 * {@link MissingPropertyFailureAnalyzer} reports it as missing rather than as an invalid 'null'.
 */
class MissingPropertyException extends InvalidConfigurationPropertyValueException {

	/**
	 * Creates the exception.
	 * @param name the full name of the property that is not set
	 * @param when when the property is required and what it is for, as a sentence
	 */
	MissingPropertyException(String name, String when) {
		super(name, null, when);
	}

	@Override
	public String getMessage() {
		return "'" + getName() + "' is required and not set: " + getReason();
	}

}
