package dev.thousandisland.internal.registry;

import java.util.Arrays;
import java.util.function.UnaryOperator;

import dev.thousandisland.Connection;
import dev.thousandisland.registry.Registry.Entry;

/**
 * The copy-on-write steps on one key's entries, shared by every {@link KeyTable}: each returns a
 * new array (or the same one when nothing changed) and never touches the array it was given,
 * which readers may be iterating. Public for the layouts the benchmarks measure.
 */
public final class EntryArrays {

	private EntryArrays() {
	}

	/**
	 * Returns a key's first entry as its entries.
	 * @param <K> the type of the key
	 * @param <V> the type of the value
	 * @param entry the entry
	 * @return an array of the one entry
	 */
	@SuppressWarnings("unchecked")
	public static <K, V> Entry<K, V>[] of(Entry<K, V> entry) {
		return new Entry[] { entry };
	}

	/**
	 * Returns the entries with one more at the end.
	 * @param <K> the type of the key
	 * @param <V> the type of the value
	 * @param entries the entries, or {@code null} for none
	 * @param entry the entry to add
	 * @return a new array
	 */
	public static <K, V> Entry<K, V>[] with(Entry<K, V>[] entries, Entry<K, V> entry) {
		if (entries == null) {
			return of(entry);
		}
		Entry<K, V>[] grown = Arrays.copyOf(entries, entries.length + 1);
		grown[entries.length] = entry;
		return grown;
	}

	/**
	 * Returns the entries without those of a connection.
	 * @param <K> the type of the key
	 * @param <V> the type of the value
	 * @param entries the entries, or {@code null} for none
	 * @param connection the connection, compared by identity
	 * @return the remaining entries, {@code null} if none remain, or {@code entries} itself if the
	 * connection had none
	 */
	public static <K, V> Entry<K, V>[] without(Entry<K, V>[] entries, Connection connection) {
		if (entries == null) {
			return null;
		}
		int kept = 0;
		for (Entry<K, V> entry : entries) {
			if (entry.connection() != connection) {
				kept++;
			}
		}
		if (kept == entries.length) {
			return entries;
		}
		if (kept == 0) {
			return null;
		}
		Entry<K, V>[] remaining = Arrays.copyOf(entries, kept);
		int next = 0;
		for (Entry<K, V> entry : entries) {
			if (entry.connection() != connection) {
				remaining[next++] = entry;
			}
		}
		return remaining;
	}

	/**
	 * Returns how many entries a step took away.
	 * @param before the entries before, or {@code null}
	 * @param after the entries after, or {@code null}
	 * @return the difference in length
	 */
	public static int removedBy(Entry<?, ?>[] before, Entry<?, ?>[] after) {
		return length(before) - length(after);
	}

	/**
	 * Returns the entries with the values of a connection's entries updated.
	 * @param <K> the type of the key
	 * @param <V> the type of the value
	 * @param entries the entries, or {@code null} for none
	 * @param connection the connection, compared by identity
	 * @param update computes a new value from the old one
	 * @return the updated entries, or {@code entries} itself if the connection had none
	 */
	public static <K, V> Entry<K, V>[] updated(Entry<K, V>[] entries, Connection connection, UnaryOperator<V> update) {
		if (entries == null) {
			return null;
		}
		Entry<K, V>[] result = entries;
		for (int i = 0; i < entries.length; i++) {
			Entry<K, V> entry = entries[i];
			if (entry.connection() == connection) {
				if (result == entries) {
					result = entries.clone();
				}
				result[i] = new Entry<>(entry.key(), connection, update.apply(entry.value()));
			}
		}
		return result;
	}

	/**
	 * Returns how many entries a connection has among these.
	 * @param entries the entries, or {@code null}
	 * @param connection the connection, compared by identity
	 * @return the number of its entries
	 */
	public static int countOf(Entry<?, ?>[] entries, Connection connection) {
		int count = 0;
		if (entries != null) {
			for (Entry<?, ?> entry : entries) {
				if (entry.connection() == connection) {
					count++;
				}
			}
		}
		return count;
	}

	/**
	 * Returns how many entries there are.
	 * @param entries the entries, or {@code null} for none
	 * @return the length
	 */
	public static int length(Entry<?, ?>[] entries) {
		return (entries != null) ? entries.length : 0;
	}

}
