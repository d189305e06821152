package dev.thousandisland.internal.client;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.client.FrameKind;
import dev.thousandisland.client.IdleCheckFailedException;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.framing.FramingException;

/**
 * Calls the client's handler on the client's thread and keeps what it throws from ending the
 * client: "let it crash" stops at the callback, which is logged.
 */
final class ClientCallbacks {

	private static final System.Logger logger = System.getLogger(ClientCallbacks.class.getName());

	/** The handler with its client bound in; its {@code toString} names the client in the log. */
	private final BoundHandler handler;

	ClientCallbacks(BoundHandler handler) {
		this.handler = handler;
	}

	/** Runs handleConnection; returns {@code false} when it threw, after reporting it to handleError. */
	boolean connected(ConnectKind kind) {
		try {
			this.handler.handleConnection(kind);
			return true;
		}
		catch (Exception ex) {
			logger.log(Level.WARNING, "handleConnection of client " + this.handler + " threw; reconnecting", ex);
			error(ex);
			return false;
		}
	}

	void message(Object message) {
		try {
			this.handler.handleMessage(message);
		}
		catch (Exception ex) {
			logger.log(Level.WARNING, "handleMessage of client " + this.handler + " threw", ex);
		}
	}

	void closed() {
		try {
			this.handler.handleClose();
		}
		catch (Exception ex) {
			logger.log(Level.WARNING, "handleClose of client " + this.handler + " threw", ex);
		}
	}

	void error(Throwable error) {
		try {
			this.handler.handleError(error);
		}
		catch (Exception ex) {
			logger.log(Level.WARNING, "handleError of client " + this.handler + " threw", ex);
		}
	}

	/**
	 * Hands the handler a frame no request was waiting for. What it throws ends the connection: a
	 * {@link FramingException} (what the default {@code handleFrame} throws) as the protocol error
	 * it is, anything else wrapped in a {@link HandleFrameFailedException}.
	 */
	void unsolicited(ByteBuffer frame) throws IOException {
		try {
			this.handler.handleFrame(frame);
		}
		catch (FramingException ex) {
			throw ex;
		}
		catch (Exception ex) {
			logger.log(Level.WARNING, "handleFrame of client " + this.handler + " threw; reconnecting", ex);
			throw new HandleFrameFailedException("handleFrame of client " + this.handler + " threw (" + ex + ")", ex);
		}
	}

	/**
	 * Asks the handler what a frame is; its position and limit are put back whatever it did. What
	 * it throws ends the connection as from {@link #unsolicited}.
	 */
	FrameKind classify(ByteBuffer frame, int awaitingReplies) throws IOException {
		int position = frame.position();
		int limit = frame.limit();
		try {
			FrameKind kind = this.handler.classify(frame, awaitingReplies);
			if (kind == null) {
				throw new IllegalStateException("classify returned null; it must return a FrameKind");
			}
			return kind;
		}
		catch (FramingException ex) {
			throw ex;
		}
		catch (Exception ex) {
			logger.log(Level.WARNING, "classify of client " + this.handler + " threw; reconnecting", ex);
			throw new HandleFrameFailedException("classify of client " + this.handler + " threw (" + ex + ")", ex);
		}
		finally {
			frame.limit(limit).position(position);
		}
	}

	/** Asks the handler for the idle check's ping; {@code null} when it has none or threw (logged). */
	ByteBuffer ping() {
		try {
			return this.handler.ping();
		}
		catch (Exception ex) {
			logger.log(Level.WARNING, "ping of client " + this.handler + " threw; no ping sent this time", ex);
			return null;
		}
	}

	/** The {@code reason} of a {@code client.disconnect} event for what ended a connection. */
	static String reason(Throwable ex) {
		if (ex instanceof EOFException) {
			return "peer_closed";
		}
		if (ex instanceof RequestTimeoutException) {
			return "request_timeout";
		}
		if (ex instanceof IdleCheckFailedException) {
			return "idle_check_failed";
		}
		if (ex instanceof FramingException) {
			return "protocol_error";
		}
		if (ex instanceof HandleFrameFailedException) {
			return "handler_error";
		}
		return "socket_error";
	}

	/** Reports a dropped connection to the callback its cause calls for. */
	void dropped(Throwable cause) {
		if (cause instanceof EOFException) {
			closed();
		}
		else if (cause instanceof RequestTimeoutException timeout) {
			try {
				this.handler.handleTimeout(timeout);
			}
			catch (Exception ex) {
				logger.log(Level.WARNING, "handleTimeout of client " + this.handler + " threw", ex);
			}
		}
		else if (cause instanceof HandleFrameFailedException failed) {
			error(failed.getCause());
		}
		else {
			error(cause);
		}
	}

	/**
	 * {@code handleFrame} threw: the connection ends, and {@code handleError} gets what it threw.
	 * An {@link IOException} so the session ends the way a socket error ends it.
	 */
	static final class HandleFrameFailedException extends IOException {

		private static final long serialVersionUID = 1L;

		HandleFrameFailedException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
