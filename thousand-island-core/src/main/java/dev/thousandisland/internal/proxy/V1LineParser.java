package dev.thousandisland.internal.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxyHeaderException;
import dev.thousandisland.proxy.ProxyHeaderException.Reason;

/**
 * Parses a version 1 line, {@code PROXY TCP4|TCP6 <src> <dst> <sport> <dport>\r\n} or
 * {@code PROXY UNKNOWN ...\r\n}, as strictly as the specification words it: single spaces, no
 * leading zeros, addresses of the declared family, ports 0 to 65535, and CRLF only as the end.
 * Addresses are decoded here, never by a name lookup.
 */
final class V1LineParser {

	private V1LineParser() {
	}

	/**
	 * Finds the end of the line among the bytes received so far.
	 * @param bytes the bytes received
	 * @param from the first byte not yet scanned
	 * @param to the number of bytes received
	 * @return the line's length including CRLF, or -1 if the CRLF has not arrived yet
	 * @throws ProxyHeaderException if a CR is followed by anything but LF, or an LF follows
	 * anything but CR
	 */
	static int findLineEnd(byte[] bytes, int from, int to) throws ProxyHeaderException {
		// A CR that was the last byte last time could not be judged then: look at it again.
		for (int i = Math.max(0, from - 1); i < to; i++) {
			if (bytes[i] == '\r' && i + 1 < to && bytes[i + 1] != '\n') {
				throw badField("a CR not followed by LF at byte " + i);
			}
			if (bytes[i] == '\n') {
				if (i == 0 || bytes[i - 1] != '\r') {
					throw badField("an LF not preceded by CR at byte " + i);
				}
				return i + 1;
			}
		}
		return -1;
	}

	/**
	 * Parses a complete line.
	 * @param bytes the bytes received, starting with the line
	 * @param length the line's length including CRLF
	 * @return the header
	 * @throws ProxyHeaderException if a field is malformed
	 */
	static ProxyHeader parse(byte[] bytes, int length) throws ProxyHeaderException {
		String line = new String(bytes, 0, length - 2, StandardCharsets.ISO_8859_1);
		if (!line.startsWith("PROXY ")) {
			throw badField("the signature PROXY is not followed by one space");
		}
		String rest = line.substring("PROXY ".length());
		if (rest.equals("UNKNOWN") || rest.startsWith("UNKNOWN ")) {
			// The specification has the receiver ignore whatever follows UNKNOWN.
			return new ProxyHeader(ProxyHeader.Version.V1, ProxyHeader.Command.PROXY, ProxyHeader.Family.UNSPEC,
					ProxyHeader.Protocol.UNSPEC, null, null, List.of());
		}
		boolean ipv4 = rest.startsWith("TCP4 ");
		if (!ipv4 && !rest.startsWith("TCP6 ")) {
			throw badField("the protocol is not TCP4, TCP6 or UNKNOWN");
		}
		String[] fields = rest.substring("TCP4 ".length()).split(" ", -1);
		if (fields.length != 4) {
			throw badField("a TCP line has 4 fields after the protocol, separated by one space, not " + fields.length);
		}
		InetAddress source = address(fields[0], ipv4, "source address");
		InetAddress destination = address(fields[1], ipv4, "destination address");
		int sourcePort = port(fields[2], "source port");
		int destinationPort = port(fields[3], "destination port");
		return new ProxyHeader(ProxyHeader.Version.V1, ProxyHeader.Command.PROXY,
				ipv4 ? ProxyHeader.Family.INET : ProxyHeader.Family.INET6, ProxyHeader.Protocol.STREAM,
				new InetSocketAddress(source, sourcePort), new InetSocketAddress(destination, destinationPort),
				List.of());
	}

	private static InetAddress address(String text, boolean ipv4, String field) throws ProxyHeaderException {
		byte[] bytes = ipv4 ? TextualAddresses.ipv4(text) : TextualAddresses.ipv6(text);
		if (bytes == null) {
			byte[] otherFamily = ipv4 ? TextualAddresses.ipv6(text) : TextualAddresses.ipv4(text);
			if (otherFamily != null) {
				throw new ProxyHeaderException(Reason.ADDRESS_MISMATCH, "the " + field + " '" + text
						+ "' is not " + (ipv4 ? "IPv4, as TCP4 declares" : "IPv6, as TCP6 declares"));
			}
			throw badField("the " + field + " '" + text + "' is not a canonical "
					+ (ipv4 ? "IPv4" : "IPv6") + " address");
		}
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException("An address of 4 or 16 bytes is always valid", ex);
		}
	}

	private static int port(String text, String field) throws ProxyHeaderException {
		boolean digits = !text.isEmpty() && text.length() <= 5 && text.chars().allMatch((c) -> c >= '0' && c <= '9');
		if (!digits || (text.length() > 1 && text.charAt(0) == '0') || Integer.parseInt(text) > 0xFFFF) {
			throw badField("the " + field + " '" + text + "' is not a decimal number from 0 to 65535 without leading zeros");
		}
		return Integer.parseInt(text);
	}

	private static ProxyHeaderException badField(String message) {
		return new ProxyHeaderException(Reason.V1_BAD_FIELD, "version 1 line: " + message);
	}

}
