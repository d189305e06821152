package dev.thousandisland.autoconfigure;

import dev.thousandisland.ServerConfig;

/**
 * Customizes a server's configuration after the properties have been applied: declare beans of
 * this type to add telemetry listeners, socket options or anything the properties do not cover.
 */
@FunctionalInterface
public interface ThousandIslandServerCustomizer {

	/**
	 * Customizes one server.
	 * @param serverName the server's name ({@code thousandisland.servers.<name>})
	 * @param builder its configuration so far
	 */
	void customize(String serverName, ServerConfig.Builder builder);

}
