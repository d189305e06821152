package dev.thousandisland.internal.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Builds version 2 headers byte by byte, as a sender would, including malformed ones: tests set
 * each field on its own. The declared length is computed unless set explicitly.
 */
final class V2HeaderBytes {

	private byte versionAndCommand = 0x21;

	private byte familyAndProtocol = 0x11;

	private Integer declaredLength;

	private final ByteArrayOutputStream body = new ByteArrayOutputStream();

	private boolean withCrc32c;

	static V2HeaderBytes proxy(int familyAndProtocol) {
		V2HeaderBytes header = new V2HeaderBytes();
		header.familyAndProtocol = (byte) familyAndProtocol;
		return header;
	}

	static V2HeaderBytes local() {
		V2HeaderBytes header = new V2HeaderBytes();
		header.versionAndCommand = 0x20;
		header.familyAndProtocol = 0x00;
		return header;
	}

	V2HeaderBytes versionAndCommand(int value) {
		this.versionAndCommand = (byte) value;
		return this;
	}

	V2HeaderBytes declaredLength(int length) {
		this.declaredLength = length;
		return this;
	}

	V2HeaderBytes bytes(byte... bytes) {
		this.body.writeBytes(bytes);
		return this;
	}

	V2HeaderBytes port(int port) {
		return bytes((byte) (port >> 8), (byte) port);
	}

	V2HeaderBytes tlv(int type, byte... value) {
		return bytes((byte) type, (byte) (value.length >> 8), (byte) value.length).bytes(value);
	}

	V2HeaderBytes tlv(int type, int... value) {
		byte[] bytes = new byte[value.length];
		for (int i = 0; i < value.length; i++) {
			bytes[i] = (byte) value[i];
		}
		return tlv(type, bytes);
	}

	/** Appends a CRC32C TLV, filled in by {@link #build()}; it must be the last TLV. */
	V2HeaderBytes crc32c() {
		this.withCrc32c = true;
		return tlv(0x03, new byte[4]);
	}

	byte[] build() {
		byte[] rest = this.body.toByteArray();
		int length = (this.declaredLength != null) ? this.declaredLength : rest.length;
		ByteBuffer header = ByteBuffer.allocate(16 + rest.length);
		header.put(ProxyHeaderReader.V2_SIGNATURE).put(this.versionAndCommand).put(this.familyAndProtocol);
		header.putShort((short) length).put(rest);
		byte[] bytes = header.array();
		if (this.withCrc32c) {
			// The CRC TLV was appended last, so its value is the last 4 bytes.
			CRC32C crc = new CRC32C();
			crc.update(bytes);
			ByteBuffer.wrap(bytes).putInt(bytes.length - 4, (int) crc.getValue());
		}
		return bytes;
	}

}
