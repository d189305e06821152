package dev.thousandisland.internal.registry;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import dev.thousandisland.Connection;
import dev.thousandisland.internal.registry.Member.Phase;
import dev.thousandisland.registry.Registry;

/**
 * The {@link Registry}: entries in a {@link KeyTable} (by default {@link PartitionedMaps}), and
 * per connection a {@link Member} that holds its keys and its end watch.
 *
 * <p>Why no entry of an ended connection survives: an entry is added only while its member is
 * {@link Phase#LIVE}, under the member's monitor; the end watch turns the member
 * {@link Phase#ENDED} under the same monitor and removes every key the member holds. A member is
 * published only after its watch is in place, and a watch added after the end runs at once
 * ({@link Connection#onEnd}), so either the end sees the entry and removes it, or the
 * registration sees the end and adds nothing.
 *
 * @param <K> the type of the keys
 * @param <V> the type of the values
 */
public final class PartitionedRegistry<K, V> implements Registry<K, V> {

	/** Longer string keys are refused: a key is hashed and compared on every call. */
	static final int MAX_KEY_CHARS = 4096;

	private final String name;

	private final Keys kind;

	private final KeyTable<K, V> table;

	/** By connection identity: {@link Connection} implementations do not override equals. */
	private final ConcurrentHashMap<Connection, Member<K>> members = new ConcurrentHashMap<>();

	private PartitionedRegistry(String name, Keys kind, KeyTable<K, V> table) {
		this.name = name;
		this.kind = kind;
		this.table = table;
	}

	/**
	 * Creates a registry with its keys over partitioned maps: what {@link Registry.Builder#build}
	 * returns.
	 * @param <K> the type of the keys
	 * @param <V> the type of the values
	 * @param name the registry's name
	 * @param keys unique or duplicate keys
	 * @param partitions how many partitions to spread the keys over
	 * @return a new, empty registry
	 */
	public static <K, V> Registry<K, V> create(String name, Keys keys, int partitions) {
		return new PartitionedRegistry<>(name, keys, new PartitionedMaps<>(partitions));
	}

