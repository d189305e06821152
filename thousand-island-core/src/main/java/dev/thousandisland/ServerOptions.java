package dev.thousandisland;

import java.net.InetAddress;
import java.net.SocketOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.thousandisland.proxy.ProxyProtocolMode;
import dev.thousandisland.proxy.ProxyTrustedSources;
import dev.thousandisland.telemetry.TelemetryListener;
import dev.thousandisland.transport.Transport;

/**
 * The checked values behind a {@link ServerConfig}: the one place every option is validated. A
 * record so that equality, hash code and string form cover every option without a hand-kept list;
 * package-private so that adding an option changes no public constructor. Each option is
 * documented on its {@link ServerConfig.Builder} setter.
 */
record ServerOptions(String name, Handler<?> handler, Transport transport, int port, InetAddress bindAddress,
		Path unixPath, int numAcceptors, int numListenSockets, int numConnections, int maxConnections,
		int maxConnectionsRetryCount, Duration maxConnectionsRetryWait, Duration readTimeout,
		Duration handshakeTimeout, Duration shutdownTimeout, Duration sendTimeout, Duration hibernateAfter, int backlog,
		boolean tcpNoDelay, boolean reuseAddress, boolean reusePort, Map<SocketOption<?>, Object> socketOptions,
		int numPollers, boolean callbacksOnPoller, Duration pollerCallbackLimit, Duration maxAcceptBackoff, boolean silentTerminateOnError,
		List<TelemetryListener> telemetryListeners, boolean telemetryPayloads, DataBuffers dataBuffers,
		int readBufferPoolSize, int mailboxCapacity, ProxyProtocolMode proxyProtocol,
		ProxyTrustedSources proxyTrustedSources, Duration proxyHeaderTimeout, Function<String, String> optionNames) {

	/** Linux's limit on a Unix socket path, in bytes, without the terminating NUL. */
	static final int MAX_UNIX_PATH_BYTES = 107;

	/**
	 * Checks every option; run by {@link ServerConfig.Builder#build()}, the only place that makes
	 * one.
	 * @throws InvalidOptionException naming the first bad option and its value
	 */
	ServerOptions {
		require(handler != null, "handler", null, "is required: pass the Handler that speaks the protocol");
		require(name != null && !name.isBlank(), "name", name, "must not be blank");
		require(transport != null, "transport", null, "is required");
		require(port >= 0 && port <= 65535, "port", port, "must be between 0 and 65535");
		require(numAcceptors >= 1, "numAcceptors", numAcceptors, "must be at least 1");
		require(numListenSockets >= 1, "numListenSockets", numListenSockets, "must be at least 1");
		require(numListenSockets <= numAcceptors, "numListenSockets", numListenSockets,
				"must not exceed numAcceptors (" + numAcceptors + "): each listen socket needs an acceptor");
		require(numListenSockets == 1 || reusePort, "numListenSockets", numListenSockets,
				"needs reusePort=true so that the sockets can share one port");
		require(numListenSockets == 1 || unixPath == null, "numListenSockets", numListenSockets,
				"must be 1 for a Unix domain socket: a path cannot be bound twice");
		require(numConnections >= 1, "numConnections", numConnections, "must be at least 1");
		require(maxConnections >= 1, "maxConnections", maxConnections, "must be at least 1");
		require(maxConnectionsRetryCount >= 0, "maxConnectionsRetryCount", maxConnectionsRetryCount,
				"must not be negative");
		requireTimeout("maxConnectionsRetryWait", maxConnectionsRetryWait);
		requireTimeout("readTimeout", readTimeout);
		requireTimeout("handshakeTimeout", handshakeTimeout);
		requireTimeout("shutdownTimeout", shutdownTimeout);
		requireTimeout("sendTimeout", sendTimeout);
		requireTimeout("hibernateAfter", hibernateAfter);
		require(backlog >= 1, "backlog", backlog, "must be at least 1");
		require(numPollers >= 1, "numPollers", numPollers, "must be at least 1");
		require(pollerCallbackLimit != null, "pollerCallbackLimit", null, "is required");
		require(pollerCallbackLimit.compareTo(Duration.ofMillis(1)) >= 0, "pollerCallbackLimit", pollerCallbackLimit,
				"must be at least 1 ms");
		require(maxAcceptBackoff != null, "maxAcceptBackoff", null, "is required");
		require(maxAcceptBackoff.compareTo(Duration.ofMillis(1)) >= 0, "maxAcceptBackoff", maxAcceptBackoff,
				"must be at least 1 ms");
		require(dataBuffers != null, "dataBuffers", null, "is required");
		require(readBufferPoolSize >= 1, "readBufferPoolSize", readBufferPoolSize, "must be at least 1");
		require(mailboxCapacity >= 1, "mailboxCapacity", mailboxCapacity, "must be at least 1");
		require(proxyProtocol != null, "proxyProtocol", null, "is required: OFF, REQUIRED or OPTIONAL");
		require(proxyHeaderTimeout == null || !proxyHeaderTimeout.isNegative(), "proxyHeaderTimeout",
				proxyHeaderTimeout, "must not be negative");
		if (unixPath != null) {
			int length = unixPath.toString().getBytes(StandardCharsets.UTF_8).length;
			require(length <= MAX_UNIX_PATH_BYTES, "unixPath", unixPath,
					"is " + length + " bytes long; Unix socket paths are limited to " + MAX_UNIX_PATH_BYTES
							+ " bytes: use a shorter path");
			require(bindAddress == null, "bindAddress", bindAddress, "cannot be combined with unixPath");
		}
		// Copies, so that a builder used again afterwards cannot change a built configuration.
		socketOptions = Map.copyOf(socketOptions);
		telemetryListeners = List.copyOf(telemetryListeners);
	}

	/**
	 * Parses the trusted sources of the PROXY protocol.
	 * @throws InvalidOptionException naming {@code proxyTrustedSources} and the bad entry
	 */
	static ProxyTrustedSources trustedSources(List<String> sources) {
		require(sources != null, "proxyTrustedSources", null, "is required: addresses and CIDR blocks");
		try {
			return ProxyTrustedSources.of(sources);
		}
		catch (IllegalArgumentException | NullPointerException ex) {
			throw new InvalidOptionException("proxyTrustedSources", sources, ex.getMessage());
		}
	}

	static void requireTimeout(String option, Duration value) {
		require(value != null, option, null, "is required");
		require(!value.isNegative(), option, value, "must not be negative");
	}

	private static void require(boolean condition, String option, Object value, String problem) {
		if (!condition) {
			throw new InvalidOptionException(option, value, problem);
		}
	}

}
