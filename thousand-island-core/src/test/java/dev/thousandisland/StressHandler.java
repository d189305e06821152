package dev.thousandisland;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.thousandisland.StressFrame.Kind;
import dev.thousandisland.transport.Transport;


/**
 * The server side of the lifecycle stress test: a handler that does what each client's frames ask
 * (echo, {@code recv} inside the callback, sends and {@code tell}s from other threads, closes from
 * outside, STARTTLS, timeouts), checks that every byte it reads belongs to its own client, and
 * reports every callback to {@link LifecycleInvariants}. One operation per method.
 */
final class StressHandler implements Handler<StressHandler.State> {

	private static final Duration RECV_WAIT = Duration.ofSeconds(5);

	private final LifecycleInvariants invariants;

	private final StressHelpers helpers;

	private final Transport startTls;

	StressHandler(LifecycleInvariants invariants, StressHelpers helpers, Transport startTls) {
		this.invariants = invariants;
		this.helpers = helpers;
		this.startTls = startTls;
	}

	/** One connection's state; other threads (pushers) read the tag and take sequence numbers. */
	static final class State {

		volatile int tag = -1;

		boolean keepsSlices;

		int nextSeq;

		/** A partial frame kept from the last handleData: a copy, or a slice of its buffer. */
		ByteBuffer pending;

		final AtomicInteger pushSeq = new AtomicInteger();

	}

	@Override
	public State initialState() {
		return new State();
	}

	@Override
	public Result<State> handleConnection(Socket socket, State state) throws Exception {
		return guarded(socket, "handleConnection", () -> Result.continueWith(state));
	}

	@Override
	public Result<State> handleData(ByteBuffer data, Socket socket, State state) throws Exception {
		return guarded(socket, "handleData", () -> onData(data, socket, state));
	}

	@Override
	public Result<State> handleMessage(Object message, Socket socket, State state) throws Exception {
		return guarded(socket, "handleMessage", () -> {
			send(socket, reply(Kind.TOLD, state, (Integer) message, 0));
			return Result.continueWith(state);
		});
	}

	@Override
	public void handleClose(Socket socket, State state) throws Exception {
		guarded(socket, "handleClose", () -> null);
	}

	@Override
	public void handleError(Throwable error, Socket socket, State state) throws Exception {
		guarded(socket, "handleError", () -> null);
	}

	@Override
	public void handleTimeout(Socket socket, State state) throws Exception {
		guarded(socket, "handleTimeout", () -> null);
	}

	@Override
	public void handleShutdown(Socket socket, State state) throws Exception {
		guarded(socket, "handleShutdown", () -> {
			if (state.tag >= 0) {
				// A connection whose client has not said hello yet has no tag to say goodbye with.
				trySend(socket, reply(Kind.BYE, state, 0, 0));
			}
			return null;
		});
	}

	private Result<State> guarded(Socket socket, String callback, Callback body) throws Exception {
		long connection = socket.connection().id();
		this.invariants.enter(connection, callback);
		try {
			return body.call();
		}
		finally {
			this.invariants.exit(connection);
		}
	}

	private Result<State> onData(ByteBuffer data, Socket socket, State state) throws Exception {
		ByteBuffer input = (state.pending != null) ? joined(state.pending, data) : data;
		state.pending = null;
		while (true) {
			int start = input.position();
			StressFrame frame = read(input, socket, state);
			if (frame == null) {
				break;
			}
			ByteBuffer body = input.duplicate().position(start + StressFrame.HEADER).limit(input.position());
			Result<State> result = onFrame(frame, body, socket, state);
			if (result != null) {
				keepRest(input, data, state);
				return result;
			}
		}
		keepRest(input, data, state);
		return Result.continueWith(state);
	}

