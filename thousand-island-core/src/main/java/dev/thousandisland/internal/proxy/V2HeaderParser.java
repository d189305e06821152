package dev.thousandisland.internal.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxyHeaderException;
import dev.thousandisland.proxy.ProxyHeaderException.Reason;
import dev.thousandisland.proxy.ProxySsl;
import dev.thousandisland.proxy.ProxyTlv;

/**
 * Parses a complete version 2 header (the 16-byte fixed part, then addresses and TLVs) whose
 * bytes have all arrived: the address block for the declared family, then TLVs that must fill
 * the rest exactly, the registered ones checked (CRC32C verified).
 */
final class V2HeaderParser {

	private static final int UNIQUE_ID_MAX = 128;

	private static final int UNIX_PATH_BYTES = 108;

	private V2HeaderParser() {
	}

	static void checkVersionAndCommand(byte versionAndCommand) throws ProxyHeaderException {
		int version = (versionAndCommand >> 4) & 0x0F;
		if (version != 2) {
			throw new ProxyHeaderException(Reason.BAD_VERSION,
					"the version 2 signature is followed by version " + version);
		}
		int command = versionAndCommand & 0x0F;
		if (command > 1) {
			throw new ProxyHeaderException(Reason.BAD_COMMAND,
					"command " + command + " is neither LOCAL (0) nor PROXY (1)");
		}
	}

	/** Whether the command (already checked) is LOCAL. */
	static boolean isLocal(byte versionAndCommand) {
		return (versionAndCommand & 0x0F) == 0;
	}

	static void checkFamily(byte familyAndProtocol) throws ProxyHeaderException {
		int family = (familyAndProtocol >> 4) & 0x0F;
		int protocol = familyAndProtocol & 0x0F;
		if (family > 3 || protocol > 2) {
			throw new ProxyHeaderException(Reason.BAD_FAMILY, "address family " + family + " / protocol " + protocol
					+ " is not one of UNSPEC, INET, INET6, UNIX / UNSPEC, STREAM, DGRAM");
		}
	}

	/**
	 * Parses a header.
	 * @param header exactly the header's bytes: 16 plus the length it declares
	 * @return the header
	 * @throws ProxyHeaderException if any part is invalid
	 */
	static ProxyHeader parse(byte[] header) throws ProxyHeaderException {
		checkVersionAndCommand(header[12]);
		if (isLocal(header[12])) {
			// "The receiver must accept this connection as valid and must use the real connection
			// endpoints and discard the protocol block including the family which is ignored"
			// (proxy-protocol.txt, 2.2): whatever the block holds, addresses, TLVs or junk.
			return new ProxyHeader(ProxyHeader.Version.V2, ProxyHeader.Command.LOCAL, ProxyHeader.Family.UNSPEC,
					ProxyHeader.Protocol.UNSPEC, null, null, List.of());
		}
		checkFamily(header[13]);
		ProxyHeader.Family family = ProxyHeader.Family.values()[(header[13] >> 4) & 0x0F];
		ProxyHeader.Protocol protocol = ProxyHeader.Protocol.values()[header[13] & 0x0F];
		int addressBytes = switch (family) {
			case UNSPEC -> 0;
			case INET -> 12;
			case INET6 -> 36;
			case UNIX -> 2 * UNIX_PATH_BYTES;
		};
		int available = header.length - ProxyHeaderReader.V2_FIXED_LENGTH;
		if (available < addressBytes) {
			throw new ProxyHeaderException(Reason.ADDRESS_MISMATCH, "family " + family + " needs " + addressBytes
					+ " address bytes, the header declares " + available);
		}
		SocketAddress[] addresses = (family != ProxyHeader.Family.UNSPEC && protocol != ProxyHeader.Protocol.UNSPEC)
				? addresses(header, family) : new SocketAddress[2];
		List<ProxyTlv> tlvs = tlvs(header, ProxyHeaderReader.V2_FIXED_LENGTH + addressBytes);
		return new ProxyHeader(ProxyHeader.Version.V2, ProxyHeader.Command.PROXY, family, protocol, addresses[0],
				addresses[1], tlvs);
	}

	private static SocketAddress[] addresses(byte[] header, ProxyHeader.Family family) throws ProxyHeaderException {
		int at = ProxyHeaderReader.V2_FIXED_LENGTH;
		if (family == ProxyHeader.Family.UNIX) {
			return new SocketAddress[] { unix(header, at), unix(header, at + UNIX_PATH_BYTES) };
		}
		int size = (family == ProxyHeader.Family.INET) ? 4 : 16;
		ByteBuffer ports = ByteBuffer.wrap(header, at + 2 * size, 4);
		InetAddress source = inet(Arrays.copyOfRange(header, at, at + size));
		InetAddress destination = inet(Arrays.copyOfRange(header, at + size, at + 2 * size));
		return new SocketAddress[] { new InetSocketAddress(source, Short.toUnsignedInt(ports.getShort())),
				new InetSocketAddress(destination, Short.toUnsignedInt(ports.getShort())) };
	}

