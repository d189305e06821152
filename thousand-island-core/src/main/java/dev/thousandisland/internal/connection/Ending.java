package dev.thousandisland.internal.connection;

import dev.thousandisland.Connection;
import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Socket;
import dev.thousandisland.proxy.ProxyHeaderException;

/**
 * How a connection ended: which closing callback runs, and what its {@code connection.stop}
 * event says. The {@code reason} metadata of the stop event is {@link #reason}; docs/
 * connection-lifecycle.md has the full table.
 */
public enum Ending {

	/** The client closed the connection: {@link Handler#handleClose}, socket already closed. */
	PEER_CLOSED("peer_closed", Callback.CLOSE),

	/** A callback returned {@link Result#close}: {@link Handler#handleClose}, socket open. */
	LOCAL_CLOSED("local_closed", Callback.CLOSE),

	/**
	 * {@link Socket#close()} or {@link Connection#close()}, on any thread:
	 * {@link Handler#handleClose}, socket closed.
	 */
	CLOSED("closed", Callback.CLOSE),

	/** The read deadline passed, or {@link Socket#recv}'s timeout ended a callback. */
	READ_TIMEOUT("read_timeout", Callback.TIMEOUT),

	/** A send, on any thread, made no progress for {@code sendTimeout}: {@link Handler#handleError}. */
	SEND_TIMEOUT("send_timeout", Callback.ERROR),

	/** The server is stopping: {@link Handler#handleShutdown}, socket open. */
	SHUTDOWN("shutdown", Callback.SHUTDOWN),

	/** A callback returned {@link Result#error}. */
	ERROR("error", Callback.ERROR),

	/** Reading from the socket failed. */
	SOCKET_ERROR("socket_error", Callback.ERROR),

	/** A callback threw; the span ends with {@code connection.exception} instead of a stop. */
	EXCEPTION("exception", Callback.ERROR),

	/** The transport handshake failed or timed out. */
	HANDSHAKE_FAILED("handshake_failed", Callback.ERROR),

	/**
	 * The PROXY protocol header was refused (untrusted peer, malformed, missing, late): closed
	 * before the handler saw the connection, with no callback. The stop reason is
	 * {@code proxy_} and the {@link ProxyHeaderException.Reason}, such as {@code proxy_untrusted}.
	 */
	PROXY_REFUSED("proxy_refused", Callback.NOT_OPENED),

	/** A {@link Result#switchTransport} upgrade was refused, failed or timed out. */
	UPGRADE_FAILED("upgrade_failed", Callback.ERROR),

	/** Still open at the stopping server's deadline: closed with no callback. */
	SHUTDOWN_TIMEOUT("shutdown_timeout", Callback.NONE),

	/** Open when the server was stopped with a zero timeout: closed with no callback. */
	SHUTDOWN_IMMEDIATE("shutdown_immediate", Callback.NONE),

	/** No thread could be had to resume a hibernating connection: closed with no callback. */
	SPAWN_ERROR("spawn_error", Callback.NONE);

	/** The stop event's {@code reason} metadata. */
	final String reason;

	final Callback callback;

	Ending(String reason, Callback callback) {
		this.reason = reason;
		this.callback = callback;
	}

	/**
	 * Whether the server ended the connection from outside its thread with no callback: the
	 * forced close of a stop, which cannot wait for a callback that may never return.
	 */
	boolean isForced() {
		return this.callback == Callback.NONE;
	}

	/** The stop event's {@code reason} metadata: the ending's, made precise by the error where it can be. */
	String reason(Throwable cause) {
		if (this == PROXY_REFUSED && cause instanceof ProxyHeaderException refused) {
			return "proxy_" + refused.reason().telemetryName();
		}
		return this.reason;
	}

	/** The stop event's {@code error} metadata, or {@code null} for a clean end. */
	Object error(Throwable cause) {
		return switch (this) {
			case PEER_CLOSED, LOCAL_CLOSED, CLOSED, SHUTDOWN -> null;
			case READ_TIMEOUT -> "timeout";
			case SHUTDOWN_TIMEOUT, SHUTDOWN_IMMEDIATE, SPAWN_ERROR -> this.reason;
			default -> cause;
		};
	}

	/** The closing callback an ending runs. */
	enum Callback {

		CLOSE, ERROR, SHUTDOWN, TIMEOUT, NONE,

		/** None, since the handler never saw the connection; reported from its own thread. */
		NOT_OPENED

	}

}
