package dev.thousandisland.internal.client;

import java.util.concurrent.atomic.AtomicInteger;

import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientState;

/**
 * One member of a client pool: its connection, its index (its name is {@code <name>-<index>}),
 * and what {@link PoolMembers} knows of its use. Not API.
 */
public final class PoolMember {

	final ClientConnection client;

	final int index;

	/** Under the pool's lock. */
	boolean borrowed;

	/** Requests taken through the pool and not ended; raised under the pool's lock. */
	final AtomicInteger inUse = new AtomicInteger();

	/** When it was last taken, given back or seen busy ({@link System#nanoTime()}). */
	volatile long lastUsed = System.nanoTime();

	/** When growth started it, or {@link Long#MIN_VALUE} for a member started with the pool. */
	private final long grownAt;

	PoolMember(ClientConnection client, int index, boolean grown) {
		this.client = client;
		this.index = index;
		this.grownAt = grown ? this.lastUsed : Long.MIN_VALUE;
	}

	/**
	 * Returns the member's connection.
	 * @return the connection
	 */
	public ClientConnection client() {
		return this.client;
	}

	/**
	 * Started by growth and still in its first connect, for at most
	 * {@link PoolMembers#JOIN_WAIT_NANOS}: takes wait for it rather than queue on it.
	 */
	boolean joining(long now) {
		if (this.grownAt == Long.MIN_VALUE || now - this.grownAt >= PoolMembers.JOIN_WAIT_NANOS) {
			return false;
		}
		ClientState state = this.client.state();
		return state == ClientState.NEW || state == ClientState.CONNECTING;
	}

	/** Connected, not borrowed and holding no request: a request sent now waits for no other. */
	boolean hasRoom() {
		return !this.borrowed && this.inUse.get() == 0 && this.client.outstanding() == 0 && this.client.isConnected();
	}

}
