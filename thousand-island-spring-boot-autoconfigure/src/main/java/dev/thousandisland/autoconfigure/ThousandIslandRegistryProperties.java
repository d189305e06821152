package dev.thousandisland.autoconfigure;

import dev.thousandisland.registry.Registry;

/**
 * Configuration of the auto-configured {@code Registry} bean ({@code thousandisland.registry.*}),
 * bound as part of {@link ThousandIslandProperties}.
 */
public class ThousandIslandRegistryProperties {

	/**
	 * Name of the registry, in logs and metrics.
	 */
	private String name = "registry";

	/**
	 * Whether a key holds any number of connections ('duplicate': the members of a room) or at
	 * most one ('unique': a user's session).
	 */
	private Registry.Keys keys = Registry.Keys.DUPLICATE;

	/**
	 * Number of partitions the keys are spread over, between 1 and 1024; when not set, the
	 * number of processors.
	 */
	private int partitions = Runtime.getRuntime().availableProcessors();

	public String getName() {
		return this.name;
	}

	public void setName(String name) {
		this.name = name;
	}

	public Registry.Keys getKeys() {
		return this.keys;
	}

	public void setKeys(Registry.Keys keys) {
		this.keys = keys;
	}

	public int getPartitions() {
		return this.partitions;
	}

	public void setPartitions(int partitions) {
		this.partitions = partitions;
	}

}
