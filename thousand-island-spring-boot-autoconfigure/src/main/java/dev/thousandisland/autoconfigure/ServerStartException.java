package dev.thousandisland.autoconfigure;

/**
 * A Thousand Island server could not start: its address is in use, its Unix socket path cannot
 * be created, or binding failed otherwise. Carries what a failure report needs to say which
 * property to change.
 */
public class ServerStartException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final transient ServerDefinition definition;

	/**
	 * Creates the exception.
	 * @param definition the server that failed
	 * @param cause why
	 */
	public ServerStartException(ServerDefinition definition, Throwable cause) {
		super("Thousand Island server '" + definition.name() + "' failed to start on " + definition.endpoint() + ": "
				+ cause.getMessage(), cause);
		this.definition = definition;
	}

	/**
	 * Returns the server that failed.
	 * @return its definition
	 */
	public ServerDefinition getDefinition() {
		return this.definition;
	}

}
