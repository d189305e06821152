package dev.thousandisland.internal.channel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLHandshakeException;

import dev.thousandisland.transport.Readiness;

/**
 * Finds the host name a client asks for (the TLS {@code server_name} extension, RFC 6066) in
 * its ClientHello, before any {@link javax.net.ssl.SSLEngine} exists: an engine comes from one
 * {@link javax.net.ssl.SSLContext}, so the context for the name must be chosen before the engine
 * sees a byte. The JDK has no public ClientHello parser, hence this small one.
 *
 * <p>It reads, never consumes: it is fed the raw bytes received so far (from the first byte of
 * the connection) and walks them incrementally, so a ClientHello split across TLS records or
 * arriving a byte at a time costs each byte once. It reads only as far as the ClientHello needs.
 * Anything it does not understand (not a handshake record, not a ClientHello, a length that runs
 * past its container, a ClientHello larger than {@link #MAX_CLIENT_HELLO}) ends the search
 * with no name: the engine then meets the same bytes and refuses them with the proper alert.
 */
final class ClientHelloServerName {

	/** The largest ClientHello looked into; the JDK's own default limit for a handshake message. */
	static final int MAX_CLIENT_HELLO = 32_768;

	/** The most raw bytes looked at: a ClientHello cut into tiny records costs 5 bytes a record. */
	static final int MAX_RAW_BYTES = 2 * MAX_CLIENT_HELLO;

	private static final int RECORD_HEADER = 5;

	private static final int MAX_RECORD_PAYLOAD = 16_384 + 2048;

	/** Room for one whole record of any TLS version, as the read buffer before an engine exists. */
	private static final int MAX_PACKET = RECORD_HEADER + MAX_RECORD_PAYLOAD;

	private static final byte HANDSHAKE_RECORD = 22;

	private static final byte CLIENT_HELLO = 1;

	private static final int SERVER_NAME_EXTENSION = 0;

	private static final byte HOST_NAME = 0;

	/** Where, in the raw bytes, the next record header starts. */
	private int nextRecord;

	/** The handshake bytes of the records walked so far; {@code null} until the first record. */
	private ByteBuffer handshake;

	private boolean done;

	private String serverName;

	/**
	 * Reads from the socket until the ClientHello's server_name is known, keeping every byte read
	 * in {@code netIn} for the engine that will be chosen. Waits for the socket as a handshake
	 * does, and reads nothing once the ClientHello is whole (what a read brought beyond it stays
	 * in {@code netIn} too).
	 * @param socket the accepted socket, non-blocking
	 * @param netIn where the bytes read are kept
	 * @param readiness how to wait for the socket
	 * @param deadline when to give up, as {@link dev.thousandisland.transport.Transport#deadline}
	 * @return the host name, lower case, or {@code null} when there is none or it cannot be told
	 * @throws IOException if the client leaves or the deadline passes first
	 */
	static String read(SocketChannel socket, InboundCiphertext netIn, Readiness readiness, long deadline)
			throws IOException {
		ClientHelloServerName search = new ClientHelloServerName();
		while (true) {
			netIn.growIfFull(MAX_PACKET);
			int read = netIn.readFrom(socket, MAX_PACKET);
			if (read < 0) {
				throw new SSLHandshakeException("The client closed the connection before its TLS ClientHello ended");
			}
			ByteBuffer received = netIn.received();
			if (received != null && search.offer(received)) {
				return search.serverName();
			}
			if (read == 0) {
				netIn.shrinkToContents();
				readiness.awaitReadable(deadline);
			}
		}
	}

	/**
	 * Walks the bytes received so far.
	 * @param raw the connection's bytes from its first, in drain mode (read from position 0 to limit)
	 * @return {@code true} when the search is over ({@link #serverName()} tells its outcome),
	 * {@code false} when more bytes are needed
	 */
	boolean offer(ByteBuffer raw) {
		while (!this.done && raw.limit() - this.nextRecord >= RECORD_HEADER) {
			int at = this.nextRecord;
			int length = ((raw.get(at + 3) & 0xFF) << 8) | (raw.get(at + 4) & 0xFF);
			if (raw.get(at) != HANDSHAKE_RECORD || length == 0 || length > MAX_RECORD_PAYLOAD) {
				return giveUp();
			}
			if (raw.limit() - at - RECORD_HEADER < length) {
				break;
			}
			if (!append(raw, at + RECORD_HEADER, length)) {
				return giveUp();
			}
			this.nextRecord = at + RECORD_HEADER + length;
			examine();
		}
		if (!this.done && raw.limit() > this.nextRecord && raw.get(this.nextRecord) != HANDSHAKE_RECORD) {
			// Not TLS (or an SSLv2-style hello): no need to wait for a whole record header.
			return giveUp();
		}
		if (!this.done && raw.limit() >= MAX_RAW_BYTES) {
			return giveUp();
		}
		return this.done;
	}