	/** Performs one frame's request; returns a result that ends the callback, or null to go on. */
	private Result<State> onFrame(StressFrame frame, ByteBuffer body, Socket socket, State state) throws Exception {
		return switch (frame.kind()) {
			case HELLO -> hello(frame, socket, state);
			case ECHO -> echo(frame, body, socket, state);
			case RECV_NEXT -> recvNext(socket, state);
			case RECV_TIMEOUT -> recvTimeout(frame, socket);
			case PUSH -> push(frame.argument(), socket, state, null);
			case TELL -> tell(frame.argument(), socket);
			case CLOSE_OUTSIDE -> closeOutside(frame.argument(), socket);
			case FLOOD -> flood(socket, state);
			case IDLE -> Result.continueWith(state, Duration.ofMillis(frame.argument()));
			case STARTTLS -> startTls(frame.argument(), socket, state);
			case CLOSE -> Result.close(state);
			case FAIL -> fail(frame.argument() == 1, state);
			default -> throw new IllegalStateException("Client " + state.tag + " sent a server frame " + frame);
		};
	}

	/** Throws what the client asked for: an exception, or an {@link Error} a careless handler lets out. */
	private static Result<State> fail(boolean error, State state) {
		if (error) {
			throw new AssertionError("Client " + state.tag + " asked for an Error");
		}
		throw new IllegalStateException("Client " + state.tag + " asked for a failure");
	}

	private Result<State> hello(StressFrame frame, Socket socket, State state) throws IOException {
		state.tag = frame.tag();
		state.keepsSlices = frame.argument() == 1;
		this.invariants.bind(socket.connection().id(), frame.tag());
		send(socket, reply(Kind.ECHOED, state, frame.seq(), 0));
		return null;
	}

	/** Echoes the body straight from the buffer handleData received. */
	private Result<State> echo(StressFrame frame, ByteBuffer body, Socket socket, State state) throws IOException {
		socket.send(replyHeader(Kind.ECHOED, state.tag, frame.seq(), frame.bodyLength()), body);
		return null;
	}

	/** Says it is ready, then reads the next frame with {@code Socket.recv} inside this callback. */
	private Result<State> recvNext(Socket socket, State state) throws IOException {
		send(socket, reply(Kind.RECV_READY, state, 0, 0));
		ByteBuffer header = socket.recv(StressFrame.HEADER, RECV_WAIT);
		StressFrame frame = checked(() -> StressFrame.header(header), socket, state);
		ByteBuffer body = (frame.bodyLength() > 0) ? socket.recv(frame.bodyLength(), RECV_WAIT) : ByteBuffer.allocate(0);
		checked(() -> {
			frame.checkBody(body);
			return frame;
		}, socket, state);
		checkOwner(frame, socket, state);
		socket.send(replyHeader(Kind.ECHOED, state.tag, frame.seq(), frame.bodyLength()), body);
		return null;
	}

	/** Waits for bytes the client never sends: the recv timeout escapes the callback. */
	private Result<State> recvTimeout(StressFrame frame, Socket socket) throws IOException {
		socket.recv(1, Duration.ofMillis(frame.argument()));
		throw new IllegalStateException("recv returned although the client sent nothing");
	}

	/** Sends frames from another thread, optionally once {@code go} opens. */
	private Result<State> push(int count, Socket socket, State state, CountDownLatch go) {
		this.helpers.start("push", () -> {
			if (go != null) {
				go.await();
				Thread.sleep(2);
			}
			for (int i = 0; i < count; i++) {
				if (!trySend(socket, reply(Kind.PUSHED, state, state.pushSeq.getAndIncrement(), 64))) {
					return;
				}
				Thread.sleep(1);
			}
		});
		return null;
	}

	/** Tells the connection from another thread; handleMessage answers each message. */
	private Result<State> tell(int count, Socket socket) {
		Connection connection = socket.connection();
		this.helpers.start("tell", () -> {
			for (int i = 0; i < count && connection.tell(i); i++) {
				if (i % 4 == 3) {
					Thread.sleep(1);
				}
			}
		});
		return null;
	}

