package dev.thousandisland.internal.proxy;

/**
 * Decodes the textual IP addresses of a version 1 line into bytes, strictly and without any name
 * lookup ({@code InetAddress.getByName} would resolve anything that is not an address literal).
 */
final class TextualAddresses {

	private TextualAddresses() {
	}

	/**
	 * Decodes four decimal numbers from 0 to 255, separated by single dots, without leading zeros.
	 * @param text the address
	 * @return the 4 bytes, or {@code null} if the text is not such an address
	 */
	static byte[] ipv4(String text) {
		String[] parts = text.split("\\.", -1);
		if (parts.length != 4) {
			return null;
		}
		byte[] bytes = new byte[4];
		for (int i = 0; i < 4; i++) {
			String part = parts[i];
			if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')
					|| !part.chars().allMatch((c) -> c >= '0' && c <= '9')) {
				return null;
			}
			int value = Integer.parseInt(part);
			if (value > 255) {
				return null;
			}
			bytes[i] = (byte) value;
		}
		return bytes;
	}

	/**
	 * Decodes an IPv6 address: eight groups of one to four hexadecimal digits separated by colons,
	 * at most one {@code ::} standing for one or more zero groups, and optionally a dotted IPv4
	 * address as the last 32 bits (senders print IPv4-mapped addresses that way).
	 * @param text the address
	 * @return the 16 bytes, or {@code null} if the text is not such an address
	 */
	static byte[] ipv6(String text) {
		int gap = text.indexOf("::");
		if (text.isEmpty() || (gap >= 0 && text.indexOf("::", gap + 1) >= 0)) {
			return null;
		}
		int[] head = groups((gap < 0) ? text : text.substring(0, gap), gap < 0);
		int[] tail = (gap < 0) ? new int[0] : groups(text.substring(gap + 2), true);
		if (head == null || tail == null) {
			return null;
		}
		int count = head.length + tail.length;
		if ((gap < 0) ? count != 8 : count > 7) {
			return null;
		}
		byte[] bytes = new byte[16];
		for (int i = 0; i < head.length; i++) {
			bytes[2 * i] = (byte) (head[i] >> 8);
			bytes[2 * i + 1] = (byte) head[i];
		}
		for (int i = 0; i < tail.length; i++) {
			int at = 8 - tail.length + i;
			bytes[2 * at] = (byte) (tail[i] >> 8);
			bytes[2 * at + 1] = (byte) tail[i];
		}
		return bytes;
	}

	/** Decodes colon-separated groups; the last may be a dotted IPv4 address if it ends the text. */
	private static int[] groups(String text, boolean endsAddress) {
		if (text.isEmpty()) {
			return new int[0];
		}
		String[] parts = text.split(":", -1);
		String last = parts[parts.length - 1];
		boolean dotted = endsAddress && last.indexOf('.') >= 0;
		int[] groups = new int[parts.length + (dotted ? 1 : 0)];
		for (int i = 0; i < parts.length - (dotted ? 1 : 0); i++) {
			int group = hexGroup(parts[i]);
			if (group < 0) {
				return null;
			}
			groups[i] = group;
		}
		if (dotted) {
			byte[] ipv4 = ipv4(last);
			if (ipv4 == null) {
				return null;
			}
			groups[parts.length - 1] = ((ipv4[0] & 0xFF) << 8) | (ipv4[1] & 0xFF);
			groups[parts.length] = ((ipv4[2] & 0xFF) << 8) | (ipv4[3] & 0xFF);
		}
		return groups;
	}

	private static int hexGroup(String part) {
		if (part.isEmpty() || part.length() > 4) {
			return -1;
		}
		int value = 0;
		for (int i = 0; i < part.length(); i++) {
			char c = part.charAt(i);
			int digit = (c >= '0' && c <= '9') ? c - '0'
					: (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
			if (digit < 0) {
				return -1;
			}
			value = (value << 4) | digit;
		}
		return value;
	}

}
