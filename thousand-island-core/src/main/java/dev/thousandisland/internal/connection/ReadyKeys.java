package dev.thousandisland.internal.connection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectionKey;
import java.util.Set;

/**
 * The keys one select found ready, taken out of the selector's set so that they can be dispatched
 * outside its lock, each exactly once, by the polling thread or by the successor it
 * {@link Poller#handOff handed off} to while dispatching them.
 */
final class ReadyKeys {

	private static final VarHandle NEXT;

	static {
		try {
			NEXT = MethodHandles.lookup().findVarHandle(ReadyKeys.class, "next", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final SelectionKey[] keys;

	@SuppressWarnings("unused") // through NEXT
	private volatile int next;

	/** Takes the keys out of the selector's selected set. Polling thread only. */
	ReadyKeys(Set<SelectionKey> selected) {
		this.keys = selected.toArray(new SelectionKey[0]);
		selected.clear();
	}

	/** {@return the next key not yet dispatched, or {@code null}} Any thread. */
	SelectionKey next() {
		int index = (int) NEXT.getAndAdd(this, 1);
		return (index < this.keys.length) ? this.keys[index] : null;
	}

}
