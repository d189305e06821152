package dev.thousandisland.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A TLS ClientHello built byte by byte, for protocol versions the JDK's own client refuses to
 * offer (TLS 1.1), and a reader for the first record the server answers with.
 */
final class RawClientHello {

	static final int TLS_1_1 = 0x0302;

	static final int TLS_1_2 = 0x0303;

	static final int HANDSHAKE = 0x16;

	static final int ALERT = 0x15;

	static final int SERVER_HELLO = 2;

	static final int PROTOCOL_VERSION_ALERT = 70;

	private RawClientHello() {
	}

	/**
	 * A ClientHello offering at most {@code version}, with ECDHE suites usable with an EC key for
	 * that version, the P-256 and x25519 groups, and (from TLS 1.2) signature algorithms.
	 */
	static byte[] of(int version) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		short16(body, version);
		byte[] random = new byte[32];
		ThreadLocalRandom.current().nextBytes(random);
		body.writeBytes(random);
		body.write(0);
		int[] suites = (version >= TLS_1_2)
				? new int[] { 0xC02B, 0xC02F, 0xC023, 0xC009, 0xC013, 0x002F, 0x00FF }
				: new int[] { 0xC009, 0xC00A, 0xC013, 0xC014, 0x002F, 0x0035, 0x00FF };
		short16(body, suites.length * 2);
		for (int suite : suites) {
			short16(body, suite);
		}
		body.write(1);
		body.write(0);
		ByteArrayOutputStream extensions = new ByteArrayOutputStream();
		extension(extensions, 0x000A, new int[] { 0x0017, 0x001D, 0x0018 }, true);
		short16(extensions, 0x000B);
		short16(extensions, 2);
		extensions.write(1);
		extensions.write(0);
		if (version >= TLS_1_2) {
			extension(extensions, 0x000D, new int[] { 0x0403, 0x0804, 0x0401, 0x0503 }, true);
		}
		short16(body, extensions.size());
		body.writeBytes(extensions.toByteArray());

		ByteArrayOutputStream record = new ByteArrayOutputStream();
		record.write(HANDSHAKE);
		short16(record, 0x0301);
		short16(record, body.size() + 4);
		record.write(1);
		record.write(0);
		short16(record, body.size());
		record.writeBytes(body.toByteArray());
		return record.toByteArray();
	}

	private static void extension(ByteArrayOutputStream out, int type, int[] values, boolean listLength) {
		short16(out, type);
		short16(out, values.length * 2 + (listLength ? 2 : 0));
		if (listLength) {
			short16(out, values.length * 2);
		}
		for (int value : values) {
			short16(out, value);
		}
	}

	private static void short16(ByteArrayOutputStream out, int value) {
		out.write((value >> 8) & 0xFF);
		out.write(value & 0xFF);
	}

	/**
	 * Reads the server's first record header and, for a handshake or an alert, the first two
	 * bytes of its body.
	 * @return the record, or {@code null} if the server closed without answering
	 */
	static Answer readAnswer(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		byte[] header;
		try {
			header = in.readNBytes(5);
		}
		catch (IOException ex) {
			return null;
		}
		if (header.length < 5) {
			return null;
		}
		int type = header[0] & 0xFF;
		int version = ((header[1] & 0xFF) << 8) | (header[2] & 0xFF);
		byte[] start = in.readNBytes(2);
		return new Answer(type, version, (start.length > 0) ? start[0] & 0xFF : -1,
				(start.length > 1) ? start[1] & 0xFF : -1);
	}

	/**
	 * The first record a server answered with.
	 * @param type the content type: {@link #HANDSHAKE} or {@link #ALERT}
	 * @param version the record's protocol version
	 * @param first the first body byte: the handshake message type, or the alert level
	 * @param second the second body byte: the alert description for an alert
	 */
	record Answer(int type, int version, int first, int second) {
	}

}
