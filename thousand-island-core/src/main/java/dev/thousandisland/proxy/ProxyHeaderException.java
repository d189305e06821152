package dev.thousandisland.proxy;

import java.io.IOException;
import java.util.Locale;
import java.util.Objects;

/**
 * A PROXY protocol header could not be read: it was malformed, exceeded a limit, ended early, did
 * not arrive before its deadline, or the socket failed while it was read. This is the only
 * exception reading a header throws; the connection it came on must be closed, since the header
 * tells where the connection's bytes start and a broken header leaves that unknown.
 */
public final class ProxyHeaderException extends IOException {

	private static final long serialVersionUID = 1L;

	/** Why a header was refused. The names are stable: telemetry and logs carry them. */
	public enum Reason {

		/** The first bytes are neither the version 1 nor the version 2 signature. */
		BAD_SIGNATURE,

		/** The version 2 signature is followed by a version other than 2. */
		BAD_VERSION,

		/** A version 2 command other than LOCAL (0) or PROXY (1). */
		BAD_COMMAND,

		/** A version 2 address family other than 0 to 3, or a transport protocol other than 0 to 2. */
		BAD_FAMILY,

		/** A version 2 header declares more bytes than the reader accepts. */
		LENGTH_EXCEEDS,

		/**
		 * The addresses do not match the declared family: a version 2 address block shorter than
		 * the family needs, or a version 1 address of the other IP family.
		 */
		ADDRESS_MISMATCH,

		/** A version 2 TLV runs past the end of the header, or fewer than 3 bytes are left for one. */
		TLV_OVERFLOW,

		/**
		 * A registered version 2 TLV with an invalid value: a CRC32C that is not 4 bytes, a unique
		 * id over 128 bytes, an SSL TLV shorter than 5 bytes or whose sub-TLVs overflow it, text
		 * that is not valid UTF-8, or a repeated CRC32C.
		 */
		BAD_TLV,

		/** The CRC32C TLV does not match the header's checksum. */
		CHECKSUM_MISMATCH,

		/** A version 1 line without CRLF in its first 107 bytes. */
		V1_TOO_LONG,

		/**
		 * A version 1 line with a malformed field: unknown protocol, bad address or port, leading
		 * zeros, wrong separators, or a lone CR or LF.
		 */
		V1_BAD_FIELD,

		/** The peer closed the connection before the header was complete. */
		TRUNCATED,

		/** The header was not complete when its deadline passed. */
		TIMEOUT,

		/** The socket failed while the header was read. */
		IO_ERROR,

		/**
		 * A header came from a peer outside the server's trusted sources: only a proxy the server
		 * trusts may tell it a client's address.
		 */
		UNTRUSTED;

		/**
		 * Returns the name used in telemetry, logs and metrics tags.
		 * @return the lower-case name, such as {@code bad_signature}
		 */
		public String telemetryName() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	private final Reason reason;

	/**
	 * Creates the exception.
	 * @param reason why the header was refused
	 * @param message what was wrong, for logs
	 */
	public ProxyHeaderException(Reason reason, String message) {
		this(reason, message, null);
	}

	/**
	 * Creates the exception with the failure that caused it.
	 * @param reason why the header was refused
	 * @param message what was wrong, for logs
	 * @param cause the underlying failure, or {@code null}
	 */
	public ProxyHeaderException(Reason reason, String message, Throwable cause) {
		super("PROXY header refused (" + Objects.requireNonNull(reason, "reason").telemetryName() + "): " + message,
				cause);
		this.reason = reason;
	}

	/**
	 * Returns why the header was refused.
	 * @return the reason
	 */
	public Reason reason() {
		return this.reason;
	}

}
