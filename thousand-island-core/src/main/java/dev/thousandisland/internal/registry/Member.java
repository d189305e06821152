package dev.thousandisland.internal.registry;

import java.util.HashSet;
import java.util.Set;

import dev.thousandisland.Connection;

/**
 * One connection as one registry knows it: the keys it holds there and the one
 * {@link Connection#onEnd} watch that removes them when it ends. A member is made with the
 * connection's first entry and retired with its last, its watch cancelled, so a long-lived
 * connection that registers and unregisters over and over leaves nothing behind; the next entry
 * makes a new member. Every field but the watch is guarded by the member's monitor, which is
 * taken before the key's bin in the table, never after.
 *
 * @param <K> the type of the keys
 */
final class Member<K> {

	/** Where a member is in its life. */
	enum Phase {

		/** Holds entries, or is about to. */
		LIVE,

		/** Its last entry was unregistered and its watch cancelled: a new member takes its place. */
		RETIRED,

		/** Its connection ended: it takes no entries, and the connection never will again. */
		ENDED

	}

	final Connection connection;

	/** Set once, before the member is published in the registry's map of members. */
	Connection.EndWatch watch;

	Phase phase = Phase.LIVE;

	/** The keys this connection holds at least one entry under. */
	Set<K> keys = new HashSet<>(4);

	Member(Connection connection) {
		this.connection = connection;
	}

	synchronized boolean hasEnded() {
		return this.phase == Phase.ENDED;
	}

}