	/**
	 * Creates a registry over a table of the caller's choosing: how the benchmarks measure other
	 * layouts with the same lifecycle.
	 * @param <K> the type of the keys
	 * @param <V> the type of the values
	 * @param name the registry's name
	 * @param keys unique or duplicate keys
	 * @param table an empty table
	 * @return a new, empty registry
	 */
	public static <K, V> Registry<K, V> over(String name, Keys keys, KeyTable<K, V> table) {
		return new PartitionedRegistry<>(name, keys, table);
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public Keys kind() {
		return this.kind;
	}

	@Override
	public boolean register(Connection connection, K key, V value) {
		requireConnection(connection);
		requireKey(key);
		if (key instanceof CharSequence text && text.length() > MAX_KEY_CHARS) {
			throw new IllegalArgumentException("key must be at most " + MAX_KEY_CHARS + " characters long, not "
					+ text.length() + " (registry '" + this.name + "')");
		}
		if (connection.state() == Connection.State.CLOSED) {
			return false;
		}
		Entry<K, V> entry = new Entry<>(key, connection, value);
		for (;;) {
			Member<K> member = memberOf(connection);
			if (member == null) {
				return false;
			}
			boolean retire = false;
			synchronized (member) {
				switch (member.phase) {
					case ENDED:
						return false;
					case LIVE:
						if (this.table.add(entry, this.kind == Keys.UNIQUE)) {
							member.keys.add(key);
							return true;
						}
						// A unique key taken: a member made for this entry alone must not linger.
						retire = member.keys.isEmpty();
						if (retire) {
							member.phase = Phase.RETIRED;
						}
						break;
					case RETIRED:
						// Its last entry went away meanwhile; the retiring thread is about to take
						// it out of the map: then the next member takes its place.
						Thread.onSpinWait();
						continue;
				}
			}
			if (retire) {
				retire(member);
			}
			return false;
		}
	}

	/**
	 * Returns the connection's member, making one if it has none.
	 * @return the member, or {@code null} if the connection has ended
	 */
	private Member<K> memberOf(Connection connection) {
		Member<K> member = this.members.get(connection);
		if (member != null) {
			return member;
		}
		Member<K> fresh = new Member<>(connection);
		// Runs at once if the connection already ended: the member is then born ENDED.
		fresh.watch = connection.onEnd(() -> ended(fresh));
		member = this.members.putIfAbsent(connection, fresh);
		if (member != null) {
			// Another thread's member won; if this watch is already running it finds nothing to do.
			fresh.watch.cancel();
			return member;
		}
		if (fresh.hasEnded()) {
			// The end ran before the member was in the map, so it could not take it out.
			this.members.remove(connection, fresh);
			return null;
		}
		return fresh;
	}

	/** The end watch: removes the member's entries, once, and turns away later registrations. */
	private void ended(Member<K> member) {
		synchronized (member) {
			Set<K> keys = member.keys;
			member.keys = Set.of();
			member.phase = Phase.ENDED;
			for (K key : keys) {
				this.table.remove(key, member.connection);
			}
		}
		this.members.remove(member.connection, member);
	}

	private void retire(Member<K> member) {
		this.members.remove(member.connection, member);
		// If the connection is ending right now the watch may already be running: it finds no keys.
		member.watch.cancel();
	}

	@Override
	public boolean unregister(Connection connection, K key) {
		requireConnection(connection);
		requireKey(key);
		Member<K> member = this.members.get(connection);
		if (member == null) {
			return false;
		}
		synchronized (member) {
			if (member.phase != Phase.LIVE || !member.keys.remove(key)) {
				return false;
			}
			this.table.remove(key, connection);
			if (!member.keys.isEmpty()) {
				return true;
			}
			member.phase = Phase.RETIRED;
		}
		retire(member);
		return true;
	}

	@Override
	public boolean updateValue(Connection connection, K key, UnaryOperator<V> update) {
		requireConnection(connection);
		requireKey(key);
		if (update == null) {
			throw new IllegalArgumentException("update must not be null (registry '" + this.name + "')");
		}
		return this.table.update(key, connection, update) > 0;
	}

	@Override
	public List<Entry<K, V>> lookup(K key) {
		requireKey(key);
		Entry<K, V>[] entries = this.table.entries(key);
		// The array is never written once published: a read-only view of it is a snapshot.
		return (entries != null) ? Collections.unmodifiableList(Arrays.asList(entries)) : List.of();
	}

	@Override
	public Optional<Entry<K, V>> lookupOne(K key) {
		requireKey(key);
		Entry<K, V>[] entries = this.table.entries(key);
		return (entries != null) ? Optional.of(entries[0]) : Optional.empty();
	}

	@Override
	public int dispatch(K key, Consumer<? super Entry<K, V>> action) {
		requireKey(key);
		if (action == null) {
			throw new IllegalArgumentException("action must not be null (registry '" + this.name + "')");
		}
		Entry<K, V>[] entries = this.table.entries(key);
		if (entries == null) {
			return 0;
		}
		for (Entry<K, V> entry : entries) {
			action.accept(entry);
		}
		return entries.length;
	}

	@Override
	public Set<K> keys(Connection connection) {
		requireConnection(connection);
		Member<K> member = this.members.get(connection);
		if (member == null) {
			return Set.of();
		}
		synchronized (member) {
			return (member.phase == Phase.LIVE) ? Set.copyOf(member.keys) : Set.of();
		}
	}

	@Override
	public Set<K> keys() {
		Set<K> keys = new HashSet<>();
		this.table.collectKeys(keys);
		return Collections.unmodifiableSet(keys);
	}

	@Override
	public int count(K key) {
		requireKey(key);
		return EntryArrays.length(this.table.entries(key));
	}

	@Override
	public int count() {
		return this.table.count();
	}

	/**
	 * Returns how many connections hold entries here: each has one member and one end watch.
	 * @return the connections with at least one entry, or about to have one
	 */
	public int members() {
		return this.members.size();
	}

	@Override
	public String toString() {
		return "Registry '" + this.name + "' (" + this.kind + " keys, " + count() + " entries)";
	}

	private void requireKey(K key) {
		if (key == null) {
			throw new IllegalArgumentException("key must not be null (registry '" + this.name + "')");
		}
	}

	private void requireConnection(Connection connection) {
		if (connection == null) {
			throw new IllegalArgumentException("connection must not be null (registry '" + this.name + "')");
		}
	}

}