	/**
	 * Returns the host name asked for, once {@link #offer} has returned {@code true}.
	 * @return the name in lower case, as it was sent (an IDN arrives as its ASCII form), or
	 * {@code null} when the client sent none or its ClientHello was not understood
	 */
	String serverName() {
		return this.serverName;
	}

	private boolean append(ByteBuffer raw, int from, int length) {
		if (this.handshake == null) {
			this.handshake = ByteBuffer.allocate(Math.min(length, MAX_CLIENT_HELLO + 4));
		}
		if (this.handshake.position() + length > MAX_CLIENT_HELLO + 4 + MAX_RECORD_PAYLOAD) {
			return false;
		}
		if (this.handshake.remaining() < length) {
			// Doubling, not growing by the record: a ClientHello cut into one-byte records would
			// otherwise be copied whole once per record.
			ByteBuffer larger = ByteBuffer.allocate(Math.max(this.handshake.position() + length,
					Math.min(2 * this.handshake.capacity(), MAX_CLIENT_HELLO + 4 + MAX_RECORD_PAYLOAD)));
			this.handshake = larger.put(this.handshake.flip());
		}
		this.handshake.put(this.handshake.position(), raw, from, length);
		this.handshake.position(this.handshake.position() + length);
		return true;
	}

	/** Parses the ClientHello once it is whole; until then, waits. */
	private void examine() {
		ByteBuffer in = this.handshake.duplicate().flip();
		if (in.remaining() < 4) {
			return;
		}
		if (in.get() != CLIENT_HELLO) {
			giveUp();
			return;
		}
		int length = uint24(in);
		if (length > MAX_CLIENT_HELLO) {
			giveUp();
			return;
		}
		if (in.remaining() < length) {
			return;
		}
		this.serverName = parseBody(in.limit(in.position() + length));
		this.done = true;
		this.handshake = null;
	}

	/** Reads the ClientHello body up to its server_name; {@code null} when absent or malformed. */
	private static String parseBody(ByteBuffer body) {
		if (!skip(body, 2 + 32) || !skipVector(body, 1) || !skipVector(body, 2) || !skipVector(body, 1)
				|| body.remaining() < 2) {
			return null;
		}
		ByteBuffer extensions = vector(body, 2);
		while (extensions != null && extensions.remaining() >= 4) {
			int type = uint16(extensions);
			ByteBuffer data = vector(extensions, 2);
			if (data == null) {
				return null;
			}
			if (type == SERVER_NAME_EXTENSION) {
				return hostName(data);
			}
		}
		return null;
	}

	private static String hostName(ByteBuffer extension) {
		ByteBuffer list = (extension.remaining() >= 2) ? vector(extension, 2) : null;
		while (list != null && list.remaining() >= 3) {
			byte type = list.get();
			ByteBuffer name = vector(list, 2);
			if (name == null) {
				return null;
			}
			if (type == HOST_NAME && name.hasRemaining()) {
				byte[] bytes = new byte[name.remaining()];
				name.get(bytes);
				for (byte b : bytes) {
					if (b <= 0x20 || b >= 0x7F) {
						return null;
					}
				}
				return new String(bytes, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
			}
		}
		return null;
	}

	private boolean giveUp() {
		this.done = true;
		this.serverName = null;
		this.handshake = null;
		return true;
	}

	private static boolean skip(ByteBuffer in, int count) {
		if (in.remaining() < count) {
			return false;
		}
		in.position(in.position() + count);
		return true;
	}

	private static boolean skipVector(ByteBuffer in, int lengthBytes) {
		return vector(in, lengthBytes) != null;
	}

	/** Slices a length-prefixed vector off {@code in}; {@code null} if it runs past the end. */
	private static ByteBuffer vector(ByteBuffer in, int lengthBytes) {
		if (in.remaining() < lengthBytes) {
			return null;
		}
		int length = (lengthBytes == 1) ? (in.get() & 0xFF) : uint16(in);
		if (in.remaining() < length) {
			return null;
		}
		ByteBuffer slice = in.slice(in.position(), length);
		in.position(in.position() + length);
		return slice;
	}

	private static int uint16(ByteBuffer in) {
		return ((in.get() & 0xFF) << 8) | (in.get() & 0xFF);
	}

	private static int uint24(ByteBuffer in) {
		return ((in.get() & 0xFF) << 16) | ((in.get() & 0xFF) << 8) | (in.get() & 0xFF);
	}

}
