package dev.thousandisland.internal.registry;

import java.util.Set;
import java.util.function.UnaryOperator;

import dev.thousandisland.Connection;
import dev.thousandisland.registry.Registry.Entry;

/**
 * Where a registry keeps its entries by key. Each key maps to an immutable array of its entries
 * in registration order, replaced whole on every change: a reader (a dispatch, a lookup) takes
 * the array as it stands and iterates it with no lock and no copy, while writers to one key are
 * serialized. {@link PartitionedRegistry} decides which connection may write what; a table only
 * stores. Public so that the benchmarks can measure other layouts against the one the registry
 * uses ({@link PartitionedMaps}).
 *
 * @param <K> the type of the keys
 * @param <V> the type of the values
 */
public interface KeyTable<K, V> {

	/**
	 * Returns the entries under a key.
	 * @param key the key
	 * @return the entries in registration order, never changed afterwards; {@code null} if none
	 */
	Entry<K, V>[] entries(K key);

	/**
	 * Adds an entry under its key.
	 * @param entry the entry
	 * @param unique whether the key may hold only this entry
	 * @return {@code false} if the key is unique and already held, so nothing was added
	 */
	boolean add(Entry<K, V> entry, boolean unique);

	/**
	 * Removes every entry of a connection under a key.
	 * @param key the key
	 * @param connection the connection, compared by identity
	 * @return how many entries were removed
	 */
	int remove(K key, Connection connection);

	/**
	 * Replaces the value of every entry of a connection under a key, while holding the key.
	 * @param key the key
	 * @param connection the connection, compared by identity
	 * @param update computes a new value from the old one
	 * @return how many entries were updated
	 */
	int update(K key, Connection connection, UnaryOperator<V> update);

	/**
	 * Adds every key with at least one entry to a set.
	 * @param keys the set to fill
	 */
	void collectKeys(Set<K> keys);

	/**
	 * Returns the number of entries.
	 * @return the entries under every key
	 */
	int count();

}
