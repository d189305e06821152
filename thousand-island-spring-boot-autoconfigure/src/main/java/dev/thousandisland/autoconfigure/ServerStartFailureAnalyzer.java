package dev.thousandisland.autoconfigure;

import java.net.BindException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a server that could not start into Spring Boot's start-up failure report: which server,
 * which address, and which property to change.
 */
class ServerStartFailureAnalyzer extends AbstractFailureAnalyzer<ServerStartException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ServerStartException cause) {
		ServerDefinition definition = cause.getDefinition();
		String message = String.valueOf(cause.getCause().getMessage());
		if (definition.config().isUnix()) {
			String problem = message.contains("in use") ? "is in use by another server"
					: message.contains("not a socket") ? "names an existing file that is not a socket"
							: "cannot be created (" + message + ")";
			return new FailureAnalysis(
					"Thousand Island server '" + definition.name() + "' failed to start: the Unix socket path "
							+ definition.config().unixPath() + " " + problem + ".",
					"Make sure the directory exists and is writable by this process and that no other server "
							+ "uses the path, or set " + definition.endpointProperty() + " to another path.",
					cause);
		}
		if (cause.getCause() instanceof BindException && message.contains("in use")) {
			return new FailureAnalysis(
					"Thousand Island server '" + definition.name() + "' failed to start: " + definition.endpoint()
							+ " is already in use.",
					"Identify and stop the process that is listening on " + definition.endpoint()
							+ ", or configure this server to listen on another port with "
							+ definition.endpointProperty() + ".",
					cause);
		}
		return new FailureAnalysis("Thousand Island server '" + definition.name() + "' failed to start on "
				+ definition.endpoint() + ": " + message,
				"Check the server's settings under " + definition.propertyPrefix() + " (and the thousandisland.* "
						+ "defaults it inherits).",
				cause);
	}

}
