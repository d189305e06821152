package dev.thousandisland.internal.connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

import dev.thousandisland.Result;
import dev.thousandisland.Socket;
import dev.thousandisland.internal.channel.ReplayingChannel;
import dev.thousandisland.transport.Transport;


/**
 * STARTTLS on a live connection: {@link Result#switchTransport}. The upgrade holds the
 * connection's send lock for the whole handshake, so that a send from another thread (which
 * {@link Socket#send} allows) waits and then goes out through the new channel, encrypted,
 * instead of writing plaintext into the middle of the handshake.
 */
final class TransportSwitch {

	private TransportSwitch() {
	}

	/**
	 * Upgrades the connection in place. Only plain to secure is an upgrade; the rest is refused,
	 * as Thousand Island's {@code unsupported_upgrade}.
	 * @param upgrading told {@code true} once sends are held, {@code false} when they go again
	 * @throws UnsupportedOperationException if the connection is already secure or the target
	 * is not
	 * @throws IOException if the handshake fails or times out; the channel is then closed
	 */
	static void perform(ConnectionSocket socket, SocketChannel raw, Transport target, long deadline,
			Consumer<Boolean> upgrading) throws IOException {
		if (socket.isSecure() || !target.isSecure()) {
			throw new UnsupportedOperationException("unsupported_upgrade: connection " + socket.connection().id()
					+ " is " + (socket.isSecure() ? "already secure" : "plain") + " and " + target.name()
					+ " is not a secure transport to upgrade it to; switchTransport only upgrades a plain "
					+ "connection to TLS");
		}
		socket.lockSend();
		try {
			upgrading.accept(true);
			// Bytes read while looking for a PROXY header and not yet read by the handler are the
			// start of the new transport's handshake.
			ByteBuffer unread = (socket.channel() instanceof ReplayingChannel replaying) ? replaying.takeReplay()
					: ByteBuffer.allocate(0);
			socket.useChannel(target.handshake(raw, socket.readiness(), deadline, unread), target);
		}
		catch (IOException | RuntimeException ex) {
			// Closed before the lock goes: a sender waiting for it must fail, not write plaintext
			// into a connection whose handshake broke off.
			socket.closeChannel();
			throw ex;
		}
		finally {
			upgrading.accept(false);
			socket.sendLock().unlock();
		}
	}

}
