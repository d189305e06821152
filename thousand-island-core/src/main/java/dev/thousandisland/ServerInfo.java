package dev.thousandisland;

import java.net.SocketAddress;

/**
 * A snapshot of a server, as Thousand Island's {@code info/1}: cheap enough for health checks,
 * not meant for a hot path.
 *
 * @param status where the server is in its life
 * @param localAddress the address it listens on, or {@code null} while not listening
 * @param activeConnections the connections alive now
 */
public record ServerInfo(ServerStatus status, SocketAddress localAddress, int activeConnections) {
}
