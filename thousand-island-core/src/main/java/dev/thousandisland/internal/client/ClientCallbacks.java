package dev.thousandisland.internal.client;

import java.io.EOFException;
import java.lang.System.Logger.Level;

import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.framing.FramingException;

/**
 * Calls the client's handler on the client's thread and keeps what it throws from ending the
 * client: "let it crash" stops at the callback, which is logged.
 */
final class ClientCallbacks {

	private static final System.Logger logger = System.getLogger(ClientCallbacks.class.getName());

	private final ClientHandler handler;

	private final ClientConnection client;

	ClientCallbacks(ClientHandler handler, ClientConnection client) {
		this.handler = handler;
		this.client = client;
	}

	/** Runs handleConnection; returns {@code false} when it threw, after reporting it to handleError. */
	boolean connected(ConnectKind kind) {
		try {
			this.handler.handleConnection(this.client, kind);
			return true;
		}
		catch (Exception ex) {
			logger.log(Level.WARNING, "handleConnection of client " + this.client + " threw; reconnecting", ex);
			error(ex);
			return false;
		}
	}

	void message(Object message) {
		try {
			this.handler.handleMessage(message, this.client);
		}
		catch (Exception ex) {
			logger.log(Level.WARNING, "handleMessage of client " + this.client + " threw", ex);
		}
	}

	void closed() {
		try {
			this.handler.handleClose(this.client);
		}
		catch (Exception ex) {
			logger.log(Level.WARNING, "handleClose of client " + this.client + " threw", ex);
		}
	}

	void error(Throwable error) {
		try {
			this.handler.handleError(error, this.client);
		}
		catch (Exception ex) {
			logger.log(Level.WARNING, "handleError of client " + this.client + " threw", ex);
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
		if (ex instanceof FramingException) {
			return "protocol_error";
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
				this.handler.handleTimeout(timeout, this.client);
			}
			catch (Exception ex) {
				logger.log(Level.WARNING, "handleTimeout of client " + this.client + " threw", ex);
			}
		}
		else {
			error(cause);
		}
	}

}
