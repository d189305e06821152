package dev.thousandisland.internal.registry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

import dev.thousandisland.Connection;
import dev.thousandisland.registry.Registry.Entry;

/**
 * The registry's table: keys spread over partitions, each a {@link ConcurrentHashMap} from key to
 * its entry array with a counter of its own. Writers to one key meet only in that key's bin of
 * one map; readers take no lock at all; counting adds a partition's cell, never one shared
 * field. What this layout measured against one map and against locked partitions is in
 * docs/benchmarks.md (Registry under contention).
 *
 * @param <K> the type of the keys
 * @param <V> the type of the values
 */
public final class PartitionedMaps<K, V> implements KeyTable<K, V> {

	private final Partition<K, V>[] partitions;

	/**
	 * Creates an empty table.
	 * @param partitions how many partitions to spread the keys over, at least 1
	 */
	@SuppressWarnings("unchecked")
	public PartitionedMaps(int partitions) {
		this.partitions = new Partition[partitions];
		for (int i = 0; i < partitions; i++) {
			this.partitions[i] = new Partition<>();
		}
	}

	/**
	 * Returns the partition of a key: the high bits of its scrambled hash, since each partition's
	 * map picks its bins by the low bits, which would then be the same for every key of a
	 * partition.
	 * @param key the key
	 * @param partitions the number of partitions
	 * @return the partition's index
	 */
	public static int partitionOf(Object key, int partitions) {
		int scrambled = key.hashCode() * 0x9E3779B9;
		return (int) (((scrambled & 0xFFFFFFFFL) * partitions) >>> 32);
	}

	private Partition<K, V> partition(K key) {
		return this.partitions[partitionOf(key, this.partitions.length)];
	}

	@Override
	public Entry<K, V>[] entries(K key) {
		return partition(key).map.get(key);
	}

	@Override
	public boolean add(Entry<K, V> entry, boolean unique) {
		Partition<K, V> partition = partition(entry.key());
		if (unique) {
			// Present keys are answered without locking; an absent one is claimed atomically.
			Entry<K, V>[] holder = partition.map.computeIfAbsent(entry.key(), (key) -> EntryArrays.of(entry));
			if (holder[0] != entry) {
				return false;
			}
		}
		else {
			partition.map.compute(entry.key(), (key, entries) -> EntryArrays.with(entries, entry));
		}
		partition.count.increment();
		return true;
	}

	@Override
	public int remove(K key, Connection connection) {
		Partition<K, V> partition = partition(key);
		int[] removed = new int[1];
		partition.map.computeIfPresent(key, (ignored, entries) -> {
			Entry<K, V>[] remaining = EntryArrays.without(entries, connection);
			removed[0] = EntryArrays.removedBy(entries, remaining);
			return remaining;
		});
		if (removed[0] > 0) {
			partition.count.add(-removed[0]);
		}
		return removed[0];
	}

	@Override
	public int update(K key, Connection connection, UnaryOperator<V> update) {
		int[] updated = new int[1];
		partition(key).map.computeIfPresent(key, (ignored, entries) -> {
			updated[0] = EntryArrays.countOf(entries, connection);
			return (updated[0] > 0) ? EntryArrays.updated(entries, connection, update) : entries;
		});
		return updated[0];
	}

	@Override
	public void collectKeys(Set<K> keys) {
		for (Partition<K, V> partition : this.partitions) {
			keys.addAll(partition.map.keySet());
		}
	}

	@Override
	public int count() {
		long count = 0;
		for (Partition<K, V> partition : this.partitions) {
			count += partition.count.sum();
		}
		return (int) Math.min(Integer.MAX_VALUE, Math.max(0, count));
	}

	private static final class Partition<K, V> {

		final ConcurrentHashMap<K, Entry<K, V>[]> map = new ConcurrentHashMap<>();

		final LongAdder count = new LongAdder();

	}

}
