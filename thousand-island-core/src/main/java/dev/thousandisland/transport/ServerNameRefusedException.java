package dev.thousandisland.transport;

import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLHandshakeException;

/**
 * A TLS server refused a connection over the host name its client asked for (SNI): the
 * {@code server_name} extension of the ClientHello was malformed, repeated, held more than one
 * name or a name that is not an ASCII host name, named a host the server refuses, or the name
 * the TLS engine negotiated did not select the context that served the handshake. It reaches
 * {@link dev.thousandisland.Handler#handleError} as a failed handshake, and the connection's stop
 * event carries {@link Reason#telemetryName()} as {@code handshake_reason}.
 */
public final class ServerNameRefusedException extends SSLHandshakeException {

	private static final long serialVersionUID = 1L;

	/** Why the name was refused. The names are stable: telemetry and logs carry them. */
	public enum Reason {

		/**
		 * The extension's lengths do not add up, its name list is empty, or a name in it is empty:
		 * refused with a {@code decode_error} alert.
		 */
		MALFORMED,

		/** The ClientHello has two {@code server_name} extensions: {@code illegal_parameter}. */
		REPEATED,

		/**
		 * The extension holds more than one name, of any types (TLS defines one, host_name):
		 * {@code illegal_parameter}.
		 */
		SEVERAL_NAMES,

		/**
		 * The name is not a host name in ASCII: a byte outside letters, digits, hyphen and dot
		 * (raw UTF-8, NUL, space, underscore), an empty label, a label over 63 bytes or starting or
		 * ending with a hyphen, a trailing dot, more than 253 bytes in all, or a name of a type
		 * other than host_name: {@code illegal_parameter}.
		 */
		INVALID_HOST_NAME,

		/**
		 * The name has no entry and the transport refuses unknown names
		 * ({@link TlsTransport.Builder#rejectUnknownServerNames}): {@code unrecognized_name}.
		 */
		UNKNOWN_NAME,

		/**
		 * After the handshake, the name the TLS engine reports selects a different context than the
		 * one that served the handshake: the connection is closed before its handler sees it.
		 */
		MISMATCH;

		/**
		 * Returns this reason as telemetry reports it.
		 * @return {@code sni_} and the name in lower case, such as {@code sni_repeated}
		 */
		public String telemetryName() {
			return "sni_" + name().toLowerCase(Locale.ROOT);
		}

	}

	private final Reason reason;

	/**
	 * @param reason why the name was refused
	 * @param message what was wrong, for logs
	 */
	public ServerNameRefusedException(Reason reason, String message) {
		super(message);
		this.reason = Objects.requireNonNull(reason, "reason");
	}

	/**
	 * Returns why the name was refused.
	 * @return the reason
	 */
	public Reason reason() {
		return this.reason;
	}

}
