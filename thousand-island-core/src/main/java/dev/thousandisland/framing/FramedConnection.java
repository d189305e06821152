package dev.thousandisland.framing;

import dev.thousandisland.Socket;

/**
 * What the framing adapter keeps per connection, as the server-side {@link dev.thousandisland.Handler}'s
 * state: the framed handler's own state, the connection's frame buffer and its framed socket.
 * Only the connection's thread touches it.
 * @param <S> the framed handler's state type
 */
final class FramedConnection<S> {

	final FrameReader reader;

	private final Framing framing;

	S state;

	private FramedSocketAdapter socket;

	FramedConnection(Framing framing, S state) {
		this.framing = framing;
		this.reader = new FrameReader(framing);
		this.state = state;
	}

	/** Returns the framed view of the connection's socket, made on first use. */
	FramedSocket socket(Socket socket) {
		if (this.socket == null || !this.socket.wraps(socket)) {
			this.socket = new FramedSocketAdapter(socket, this.framing, this.reader);
		}
		return this.socket;
	}

	@Override
	public String toString() {
		return "FramedConnection[" + this.state + ", " + this.reader.buffered() + " bytes buffered]";
	}

}
