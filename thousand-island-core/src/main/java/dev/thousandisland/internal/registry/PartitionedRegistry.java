package dev.thousandisland.internal.registry;

import dev.thousandisland.registry.Registry;

/**
 * Placeholder until the registry lands: see issue 25.
 */
public final class PartitionedRegistry {

	private PartitionedRegistry() {
	}

	public static <K, V> Registry<K, V> create(String name, Registry.Keys keys, int partitions) {
		throw new UnsupportedOperationException("not yet");
	}

}