	private static InetAddress inet(byte[] bytes) {
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException("An address of 4 or 16 bytes is always valid", ex);
		}
	}

	private static SocketAddress unix(byte[] header, int at) throws ProxyHeaderException {
		int end = at;
		while (end < at + UNIX_PATH_BYTES && header[end] != 0) {
			end++;
		}
		// An abstract-namespace name starts with a NUL, which a Path cannot hold: it reads as empty.
		String path = new String(header, at, end - at, StandardCharsets.UTF_8);
		try {
			return UnixDomainSocketAddress.of(path);
		}
		catch (InvalidPathException ex) {
			throw new ProxyHeaderException(Reason.ADDRESS_MISMATCH,
					"the Unix address '" + path + "' is not a valid path here", ex);
		}
	}

	private static List<ProxyTlv> tlvs(byte[] header, int from) throws ProxyHeaderException {
		List<ProxyTlv> tlvs = new ArrayList<>();
		List<Integer> valueOffsets = new ArrayList<>();
		int at = from;
		while (at < header.length) {
			if (header.length - at < 3) {
				throw new ProxyHeaderException(Reason.TLV_OVERFLOW, (header.length - at)
						+ " bytes left at byte " + at + ", too few for a TLV's type and length");
			}
			int length = ((header[at + 1] & 0xFF) << 8) | (header[at + 2] & 0xFF);
			if (at + 3 + length > header.length) {
				throw new ProxyHeaderException(Reason.TLV_OVERFLOW, "the TLV of type 0x"
						+ Integer.toHexString(header[at] & 0xFF) + " at byte " + at + " declares " + length
						+ " bytes, past the header's end at byte " + header.length);
			}
			tlvs.add(new ProxyTlv(header[at] & 0xFF, Arrays.copyOfRange(header, at + 3, at + 3 + length)));
			valueOffsets.add(at + 3);
			at += 3 + length;
		}
		// Checked once all are known, so that a repeated CRC32C is reported as such.
		for (int i = 0; i < tlvs.size(); i++) {
			check(tlvs.get(i), header, valueOffsets.get(i), tlvs);
		}
		return tlvs;
	}

	private static void check(ProxyTlv tlv, byte[] header, int valueAt, List<ProxyTlv> all)
			throws ProxyHeaderException {
		switch (tlv.type()) {
			case ProxyTlv.CRC32C -> checkCrc32c(tlv, header, valueAt, all);
			case ProxyTlv.UNIQUE_ID -> {
				if (tlv.length() > UNIQUE_ID_MAX) {
					throw badTlv("the unique id has " + tlv.length() + " bytes, more than " + UNIQUE_ID_MAX);
				}
			}
			case ProxyTlv.AUTHORITY -> checkUtf8(tlv, "authority");
			case ProxyTlv.SSL -> {
				try {
					ProxySsl ssl = ProxySsl.decode(tlv.value());
					for (ProxyTlv sub : ssl.subTlvs()) {
						if (sub.type() == ProxyTlv.SSL_CN) {
							checkUtf8(sub, "SSL Common Name");
						}
					}
				}
				catch (IllegalArgumentException ex) {
					throw badTlv(ex.getMessage());
				}
			}
			default -> {
				// Other types are the application's to read, or to ignore.
			}
		}
	}

	private static void checkCrc32c(ProxyTlv tlv, byte[] header, int valueAt, List<ProxyTlv> all)
			throws ProxyHeaderException {
		if (tlv.length() != 4) {
			throw badTlv("the CRC32C TLV has " + tlv.length() + " bytes instead of 4");
		}
		if (all.stream().filter((other) -> other.type() == ProxyTlv.CRC32C).count() > 1) {
			throw badTlv("the header has more than one CRC32C TLV");
		}
		byte[] zeroed = header.clone();
		Arrays.fill(zeroed, valueAt, valueAt + 4, (byte) 0);
		CRC32C crc = new CRC32C();
		crc.update(zeroed);
		int sent = ByteBuffer.wrap(header, valueAt, 4).getInt();
		if ((int) crc.getValue() != sent) {
			throw new ProxyHeaderException(Reason.CHECKSUM_MISMATCH, "the header's CRC32C is 0x"
					+ Integer.toHexString((int) crc.getValue()) + ", the TLV says 0x" + Integer.toHexString(sent));
		}
	}

	private static void checkUtf8(ProxyTlv tlv, String what) throws ProxyHeaderException {
		try {
			StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(tlv.value()));
		}
		catch (CharacterCodingException ex) {
			throw badTlv("the " + what + " is not valid UTF-8");
		}
	}

	private static ProxyHeaderException badTlv(String message) {
		return new ProxyHeaderException(Reason.BAD_TLV, message);
	}

}
