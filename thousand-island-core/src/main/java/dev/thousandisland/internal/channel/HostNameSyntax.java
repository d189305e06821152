package dev.thousandisland.internal.channel;

import java.nio.ByteBuffer;

import dev.thousandisland.transport.ServerNameRefusedException;
import dev.thousandisland.transport.ServerNameRefusedException.Reason;

/**
 * What a host name in a ClientHello may be (RFC 6066, section 3: ASCII, no trailing dot; an
 * internationalised name travels as its {@code xn--} A-labels): letters, digits and hyphens in
 * labels of 1 to 63 bytes that neither start nor end with a hyphen, separated by single dots, 253
 * bytes at most in all. These are the host names the JDK's own {@code SNIHostName} accepts
 * unchanged (its {@code IDN.toASCII} with STD3 rules leaves such a name as it is), so the name the
 * server chooses by and the name the engine reports can differ only in case; both are compared in
 * lower case, as the JDK compares them. Anything the JDK would first transform (raw UTF-8, which
 * it decodes and maps, so that a fullwidth {@code ａ} or a Kelvin sign becomes an ASCII letter) is
 * refused rather than mapped.
 */
final class HostNameSyntax {

	/** The longest name DNS can carry: 255 bytes on the wire, 253 written out without a final dot. */
	static final int MAX_LENGTH = 253;

	static final int MAX_LABEL = 63;

	private HostNameSyntax() {
	}

	/**
	 * Checks a host name's bytes and returns it in lower case.
	 * @param name the bytes, from position to limit; not consumed
	 * @return the name, lower case
	 * @throws ServerNameRefusedException ({@link Reason#INVALID_HOST_NAME}) saying what is wrong,
	 * without echoing the client's bytes
	 */
	static String lowerCase(ByteBuffer name) throws ServerNameRefusedException {
		int length = name.remaining();
		if (length > MAX_LENGTH) {
			throw invalid("is " + length + " bytes long, over " + MAX_LENGTH);
		}
		char[] chars = new char[length];
		int labelStart = 0;
		for (int i = 0; i < length; i++) {
			int b = name.get(name.position() + i) & 0xFF;
			if (b == '.') {
				checkLabel(chars, labelStart, i, length);
				labelStart = i + 1;
			}
			else if (b >= 'A' && b <= 'Z') {
				b += 'a' - 'A';
			}
			else if (!((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-')) {
				throw invalid(String.format("has byte 0x%02x at %d, not a letter, digit, hyphen or dot", b, i));
			}
			chars[i] = (char) b;
		}
		checkLabel(chars, labelStart, length, length);
		return new String(chars);
	}

	private static void checkLabel(char[] chars, int from, int to, int length) throws ServerNameRefusedException {
		if (from == to) {
			throw invalid((to == length && to > 0) ? "ends with a dot" : "has an empty label at " + from);
		}
		if (to - from > MAX_LABEL) {
			throw invalid("has a label of " + (to - from) + " bytes at " + from + ", over " + MAX_LABEL);
		}
		if (chars[from] == '-' || chars[to - 1] == '-') {
			throw invalid("has a label starting or ending with a hyphen at " + from);
		}
	}

	private static ServerNameRefusedException invalid(String what) {
		return new ServerNameRefusedException(Reason.INVALID_HOST_NAME, "The server_name host name " + what);
	}

}
