package dev.thousandisland.framing;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Socket;
import dev.thousandisland.telemetry.TelemetryEvent;


/**
 * The {@link Handler} a server runs for a {@link FramedHandler}: {@link Framing#handler}. Each
 * read goes through the connection's {@link FrameReader}, and every whole frame to
 * {@link FramedHandler#handleFrame}; the other callbacks pass straight through. Being an ordinary
 * handler, it needs nothing from the server, the Spring auto-configuration or the telemetry.
 * @param <S> the framed handler's state type
 */
final class FramingHandler<S> implements Handler<FramedConnection<S>> {

	/** Within the connection span: {@value TelemetryEvent#CONNECTION_FRAME_TOO_LARGE}. */
	private static final String FRAME_TOO_LARGE = "frame_too_large";

	private final Framing framing;

	private final FramedHandler<S> handler;

	FramingHandler(Framing framing, FramedHandler<S> handler) {
		this.framing = Objects.requireNonNull(framing, "framing");
		this.handler = Objects.requireNonNull(handler, "handler");
	}

	@Override
	public FramedConnection<S> initialState() {
		return new FramedConnection<>(this.framing, this.handler.initialState());
	}

	@Override
	public Result<FramedConnection<S>> handleConnection(Socket socket, FramedConnection<S> connection) throws Exception {
		FramedSocket framed = connection.socket(socket);
		try {
			return carryOn(this.handler.handleConnection(framed, connection.state), framed, connection);
		}
		catch (FrameTooLargeException ex) {
			return frameTooLarge(ex, framed, connection);
		}
	}

	@Override
	public Result<FramedConnection<S>> handleData(ByteBuffer data, Socket socket, FramedConnection<S> connection)
			throws Exception {
		FramedSocket framed = connection.socket(socket);
		connection.reader.offer(data);
		try {
			return deliver(Result.ReadTimeout.Current.INSTANCE, framed, connection);
		}
		finally {
			// The data may be lent for this callback only: no reference to it outlives it.
			connection.reader.releaseOffered();
		}
	}

	@Override
	public Result<FramedConnection<S>> handleMessage(Object message, Socket socket, FramedConnection<S> connection)
			throws Exception {
		FramedSocket framed = connection.socket(socket);
		try {
			return carryOn(this.handler.handleMessage(message, framed, connection.state), framed, connection);
		}
		catch (FrameTooLargeException ex) {
			return frameTooLarge(ex, framed, connection);
		}
	}

	@Override
	public void handleClose(Socket socket, FramedConnection<S> connection) throws Exception {
		this.handler.handleClose(connection.socket(socket), connection.state);
		connection.reader.discard();
	}

	@Override
	public void handleError(Throwable error, Socket socket, FramedConnection<S> connection) throws Exception {
		this.handler.handleError(error, connection.socket(socket), connection.state);
		connection.reader.discard();
	}

	@Override
	public void handleShutdown(Socket socket, FramedConnection<S> connection) throws Exception {
		this.handler.handleShutdown(connection.socket(socket), connection.state);
	}

	@Override
	public void handleTimeout(Socket socket, FramedConnection<S> connection) throws Exception {
		this.handler.handleTimeout(connection.socket(socket), connection.state);
		connection.reader.discard();
	}

	/**
	 * Hands every whole frame buffered to the handler, in order, until none is left or a result
	 * ends the delivery.
	 */
	private Result<FramedConnection<S>> deliver(Result.ReadTimeout timeout, FramedSocket framed,
			FramedConnection<S> connection) throws Exception {
		try {
			ByteBuffer frame;
			while ((frame = connection.reader.next()) != null) {
				Result<S> result = this.handler.handleFrame(frame, framed, connection.state);
				connection.state = result.state();
				if (!(result instanceof Result.Continue<S> next)) {
					return end(result, connection);
				}
				if (next.readTimeout() != Result.ReadTimeout.Current.INSTANCE) {
					timeout = next.readTimeout();
				}
			}
			return new Result.Continue<>(connection, timeout);
		}
		catch (FrameTooLargeException ex) {
			return frameTooLarge(ex, framed, connection);
		}
		catch (FramingException ex) {
			connection.reader.discard();
			return Result.error(ex, connection);
		}
	}

	/**
	 * After a callback other than {@code handleFrame}: frames it left buffered (a
	 * {@code recvFrame} that read more than one) are delivered now, not after the next read.
	 */
	private Result<FramedConnection<S>> carryOn(Result<S> result, FramedSocket framed, FramedConnection<S> connection)
			throws Exception {
		connection.state = result.state();
		if (result instanceof Result.Continue<S> next) {
			return deliver(next.readTimeout(), framed, connection);
		}
		return end(result, connection);
	}

	private Result<FramedConnection<S>> end(Result<S> result, FramedConnection<S> connection) {
		return switch (result) {
			case Result.Continue<S> next -> new Result.Continue<>(connection, next.readTimeout());
			case Result.Close<S> close -> Result.close(connection);
			case Result.Error<S> error -> Result.error(error.reason(), connection);
			case Result.SwitchTransport<S> upgrade -> switchTransport(upgrade, connection);
		};
	}

	/**
	 * STARTTLS: bytes buffered after the frame that asked for it came in plaintext before the
	 * handshake. Handing them to the handshake would need the server's machinery to accept bytes
	 * from a handler; treating them as plaintext would be CVE-2011-0411's command injection. The
	 * client broke the protocol (it must wait for the answer), so the connection ends.
	 */
	private Result<FramedConnection<S>> switchTransport(Result.SwitchTransport<S> upgrade,
			FramedConnection<S> connection) {
		int early = connection.reader.buffered();
		if (early > 0) {
			connection.reader.discard();
			return Result.error(new FramingException("STARTTLS refused: " + early + " bytes arrived after the frame that "
					+ "asked for the upgrade, before the TLS handshake; the client must wait for the server's answer "
					+ "before it starts TLS (RFC 3207, section 4)"), connection);
		}
		return Result.switchTransport(upgrade.transport(), connection);
	}

	private Result<FramedConnection<S>> frameTooLarge(FrameTooLargeException ex, FramedSocket framed,
			FramedConnection<S> connection) {
		connection.reader.discard();
		framed.telemetrySpan()
			.event(FRAME_TOO_LARGE, Map.of("frame_size", ex.frameSize(), "max_frame_size", ex.maxFrameSize()),
					Map.of("reason", FRAME_TOO_LARGE));
		try {
			this.handler.handleFrameTooLarge(ex, framed, connection.state);
		}
		catch (Exception hookFailure) {
			ex.addSuppressed(hookFailure);
		}
		return Result.error(ex, connection);
	}

	@Override
	public String toString() {
		return "FramingHandler[" + this.framing + ", " + this.handler + "]";
	}

}
