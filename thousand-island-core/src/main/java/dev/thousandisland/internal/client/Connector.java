package dev.thousandisland.internal.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

import dev.thousandisland.transport.Transport;
import dev.thousandisland.transport.TransportChannel;

/**
 * One connect attempt: resolve, open a non-blocking socket, connect, run the transport's
 * handshake (TLS in client mode), all within one deadline, the client's {@code connectTimeout}.
 */
final class Connector {

	private final SocketAddress address;

	private final Transport transport;

	private final Selector selector;

	private final SelectorReadiness readiness;

	private final KeepAliveOptions keepAlive;

	Connector(SocketAddress address, Transport transport, Selector selector, SelectorReadiness readiness,
			KeepAliveOptions keepAlive) {
		this.address = address;
		this.transport = transport;
		this.selector = selector;
		this.readiness = readiness;
		this.keepAlive = keepAlive;
	}

	/** A connected socket, its selection key and the channel its transport made of it. */
	record Connected(SocketChannel socket, SelectionKey key, TransportChannel channel) {

		/**
		 * Closes the connection, whatever state it is in: a failure is logged at DEBUG, since the
		 * descriptor is released either way.
		 */
		void closeQuietly(String clientName) {
			try {
				this.key.cancel();
				this.channel.close();
			}
			catch (IOException ex) {
				System.getLogger(ClientLoop.class.getName())
					.log(System.Logger.Level.DEBUG, "Closing the connection of client " + clientName + " failed", ex);
			}
			finally {
				try {
					this.socket.close();
				}
				catch (IOException ex) {
					// Already closed by the channel: nothing more to release.
				}
			}
		}

	}

	Connected connect(long deadline) throws IOException {
		SocketAddress target = resolve();
		SocketChannel socket = (target instanceof UnixDomainSocketAddress)
				? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
		try {
			socket.configureBlocking(false);
			if (target instanceof InetSocketAddress) {
				socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
				this.keepAlive.apply(socket);
			}
			SelectionKey key = socket.register(this.selector, 0);
			this.readiness.key(key);
			if (!socket.connect(target)) {
				this.readiness.await(SelectionKey.OP_CONNECT, deadline);
				socket.finishConnect();
			}
			key.interestOps(0);
			TransportChannel channel = this.transport.handshake(socket, this.readiness, deadline);
			return new Connected(socket, key, channel);
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/** Resolves a host name again on every attempt, so a server that moved is found. */
	private SocketAddress resolve() throws IOException {
		if (this.address instanceof InetSocketAddress inet && inet.isUnresolved()) {
			InetSocketAddress resolved = new InetSocketAddress(inet.getHostString(), inet.getPort());
			if (resolved.isUnresolved()) {
				throw new java.net.UnknownHostException(inet.getHostString());
			}
			return resolved;
		}
		return this.address;
	}

	@Override
	public String toString() {
		return this.address.toString();
	}

}
