package dev.thousandisland.transport;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import dev.thousandisland.internal.channel.PlainChannel;
import dev.thousandisland.internal.channel.ReplayingChannel;

/**
 * The plain transport: TCP (IPv4 and IPv6) or Unix domain sockets, bytes as they are. Its
 * handshake does nothing but wrap the socket.
 */
final class PlainTransport implements Transport {

	static final PlainTransport INSTANCE = new PlainTransport();

	private PlainTransport() {
	}

	@Override
	public TransportChannel handshake(SocketChannel socket, Readiness readiness, long deadline) {
		return new PlainChannel(socket);
	}

	@Override
	public TransportChannel handshake(SocketChannel socket, Readiness readiness, long deadline, ByteBuffer alreadyRead) {
		PlainChannel channel = new PlainChannel(socket);
		return alreadyRead.hasRemaining() ? new ReplayingChannel(channel, alreadyRead) : channel;
	}

	@Override
	public boolean isSecure() {
		return false;
	}

	@Override
	public String name() {
		return "tcp";
	}

	@Override
	public String toString() {
		return "PlainTransport";
	}

}
