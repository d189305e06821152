package dev.thousandisland.benchmarks;

import java.util.HashMap;
import java.util.Set;
import java.util.function.UnaryOperator;

import dev.thousandisland.Connection;
import dev.thousandisland.internal.registry.EntryArrays;
import dev.thousandisland.internal.registry.KeyTable;
import dev.thousandisland.internal.registry.PartitionedMaps;
import dev.thousandisland.registry.Registry.Entry;

/**
 * The registry layout measured against the one it uses: keys spread over partitions as there, but
 * each partition a plain {@link HashMap} behind the partition's monitor, which every reader takes
 * too (only to fetch the key's entry array: iterating it needs no lock, as there). This is the
 * classic lock-striping design, and what a registry of Elixir's kind looks like without a
 * concurrent map.
 */
final class LockedPartitions<K, V> implements KeyTable<K, V> {

	private final Partition<K, V>[] partitions;

	@SuppressWarnings("unchecked")
	LockedPartitions(int partitions) {
		this.partitions = new Partition[partitions];
		for (int i = 0; i < partitions; i++) {
			this.partitions[i] = new Partition<>();
		}
	}

	private Partition<K, V> partition(K key) {
		return this.partitions[PartitionedMaps.partitionOf(key, this.partitions.length)];
	}

	@Override
	public Entry<K, V>[] entries(K key) {
		Partition<K, V> partition = partition(key);
		synchronized (partition) {
			return partition.map.get(key);
		}
	}

	@Override
	public boolean add(Entry<K, V> entry, boolean unique) {
		Partition<K, V> partition = partition(entry.key());
		synchronized (partition) {
			Entry<K, V>[] entries = partition.map.get(entry.key());
			if (unique && entries != null) {
				return false;
			}
			partition.map.put(entry.key(), EntryArrays.with(entries, entry));
			partition.count++;
			return true;
		}
	}

	@Override
	public int remove(K key, Connection connection) {
		Partition<K, V> partition = partition(key);
		synchronized (partition) {
			Entry<K, V>[] entries = partition.map.get(key);
			Entry<K, V>[] remaining = EntryArrays.without(entries, connection);
			if (remaining == null) {
				partition.map.remove(key);
			}
			else if (remaining != entries) {
				partition.map.put(key, remaining);
			}
			int removed = EntryArrays.removedBy(entries, remaining);
			partition.count -= removed;
			return removed;
		}
	}

	@Override
	public int update(K key, Connection connection, UnaryOperator<V> update) {
		Partition<K, V> partition = partition(key);
		synchronized (partition) {
			Entry<K, V>[] entries = partition.map.get(key);
			int updated = EntryArrays.countOf(entries, connection);
			if (updated > 0) {
				partition.map.put(key, EntryArrays.updated(entries, connection, update));
			}
			return updated;
		}
	}

	@Override
	public void collectKeys(Set<K> keys) {
		for (Partition<K, V> partition : this.partitions) {
			synchronized (partition) {
				keys.addAll(partition.map.keySet());
			}
		}
	}

	@Override
	public int count() {
		int count = 0;
		for (Partition<K, V> partition : this.partitions) {
			synchronized (partition) {
				count += partition.count;
			}
		}
		return count;
	}

	private static final class Partition<K, V> {

		final HashMap<K, Entry<K, V>[]> map = new HashMap<>();

		int count;

	}

}
