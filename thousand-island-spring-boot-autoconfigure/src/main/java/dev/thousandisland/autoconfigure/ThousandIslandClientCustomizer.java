package dev.thousandisland.autoconfigure;

import dev.thousandisland.client.ClientConfig;

/**
 * Customizes a client's configuration after its {@code thousandisland.clients.<name>.*}
 * properties have been applied: declare beans of this type to add telemetry listeners, a transport
 * or anything the properties do not cover. Several run in {@code @Order} ({@code Ordered}), a
 * later one overriding what an earlier one set.
 */
@FunctionalInterface
public interface ThousandIslandClientCustomizer {

	/**
	 * Customizes one client (for a pool, the configuration its members share).
	 * @param clientName the client's name ({@code thousandisland.clients.<name>})
	 * @param builder its configuration so far
	 */
	void customize(String clientName, ClientConfig.Builder builder);

}
