package dev.thousandisland.registry;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import dev.thousandisland.Connection;

/**
 * Connections found by key: Elixir's {@code Registry}, the piece of a BEAM socket server that
 * makes chat rooms, topics and user sessions easy. A handler registers its own connection
 * ({@code socket.connection()}) under a key, with a value of its choosing; any thread, on any
 * server in the JVM, can then look the key up, count it, or {@linkplain #dispatch dispatch} to
 * every connection under it (usually by {@link Connection#tell telling} each one a message).
 *
 * <p>An entry lives as long as its connection: when the connection ends, whatever ended it, its
 * entries are removed, exactly once ({@link Connection#onEnd}). {@link #unregister} removes them
 * earlier.
 *
 * <p>With {@linkplain Keys#UNIQUE unique keys} a key belongs to at most one connection (a user's
 * session, say); with {@linkplain Keys#DUPLICATE duplicate keys} any number of connections, and
 * the same connection more than once, may register under one key (the members of a room).
 * Every method is thread-safe and never blocks on a connection; keys are spread over
 * {@linkplain Builder#partitions partitions} so that registration, lookup and dispatch from many
 * threads do not contend. Every method refuses a {@code null} key, connection or function with an
 * {@link IllegalArgumentException}.
 *
 * <pre>{@code
 * Registry<String, String> rooms = Registry.<String, String>builder(Registry.Keys.DUPLICATE).name("rooms").build();
 * // in handleFrame, for "JOIN lobby":
 * rooms.register(socket.connection(), "lobby", nickname);
 * // anywhere:
 * rooms.dispatch("lobby", (entry) -> entry.connection().tell(line));
 * }</pre>
 *
 * @param <K> the type of the keys; compared with {@code equals}, so they should be immutable
 * @param <V> the type of the values stored with each entry
 */
public interface Registry<K, V> {

	/**
	 * Starts building a registry.
	 * @param <K> the type of the keys
	 * @param <V> the type of the values
	 * @param keys whether a key holds one connection or many
	 * @return a builder
	 */
	static <K, V> Builder<K, V> builder(Keys keys) {
		return new Builder<>(keys);
	}

	/**
	 * Returns the registry's name, as given to {@link Builder#name} (for logs and metrics).
	 * @return the name
	 */
	String name();

	/**
	 * Returns whether keys are unique or duplicate.
	 * @return the kind of keys
	 */
	Keys kind();

	/**
	 * Registers a connection under a key with a value. Under {@link Keys#UNIQUE} the key must be
	 * free: registering a key that a live connection holds (this one included) registers nothing.
	 * Under {@link Keys#DUPLICATE} every call adds an entry.
	 * @param connection the connection, usually the handler's own ({@code socket.connection()})
	 * @param key the key, not {@code null}
	 * @param value the value to store with the entry, possibly {@code null}
	 * @return {@code true} if an entry was added; {@code false} if a unique key was taken or the
	 * connection has already ended (an ended connection is never registered)
	 * @throws IllegalArgumentException if the connection or the key is {@code null}, or the key is
	 * a {@link CharSequence} longer than 4,096 characters
	 */
	boolean register(Connection connection, K key, V value);

	/**
	 * Removes every entry of a connection under a key.
	 * @param connection the connection
	 * @param key the key
	 * @return {@code true} if at least one entry was removed
	 */
	boolean unregister(Connection connection, K key);

	/**
	 * Replaces the value of a connection's entry under a key: Elixir's {@code update_value}.
	 * Under {@link Keys#DUPLICATE} every entry of that connection under the key is updated.
	 * @param connection the connection that registered the key
	 * @param key the key
	 * @param update computes the new value from the old one; it runs under the key's partition
	 * lock, so keep it short
	 * @return {@code true} if an entry was found and updated
	 */
	boolean updateValue(Connection connection, K key, UnaryOperator<V> update);

	/**
	 * Returns the entries under a key, as they stand at the call.
	 * @param key the key
	 * @return the entries, in registration order; empty if none
	 */
	List<Entry<K, V>> lookup(K key);

	/**
	 * Returns the entry of a unique key; under {@link Keys#DUPLICATE}, the earliest registered.
	 * @param key the key
	 * @return the entry, or empty if the key is free
	 */
	Optional<Entry<K, V>> lookupOne(K key);

	/**
	 * Runs an action for each entry under a key, on the caller's thread, without copying the
	 * entries: Elixir's {@code dispatch}. The action must not block and should not throw; an
	 * exception it throws stops the dispatch and reaches the caller.
	 * @param key the key
	 * @param action what to do with each entry, usually {@code entry.connection().tell(message)}
	 * @return the number of entries the action ran for
	 */
	int dispatch(K key, Consumer<? super Entry<K, V>> action);

	/**
	 * Returns the keys a connection is registered under.
	 * @param connection the connection
	 * @return its keys; empty if none
	 */
	Set<K> keys(Connection connection);

	/**
	 * Returns every key with at least one entry.
	 * @return the keys, as they stand at the call
	 */
	Set<K> keys();

	/**
	 * Returns the number of entries under a key.
	 * @param key the key
	 * @return the entries under it
	 */
	int count(K key);

	/**
	 * Returns the number of entries in the registry.
	 * @return all entries
	 */
	int count();

	/**
	 * One registration: a connection under a key, with its value.
	 *
	 * @param <K> the type of the key
	 * @param <V> the type of the value
	 * @param key the key
	 * @param connection the connection that registered
	 * @param value the value it registered with, as last updated
	 */
	record Entry<K, V>(K key, Connection connection, V value) {
	}

	/**
	 * Whether a key holds one connection or many.
	 */
	enum Keys {

		/** A key holds at most one entry. */
		UNIQUE,

		/** A key holds any number of entries, several of them possibly from one connection. */
		DUPLICATE

	}

	/**
	 * Builds a {@link Registry}.
	 *
	 * @param <K> the type of the keys
	 * @param <V> the type of the values
	 */
	final class Builder<K, V> {

		private final Keys keys;

		private String name = "registry";

		private int partitions = Runtime.getRuntime().availableProcessors();

		Builder(Keys keys) {
			if (keys == null) {
				throw new IllegalArgumentException("keys must be UNIQUE or DUPLICATE, not null");
			}
			this.keys = keys;
		}

		/**
		 * Sets the name used in logs and metrics.
		 * @param name the name; default {@code registry}
		 * @return this builder
		 */
		public Builder<K, V> name(String name) {
			if (name == null || name.isBlank()) {
				throw new IllegalArgumentException("name must not be blank");
			}
			this.name = name;
			return this;
		}

		/**
		 * Sets how many partitions the keys are spread over.
		 * @param partitions between 1 and 1024; default the number of processors
		 * @return this builder
		 */
		public Builder<K, V> partitions(int partitions) {
			if (partitions < 1 || partitions > 1024) {
				throw new IllegalArgumentException("partitions must be between 1 and 1024, not " + partitions);
			}
			this.partitions = partitions;
			return this;
		}

		/**
		 * Builds the registry.
		 * @return a new, empty registry
		 */
		public Registry<K, V> build() {
			return dev.thousandisland.internal.registry.PartitionedRegistry.create(this.name, this.keys,
					this.partitions);
		}

	}

}
