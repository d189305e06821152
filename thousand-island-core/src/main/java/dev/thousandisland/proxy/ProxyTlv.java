package dev.thousandisland.proxy;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One type-length-value extension of a version 2 header (or a sub-TLV inside the SSL TLV). Types
 * this library does not know are kept as they are, so an application can read its own
 * (the range {@code 0xE0}-{@code 0xEF} is reserved for applications).
 *
 * @param type the type byte, 0 to 255
 * @param value the value bytes; copied on the way in and on the way out, so a TLV never changes
 */
public record ProxyTlv(int type, byte[] value) {

	/** Application-Layer Protocol Negotiation: the protocol the client chose, such as {@code h2}. */
	public static final int ALPN = 0x01;

	/** The host name the client asked for (the TLS SNI, or an authority the proxy knows), UTF-8. */
	public static final int AUTHORITY = 0x02;

	/** The CRC32C checksum of the whole header; checked when read. */
	public static final int CRC32C = 0x03;

	/** Padding, to be ignored. */
	public static final int NOOP = 0x04;

	/** An opaque id of up to 128 bytes that the proxy gave the connection. */
	public static final int UNIQUE_ID = 0x05;

	/** Details of the client's TLS connection to the proxy; see {@link ProxySsl}. */
	public static final int SSL = 0x20;

	/** Inside {@link #SSL}: the TLS version, such as {@code TLSv1.3}. */
	public static final int SSL_VERSION = 0x21;

	/** Inside {@link #SSL}: the Common Name of the client certificate's subject, UTF-8. */
	public static final int SSL_CN = 0x22;

	/** Inside {@link #SSL}: the cipher, such as {@code TLS_AES_256_GCM_SHA384}. */
	public static final int SSL_CIPHER = 0x23;

	/** Inside {@link #SSL}: the signature algorithm of the proxy's own certificate. */
	public static final int SSL_SIG_ALG = 0x24;

	/** Inside {@link #SSL}: the key algorithm of the proxy's own certificate. */
	public static final int SSL_KEY_ALG = 0x25;

	/** The name of the network namespace the proxy accepted the connection in. */
	public static final int NETNS = 0x30;

	/**
	 * Creates a TLV, copying the value.
	 * @param type the type byte, 0 to 255
	 * @param value the value, at most 65535 bytes
	 */
	public ProxyTlv {
		if (type < 0 || type > 0xFF) {
			throw new IllegalArgumentException("A TLV type is one byte (0 to 255), not " + type);
		}
		if (value.length > 0xFFFF) {
			throw new IllegalArgumentException("A TLV value has at most 65535 bytes, not " + value.length);
		}
		value = value.clone();
	}

	/**
	 * Returns a copy of the value bytes.
	 * @return the value
	 */
	@Override
	public byte[] value() {
		return this.value.clone();
	}

	/**
	 * Returns the number of value bytes, without copying them.
	 * @return the value's length
	 */
	public int length() {
		return this.value.length;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof ProxyTlv tlv && tlv.type == this.type && Arrays.equals(tlv.value, this.value);
	}

	@Override
	public int hashCode() {
		return 31 * this.type + Arrays.hashCode(this.value);
	}

	@Override
	public String toString() {
		return "ProxyTlv[type=0x" + HexFormat.of().toHexDigits((byte) this.type) + ", value="
				+ HexFormat.of().formatHex(this.value) + "]";
	}

}
