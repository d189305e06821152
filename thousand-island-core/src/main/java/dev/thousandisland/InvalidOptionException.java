package dev.thousandisland;

/**
 * A configuration option has a value the server cannot run with. The message names the option,
 * the value and what to do; {@link #option()} lets a framework map the option back to its own
 * property name.
 */
public class InvalidOptionException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	private final String option;

	private final transient Object value;

	/**
	 * Creates the exception.
	 * @param option the option's name, as in {@link ServerConfig}
	 * @param value the rejected value, possibly {@code null}
	 * @param problem what is wrong with it, phrased to follow the option's name
	 */
	public InvalidOptionException(String option, Object value, String problem) {
		super("Invalid Thousand Island option " + option + ((value != null) ? " (" + value + ")" : "") + ": "
				+ option + " " + problem);
		this.option = option;
		this.value = value;
	}

	/**
	 * Returns the option's name, as in {@link ServerConfig}.
	 * @return the option
	 */
	public String option() {
		return this.option;
	}

	/**
	 * Returns the rejected value.
	 * @return the value, possibly {@code null}
	 */
	public Object value() {
		return this.value;
	}

	/**
	 * Returns what is wrong, without the option's name and value.
	 * @return the problem
	 */
	public String problem() {
		String message = getMessage();
		return message.substring(message.indexOf(": " + this.option + " ") + this.option.length() + 3);
	}

}
