package dev.thousandisland.internal.telemetry;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A connection span's start metadata: the server's entries ({@code server}, {@code handler},
 * {@code transport}) and the connection's own ({@code connection_id}, {@code remote_address},
 * {@code remote_port}), as an unmodifiable map.
 *
 * <p>A connection span lives as long as its connection, so its metadata is part of what every
 * idle connection costs. A copied map of the six entries took about 180 bytes per connection (the
 * hash table, the boxed id and port); this one shares the server's entries and keeps only a
 * reference to the address it reads the address and port from: 40 bytes. Entries are made
 * when someone asks, which only telemetry listeners do. {@link dev.thousandisland.telemetry.Span}
 * keeps it as it is rather than copying it, since it cannot change.
 */
public final class ConnectionMetadata extends AbstractMap<String, Object> {

	private final Map<String, Object> server;

	private final long connectionId;

	private final SocketAddress remote;

	/**
	 * @param server the server's entries, an unmodifiable map shared by all its connections
	 * @param connectionId the connection's id
	 * @param remote the client's address, or {@code null} if unknown
	 */
	public ConnectionMetadata(Map<String, Object> server, long connectionId, SocketAddress remote) {
		this.server = server;
		this.connectionId = connectionId;
		this.remote = remote;
	}

	@Override
	public Object get(Object key) {
		if (!(key instanceof String name)) {
			return null;
		}
		return switch (name) {
			case "connection_id" -> this.connectionId;
			case "remote_address" -> remoteAddress();
			case "remote_port" -> (this.remote instanceof InetSocketAddress inet) ? inet.getPort() : null;
			default -> this.server.get(name);
		};
	}

	@Override
	public boolean containsKey(Object key) {
		return get(key) != null;
	}

	@Override
	public Set<Entry<String, Object>> entrySet() {
		Set<Entry<String, Object>> entries = new LinkedHashSet<>(this.server.entrySet());
		entries.add(Map.entry("connection_id", this.connectionId));
		Object address = remoteAddress();
		if (address != null) {
			entries.add(Map.entry("remote_address", address));
		}
		if (this.remote instanceof InetSocketAddress inet) {
			entries.add(Map.entry("remote_port", inet.getPort()));
		}
		return Collections.unmodifiableSet(entries);
	}

	private Object remoteAddress() {
		if (this.remote instanceof InetSocketAddress inet) {
			return inet.getAddress();
		}
		if (this.remote instanceof UnixDomainSocketAddress unix) {
			return unix.getPath().toString();
		}
		return null;
	}

}
