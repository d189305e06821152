package dev.thousandisland.internal.connection;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Map;

import dev.thousandisland.Connection.State;
import dev.thousandisland.Handler;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.internal.channel.PlainChannel;
import dev.thousandisland.internal.connection.ConnectionEnd.Cause;
import dev.thousandisland.internal.telemetry.ConnectionMetadata;
import dev.thousandisland.proxy.ProxyHeaderException;
import dev.thousandisland.transport.Transport;
import dev.thousandisland.transport.TransportChannel;


/**
 * The first job of a connection, on its own new thread: from the accepted socket to a handler that
 * has seen it. It looks at the peer, asks the handler for its initial state, sets the socket
 * options, registers with a poller, reads a PROXY protocol header when the server asks for one
 * ({@link ProxyHeaderGate}), starts the {@code connection} span with the client's address, runs
 * the transport's handshake (the TLS one, say) and then {@link Handler#handleConnection}. A
 * connection that fails or is closed on the way ends here, through {@link ConnectionEnding}; one that opens goes on to
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
		ByteBuffer replay = start(connection);
		if (replay == null) {
			return false;
		}
		Cause early = connection.end.cause();
		if (early != null) {
			// Closed from outside before the socket was there to close.
			ConnectionEnding.end(connection, early.ending(), early.error());
			return false;
		}
		if (!handshake(connection, replay)) {
			return false;
		}
		// A shutdown requested during the handshake waits for handleConnection, as Thousand
		// Island's handle_continue runs before the exit signal: handleShutdown never runs for
		// a connection the handler has not seen.
		return CallbackPass.apply(connection, CallbackPass.callback(
				() -> connection.server.handler().handleConnection(connection.socket, connection.handlerState)), true);
	}

	/**
	 * Sets the socket up, reads a PROXY header if the server asks for one, and starts the span
	 * with the client's address.
	 * @return the bytes the transport must see first (usually none), or {@code null} if the
	 * connection is already over
	 */
	private static ByteBuffer start(ConnectionLoop connection) {
		SocketAddress peer;
		SocketAddress local;
		try {
			peer = connection.raw.getRemoteAddress();
			local = connection.raw.getLocalAddress();
		}
		catch (IOException ex) {
			// The client left before we looked: no span, no callback (Thousand Island's
			// premature_conn_closing).
			ConnectionEnding.abandon(connection, null);
			return null;
		}
		connection.remoteAddress = peer;
		try {
			connection.handlerState = connection.server.handler().initialState();
		}
		catch (Throwable ex) {
			ConnectionLoop.logger.log(Level.WARNING, "Handler " + connection.server.handler().getClass().getName()
					+ ".initialState() failed; closing the connection", ex);
			ConnectionEnding.abandon(connection, ex);
			return null;
		}
		SocketReadiness readiness = null;
		IOException setupError = null;
		try {
			connection.raw.configureBlocking(false);
			applySocketOptions(connection);
			readiness = connection.server.poller(connection.id).register(connection);
		}
		catch (IOException ex) {
			setupError = ex;
		}
		ProxyHeaderGate.Passed passed = new ProxyHeaderGate.Passed(null, ByteBuffer.allocate(0));
		ProxyHeaderException refused = null;
		if (setupError == null) {
			try {
				passed = ProxyHeaderGate.pass(connection.server.config(), connection.raw, peer, readiness);
			}
			catch (ProxyHeaderException ex) {
				refused = ex;
			}
		}
		SocketAddress client = passed.clientAddress(peer);
		connection.remoteAddress = client;
		connection.span = connection.acceptorSpan.startChild("connection", startMetadata(connection, client),
				connection.acceptTime);
		Cause forced = connection.end.cause();
		if (forced != null && forced.ending().isForced()) {
			// The server forced the close before the span was there to stop: stop it here.
			ConnectionEnd.emitStop(connection.span, ConnectionEnding.statsMeasurements(connection), forced);
			ConnectionEnding.closeSocket(connection);
			ConnectionEnding.finish(connection);
			return null;
		}
		connection.socket = new ConnectionSocket(connection, new PlainChannel(connection.raw), readiness,
				connection.server, local, client, passed.proxiedBy(peer));
		connection.socket.span(connection.span);
		if (setupError != null) {
			ConnectionEnding.end(connection, Ending.SOCKET_ERROR, setupError);
			return null;
		}
		if (refused != null) {
			connection.server.peerErrors().proxyRefused(connection.id, peer, refused);
			ConnectionEnding.end(connection, Ending.PROXY_REFUSED, refused);
			return null;
		}
		return passed.replay();
	}

	private static boolean handshake(ConnectionLoop connection, ByteBuffer replay) {
		ServerConfig config = connection.server.config();
		long start = System.nanoTime();
		try {
			TransportChannel channel = config.transport()
				.handshake(connection.raw, connection.socket.readiness(), Transport.deadline(config.handshakeTimeout()),
						replay);
			connection.socket.useChannel(channel, config.transport());
		}
		catch (Exception ex) {
			connection.server.peerErrors().handshakeFailed(connection.id, connection.remoteAddress, ex);
			ConnectionEnding.end(connection, Ending.HANDSHAKE_FAILED, ex);
			return false;
		}
		connection.state = State.OPEN;
		connection.span.event("ready", Map.of("handshake_duration", System.nanoTime() - start), Map.of());
		return true;
	}

	private static Map<String, Object> startMetadata(ConnectionLoop connection, SocketAddress remote) {
		return new ConnectionMetadata(connection.server.spanMetadata(), connection.id, remote);
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