	/** Closes the connection from another thread: {@code Connection.close} or {@code Socket.close}. */
	private Result<State> closeOutside(int argument, Socket socket) {
		boolean socketClose = argument >= 1000;
		int delay = argument % 1000;
		this.helpers.start("close", () -> {
			Thread.sleep(delay);
			if (socketClose) {
				socket.close();
			}
			else {
				socket.connection().close();
			}
		});
		return null;
	}

	/** Sends from another thread to a client that stopped reading, until the send times out. */
	private Result<State> flood(Socket socket, State state) {
		this.helpers.start("flood", () -> {
			for (int i = 0; i < 4096; i++) {
				if (!trySend(socket, reply(Kind.FLOODED, state, i, 16 * 1024))) {
					return;
				}
			}
		});
		return null;
	}

	/** Answers OK and upgrades, while another thread sends once the upgrade has begun. */
	private Result<State> startTls(int pushes, Socket socket, State state) throws IOException {
		send(socket, reply(Kind.STARTTLS_OK, state, 0, 0));
		CountDownLatch upgrading = new CountDownLatch(1);
		if (pushes > 0) {
			push(pushes, socket, state, upgrading);
		}
		upgrading.countDown();
		return Result.switchTransport(this.startTls, state);
	}

	private StressFrame read(ByteBuffer input, Socket socket, State state) {
		StressFrame frame = checked(() -> StressFrame.tryRead(input), socket, state);
		if (frame != null) {
			checkOwner(frame, socket, state);
		}
		return frame;
	}

	/** The frame belongs to this connection's client and comes in its order. */
	private void checkOwner(StressFrame frame, Socket socket, State state) {
		boolean owned = (state.tag < 0) ? frame.kind() == Kind.HELLO : frame.tag() == state.tag;
		if (!owned || frame.seq() != state.nextSeq) {
			String detail = "handler of connection " + socket.connection().id() + " read " + frame
					+ " but expected tag " + state.tag + " seq " + state.nextSeq;
			this.invariants.clientFail("bytes of another connection (or out of order) reached a handler", state.tag,
					detail);
			throw new StressFrame.CorruptFrameException(detail);
		}
		state.nextSeq++;
	}

	private StressFrame checked(FrameReader reader, Socket socket, State state) {
		try {
			return reader.read();
		}
		catch (StressFrame.CorruptFrameException ex) {
			this.invariants.clientFail("bytes of another connection (or garbage) reached a handler", state.tag,
					"handler of connection " + socket.connection().id() + ": " + ex.getMessage());
			throw ex;
		}
	}

	/** Keeps what is left of a partial frame: a slice of the lent buffer if the client asked so. */
	private static void keepRest(ByteBuffer input, ByteBuffer data, State state) {
		if (!input.hasRemaining()) {
			return;
		}
		if (state.keepsSlices && input == data) {
			state.pending = input.slice();
		}
		else {
			state.pending = ByteBuffer.allocate(input.remaining()).put(input).flip();
		}
	}

	private static ByteBuffer joined(ByteBuffer pending, ByteBuffer data) {
		return ByteBuffer.allocate(pending.remaining() + data.remaining()).put(pending).put(data).flip();
	}

	private static ByteBuffer reply(Kind kind, State state, int seq, int bodyLength) {
		return new StressFrame(kind, state.tag, seq, 0, bodyLength).encode();
	}

	private static ByteBuffer replyHeader(Kind kind, int tag, int seq, int bodyLength) {
		return new StressFrame(kind, tag, seq, 0, bodyLength).encode().limit(StressFrame.HEADER);
	}

	private static void send(Socket socket, ByteBuffer frame) throws IOException {
		socket.send(frame);
	}

	/** Sends from a thread that is not the connection's: a closed connection just ends the sender. */
	private static boolean trySend(Socket socket, ByteBuffer frame) {
		try {
			socket.send(frame);
			return true;
		}
		catch (IOException | IllegalStateException ex) {
			return false;
		}
	}

	@FunctionalInterface
	private interface Callback {

		Result<State> call() throws Exception;

	}

	@FunctionalInterface
	private interface FrameReader {

		StressFrame read();

	}

}
