package dev.thousandisland;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import dev.thousandisland.internal.registry.KeyTable;
import dev.thousandisland.internal.registry.PartitionedMaps;
import dev.thousandisland.registry.Registry.Entry;

/**
 * The registry's own table, with a tally of the removals that found entries, per connection: how
 * a test tells that a connection's entries were removed exactly once, not merely that they are
 * gone.
 */
final class CountingKeyTable<K, V> implements KeyTable<K, V> {

	private final KeyTable<K, V> table = new PartitionedMaps<>(4);

	private final ConcurrentHashMap<Long, AtomicInteger> removals = new ConcurrentHashMap<>();

	/** Removals that found entries of a connection, by connection id (tests use one server). */
	int removals(dev.thousandisland.Connection connection) {
		AtomicInteger count = this.removals.get(connection.id());
		return (count != null) ? count.get() : 0;
	}

	@Override
	public Entry<K, V>[] entries(K key) {
		return this.table.entries(key);
	}

	@Override
	public boolean add(Entry<K, V> entry, boolean unique) {
		return this.table.add(entry, unique);
	}

	@Override
	public int remove(K key, dev.thousandisland.Connection connection) {
		int removed = this.table.remove(key, connection);
		if (removed > 0) {
			this.removals.computeIfAbsent(connection.id(), (id) -> new AtomicInteger()).incrementAndGet();
		}
		return removed;
	}

	@Override
	public int update(K key, dev.thousandisland.Connection connection, UnaryOperator<V> update) {
		return this.table.update(key, connection, update);
	}

	@Override
	public void collectKeys(Set<K> keys) {
		this.table.collectKeys(keys);
	}

	@Override
	public int count() {
		return this.table.count();
	}

}
