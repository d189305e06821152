package dev.thousandisland.internal.channel;

import javax.net.ssl.SSLHandshakeException;

/**
 * Counts the TLS records a connection sends in a row without application data (handshake records,
 * alerts, empty records), and refuses the connection past {@link #MAX}. Both readers of a
 * handshake count with it: the server-name reader that walks the ClientHello first, and the
 * {@link TlsChannel} whose engine unwraps it after. One limit for both, so that a client cannot
 * slip past one of them by fragmenting for the other.
 * <p>
 * Why a limit at all: the JDK's engine reassembles a handshake message split over several records
 * by copying what it has so far into a new array at each record, so a message cut into n tiny
 * records costs it about n²/2 bytes: 32 KiB sent in one-byte records (196 KB on the wire) would,
 * by that arithmetic, cost half a gigabyte. With n records of s bytes, the cost is about n²s/2 for
 * n(s+5) bytes received: under n/2 bytes per byte, linear. Real handshakes take a handful of
 * records; a ClientHello cut into 7-byte records, as some clients do to get past middleboxes, is
 * still served (TlsFragmentedHandshakeTests).
 */
final class RecordsWithoutData {

	static final int MAX = 512;

	private int count;

	/** A record that brought application data: the count starts again. */
	void reset() {
		this.count = 0;
	}

	/**
	 * Counts one record without application data.
	 * @return {@code true} while the count is within {@link #MAX}
	 */
	boolean count() {
		return ++this.count <= MAX;
	}

	/** What a connection over the limit ends with. */
	static SSLHandshakeException refusal() {
		return new SSLHandshakeException("The client sent more than " + MAX
				+ " TLS records in a row without application data (a handshake cut into tiny records)");
	}

}
