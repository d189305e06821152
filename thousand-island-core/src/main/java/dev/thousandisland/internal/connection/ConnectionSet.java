package dev.thousandisland.internal.connection;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live connections of one acceptor: Thousand Island's per-acceptor DynamicSupervisor. Its
 * limit is the acceptor's share, {@code numConnections}; the server adds a hard cap of its own.
 * A slot is reserved before a connection starts, so that the count never exceeds the limit even
 * while connections are being started.
 */
final class ConnectionSet {

	private final int limit;

	private final AtomicInteger reserved = new AtomicInteger();

	private final Set<ConnectionLoop> connections = ConcurrentHashMap.newKeySet();

	ConnectionSet(int limit) {
		this.limit = limit;
	}

	boolean tryReserve() {
		int current;
		do {
			current = this.reserved.get();
			if (current >= this.limit) {
				return false;
			}
		}
		while (!this.reserved.compareAndSet(current, current + 1));
		return true;
	}

	void release() {
		this.reserved.decrementAndGet();
	}

	void add(ConnectionLoop connection) {
		this.connections.add(connection);
	}

	void remove(ConnectionLoop connection) {
		if (this.connections.remove(connection)) {
			release();
		}
	}

	Set<ConnectionLoop> connections() {
		return this.connections;
	}

	int size() {
		return this.reserved.get();
	}

}
