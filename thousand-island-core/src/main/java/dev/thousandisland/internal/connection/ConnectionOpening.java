package dev.thousandisland.internal.connection;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.util.HashMap;
import java.util.Map;

import dev.thousandisland.Connection.State;
import dev.thousandisland.Handler;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.internal.channel.PlainChannel;
import dev.thousandisland.internal.connection.ConnectionEnd.Cause;
import dev.thousandisland.transport.Transport;
import dev.thousandisland.transport.TransportChannel;


/**
 * The first job of a connection, on its own new thread: from the accepted socket to a handler that
 * has seen it. It looks at the peer, asks the handler for its initial state, starts the
 * {@code connection} span, sets the socket options, registers with a poller, runs the transport's
 * handshake (the TLS one, say) and then {@link Handler#handleConnection}. A connection that fails
 * or is closed on the way ends here, through {@link ConnectionEnding}; one that opens goes on to
 * its {@link CallbackPass passes}.
 */
final class ConnectionOpening {

	private ConnectionOpening() {
	}

	/**
	 * Opens the connection, up to and including {@link Handler#handleConnection}.
	 * @return whether the connection goes on to serve; {@code false} if it has already ended
	 */
	@SuppressWarnings("unchecked")
	static boolean open(ConnectionLoop connection) {
		if (!start(connection)) {
			return false;
		}
		Cause early = connection.end.cause();
		if (early != null) {
			// Closed from outside before the socket was there to close.
			ConnectionEnding.end(connection, early.ending(), early.error());
			return false;
		}
		if (!handshake(connection)) {
			return false;
		}
		// A shutdown requested during the handshake waits for handleConnection, as Thousand
		// Island's handle_continue runs before the exit signal: handleShutdown never runs for
		// a connection the handler has not seen.
		return CallbackPass.apply(connection, CallbackPass.callback(
				() -> connection.handler.handleConnection(connection.socket, connection.handlerState)), true);
	}

	/** Sets the socket up and starts the span. Returns false if the connection is already over. */
	private static boolean start(ConnectionLoop connection) {
		SocketAddress remote;
		SocketAddress local;
		try {
			remote = connection.raw.getRemoteAddress();
			local = connection.raw.getLocalAddress();
		}
		catch (IOException ex) {
			// The client left before we looked: no span, no callback (Thousand Island's
			// premature_conn_closing).
			ConnectionEnding.abandon(connection, null);
			return false;
		}
		connection.remoteAddress = remote;
		try {
			connection.handlerState = connection.handler.initialState();
		}
		catch (Throwable ex) {
			ConnectionLoop.logger.log(Level.WARNING, "Handler " + connection.handler.getClass().getName()
					+ ".initialState() failed; closing the connection", ex);
			ConnectionEnding.abandon(connection, ex);
			return false;
		}
		connection.span = connection.acceptorSpan.startChild("connection", startMetadata(connection, remote),
				connection.acceptTime);
		Cause forced = connection.end.cause();
		if (forced != null && forced.ending().isForced()) {
			// The server forced the close before the span was there to stop: stop it here.
			ConnectionEnd.emitStop(connection.span, ConnectionEnding.statsMeasurements(connection), forced);
			ConnectionEnding.closeSocket(connection);
			ConnectionEnding.finish(connection);
			return false;
		}
		SocketReadiness readiness;
		try {
			connection.raw.configureBlocking(false);
			applySocketOptions(connection);
			readiness = connection.server.poller(connection.id).register(connection.raw, connection);
		}
		catch (IOException ex) {
			readiness = null;
			connection.socket = new ConnectionSocket(connection, new PlainChannel(connection.raw), null,
					connection.server, local, remote);
			connection.socket.span(connection.span);
			ConnectionEnding.end(connection, Ending.SOCKET_ERROR, ex);
			return false;
		}
		connection.socket = new ConnectionSocket(connection, new PlainChannel(connection.raw), readiness,
				connection.server, local, remote);
		connection.socket.span(connection.span);
		return true;
	}

	private static boolean handshake(ConnectionLoop connection) {
		ServerConfig config = connection.server.config();
		long start = System.nanoTime();
		try {
			TransportChannel channel = config.transport()
				.handshake(connection.raw, connection.socket.readiness(), Transport.deadline(config.handshakeTimeout()));
			connection.socket.useChannel(channel, config.transport());
		}
		catch (Exception ex) {
			ConnectionEnding.end(connection, Ending.HANDSHAKE_FAILED, ex);
			return false;
		}
		connection.state = State.OPEN;
		connection.span.event("ready", Map.of("handshake_duration", System.nanoTime() - start), Map.of());
		return true;
	}

	private static Map<String, Object> startMetadata(ConnectionLoop connection, SocketAddress remote) {
		Map<String, Object> metadata = new HashMap<>(connection.server.spanMetadata());
		metadata.put("connection_id", connection.id);
		if (remote instanceof InetSocketAddress inet) {
			metadata.put("remote_address", inet.getAddress());
			metadata.put("remote_port", inet.getPort());
		}
		else if (remote instanceof UnixDomainSocketAddress unix) {
			metadata.put("remote_address", unix.getPath().toString());
		}
		return metadata;
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static void applySocketOptions(ConnectionLoop connection) throws IOException {
		ServerConfig config = connection.server.config();
		if (config.tcpNoDelay() && connection.raw.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
			connection.raw.setOption(StandardSocketOptions.TCP_NODELAY, true);
		}
		for (Map.Entry<SocketOption<?>, Object> option : config.socketOptions().entrySet()) {
			if (connection.raw.supportedOptions().contains(option.getKey())) {
				connection.raw.setOption((SocketOption) option.getKey(), option.getValue());
			}
		}
	}

}
