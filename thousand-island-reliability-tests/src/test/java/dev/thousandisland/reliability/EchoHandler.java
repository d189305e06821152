package dev.thousandisland.reliability;

import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Socket;
import dev.thousandisland.transport.TlsTransport;

/**
 * Echoes every byte. Records each connection's thread (in {@link #initialState()}, the first thing
 * that runs on it) so that a test can check that none outlives its connection. With a TLS
 * transport it also speaks STARTTLS: a connection whose first bytes are {@code STARTTLS\n} gets
 * {@code OK\n} and switches to TLS, so that one server takes both plain and TLS clients.
 */
final class EchoHandler implements Handler<EchoHandler.State> {

	final Queue<Thread> threads = new ConcurrentLinkedQueue<>();

	private final TlsTransport startTls;

	EchoHandler() {
		this(null);
	}

	EchoHandler(TlsTransport startTls) {
		this.startTls = startTls;
	}

	@Override
	public State initialState() {
		this.threads.add(Thread.currentThread());
		return new State();
	}

	@Override
	public Result<State> handleData(ByteBuffer data, Socket socket, State state) throws Exception {
		if (this.startTls != null && !state.upgraded && data.equals(ByteBuffer.wrap(Clients.STARTTLS))) {
			state.upgraded = true;
			socket.send(Clients.STARTTLS_OK);
			return Result.switchTransport(this.startTls, state);
		}
		socket.send(data);
		return Result.continueWith(state);
	}

	/** One connection's state, touched only by its own thread. */
	static final class State {

		boolean upgraded;

	}

}
