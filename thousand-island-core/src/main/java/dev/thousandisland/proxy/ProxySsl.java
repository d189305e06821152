package dev.thousandisland.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The SSL TLV of a version 2 header: how the client connected to the proxy. The proxy (not this
 * server) terminated that TLS connection; these are its findings.
 *
 * @param client the client bit field: {@link #CLIENT_SSL}, {@link #CLIENT_CERT_CONN},
 * {@link #CLIENT_CERT_SESS}
 * @param verify the proxy's certificate verification result, an unsigned 32-bit number: zero when
 * the client presented a certificate that verified
 * @param subTlvs the sub-TLVs (version, Common Name, cipher, algorithms), in the order sent
 */
public record ProxySsl(int client, long verify, List<ProxyTlv> subTlvs) {

	/** Client bit: the client connected over SSL/TLS. */
	public static final int CLIENT_SSL = 0x01;

	/** Client bit: the client presented a certificate on this connection. */
	public static final int CLIENT_CERT_CONN = 0x02;

	/** Client bit: the client presented a certificate at least once in this TLS session. */
	public static final int CLIENT_CERT_SESS = 0x04;

	/**
	 * Creates the value, copying the list.
	 * @param client the client bit field, one byte
	 * @param verify the verification result, an unsigned 32-bit number
	 * @param subTlvs the sub-TLVs
	 */
	public ProxySsl {
		if (client < 0 || client > 0xFF) {
			throw new IllegalArgumentException("The client field is one byte (0 to 255), not " + client);
		}
		if (verify < 0 || verify > 0xFFFF_FFFFL) {
			throw new IllegalArgumentException("The verify field is an unsigned 32-bit number, not " + verify);
		}
		subTlvs = List.copyOf(subTlvs);
	}

	/**
	 * Decodes the value of an SSL TLV: one client byte, a 4-byte verify result, then sub-TLVs.
	 * @param value the TLV's value bytes
	 * @return the decoded value
	 * @throws IllegalArgumentException if the value is shorter than 5 bytes or a sub-TLV runs past
	 * its end
	 */
	public static ProxySsl decode(byte[] value) {
		if (value.length < 5) {
			throw new IllegalArgumentException("An SSL TLV has at least 5 bytes, this one " + value.length);
		}
		int client = value[0] & 0xFF;
		long verify = ((value[1] & 0xFFL) << 24) | ((value[2] & 0xFF) << 16) | ((value[3] & 0xFF) << 8)
				| (value[4] & 0xFF);
		List<ProxyTlv> subTlvs = new ArrayList<>();
		int at = 5;
		while (at < value.length) {
			if (value.length - at < 3) {
				throw new IllegalArgumentException("SSL sub-TLV at byte " + at + " has no room for its type and length");
			}
			int length = ((value[at + 1] & 0xFF) << 8) | (value[at + 2] & 0xFF);
			if (at + 3 + length > value.length) {
				throw new IllegalArgumentException("SSL sub-TLV at byte " + at + " declares " + length
						+ " bytes, past the end of the SSL TLV");
			}
			subTlvs.add(new ProxyTlv(value[at] & 0xFF, Arrays.copyOfRange(value, at + 3, at + 3 + length)));
			at += 3 + length;
		}
		return new ProxySsl(client, verify, subTlvs);
	}

	/**
	 * Returns whether the client connected to the proxy over SSL/TLS.
	 * @return whether {@link #CLIENT_SSL} is set
	 */
	public boolean clientConnectedOverTls() {
		return (this.client & CLIENT_SSL) != 0;
	}

	/**
	 * Returns whether the client presented a certificate on this connection.
	 * @return whether {@link #CLIENT_CERT_CONN} is set
	 */
	public boolean clientCertificateOnConnection() {
		return (this.client & CLIENT_CERT_CONN) != 0;
	}

	/**
	 * Returns whether the client presented a certificate at least once in its TLS session.
	 * @return whether {@link #CLIENT_CERT_SESS} is set
	 */
	public boolean clientCertificateInSession() {
		return (this.client & CLIENT_CERT_SESS) != 0;
	}

	/**
	 * Returns whether the client presented a certificate and the proxy verified it: a certificate
	 * flag is set and {@link #verify()} is zero.
	 * @return whether a client certificate was presented and verified
	 */
	public boolean clientCertificateVerified() {
		return (clientCertificateOnConnection() || clientCertificateInSession()) && this.verify == 0;
	}

	/**
	 * Returns the TLS version, such as {@code TLSv1.3}.
	 * @return the version, if sent
	 */
	public Optional<String> version() {
		return text(ProxyTlv.SSL_VERSION);
	}

	/**
	 * Returns the Common Name of the client certificate's subject.
	 * @return the Common Name, if sent
	 */
	public Optional<String> commonName() {
		return text(ProxyTlv.SSL_CN);
	}

	/**
	 * Returns the cipher, such as {@code TLS_AES_256_GCM_SHA384}.
	 * @return the cipher, if sent
	 */
	public Optional<String> cipher() {
		return text(ProxyTlv.SSL_CIPHER);
	}

	/**
	 * Returns the signature algorithm of the certificate the proxy presented, such as {@code SHA256}.
	 * @return the algorithm, if sent
	 */
	public Optional<String> signatureAlgorithm() {
		return text(ProxyTlv.SSL_SIG_ALG);
	}

	/**
	 * Returns the key algorithm of the certificate the proxy presented, such as {@code RSA2048}.
	 * @return the algorithm, if sent
	 */
	public Optional<String> keyAlgorithm() {
		return text(ProxyTlv.SSL_KEY_ALG);
	}

	private Optional<String> text(int type) {
		return this.subTlvs.stream()
			.filter((tlv) -> tlv.type() == type)
			.findFirst()
			.map((tlv) -> new String(tlv.value(), StandardCharsets.UTF_8));
	}

}
