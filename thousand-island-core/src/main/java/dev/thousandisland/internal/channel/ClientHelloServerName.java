package dev.thousandisland.internal.channel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLHandshakeException;

import dev.thousandisland.transport.Readiness;
import dev.thousandisland.transport.ServerNameRefusedException;
import dev.thousandisland.transport.ServerNameRefusedException.Reason;

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
 * with no name: the engine then meets the same bytes and refuses them with the proper alert (and
 * should it accept them and find a name after all, the transport's check after the handshake
 * closes the connection).
 *
 * <p>The server_name extension itself must be exactly what RFC 6066 allows, since the name found
 * here chooses the certificate and trust while the engine's own reading of the same bytes is what
 * the handler later sees: one extension, holding one name, of type host_name, an ASCII host name
 * ({@link HostNameSyntax}). Anything else is a {@link ServerNameRefusedException}, never a guess.
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

	private ServerNameRefusedException refusal;

	/** Whether the search ended by reading a whole ClientHello, rather than by giving up. */
	private boolean understood;

	/** The ClientHello's records so far, held to the limit the engine's channel holds them to after. */
	private final RecordsWithoutData records = new RecordsWithoutData();

	/** Whether the search ended because the ClientHello came in more records than the limit. */
	private boolean overFragmented;

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
	 * @throws ServerNameRefusedException if the server_name extension breaks a rule
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
				if (search.overFragmented) {
					throw RecordsWithoutData.refusal();
				}
				if (search.refusal() != null) {
					throw search.refusal();
				}
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
			if (!this.records.count()) {
				this.overFragmented = true;
				return giveUp();
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
	 * @return the name in lower case (an IDN arrives as its ASCII form), or {@code null} when the
	 * client sent none, its ClientHello was not understood, or the name was refused
	 */
	String serverName() {
		return this.serverName;
	}

	/**
	 * Returns why the ClientHello's server_name is refused, once {@link #offer} has returned
	 * {@code true}.
	 * @return the refusal, or {@code null} when the name (or its absence) is acceptable
	 */
	ServerNameRefusedException refusal() {
		return this.refusal;
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
		try {
			String name = parseBody(in.limit(in.position() + length));
			if (this.done) {
				return; // gave up
			}
			this.serverName = name;
		}
		catch (ServerNameRefusedException ex) {
			this.refusal = ex;
		}
		this.understood = true;
		this.done = true;
		this.handshake = null;
	}

	/**
	 * Reads the ClientHello body's extensions, every one of them, for its server_name.
	 * @return the host name, or {@code null} when there is none or the body is not understood
	 * @throws ServerNameRefusedException if the server_name extension breaks a rule
	 */
	private String parseBody(ByteBuffer body) throws ServerNameRefusedException {
		if (!skip(body, 2 + 32) || !skipVector(body, 1) || !skipVector(body, 2) || !skipVector(body, 1)) {
			return unreadable();
		}
		if (!body.hasRemaining()) {
			return null; // A ClientHello without extensions (TLS 1.2 allows it) asks for no name.
		}
		ByteBuffer extensions = vector(body, 2);
		if (extensions == null) {
			return unreadable();
		}
		String name = null;
		boolean seen = false;
		while (extensions.hasRemaining()) {
			if (extensions.remaining() < 4) {
				return unreadable();
			}
			int type = uint16(extensions);
			ByteBuffer data = vector(extensions, 2);
			if (data == null) {
				return unreadable();
			}
			if (type == SERVER_NAME_EXTENSION) {
				if (seen) {
					throw new ServerNameRefusedException(Reason.REPEATED, "The ClientHello has two server_name extensions");
				}
				seen = true;
				name = hostName(data);
			}
		}
		return name;
	}

	/** Gives up on a ClientHello whose structure is broken: the engine refuses it with its own alert. */
	private String unreadable() {
		giveUp();
		return null;
	}

	/** The one host name of a server_name extension (RFC 6066, section 3), checked, in lower case. */
	private static String hostName(ByteBuffer extension) throws ServerNameRefusedException {
		if (extension.remaining() < 2 || uint16(extension) != extension.remaining() || !extension.hasRemaining()) {
			throw malformed("its name list is empty or its length does not match the extension's");
		}
		int type = extension.get() & 0xFF;
		ByteBuffer name = vector(extension, 2);
		if (name == null) {
			throw malformed("a name runs past the end of the list");
		}
		if (extension.hasRemaining()) {
			extension.get();
			if (vector(extension, 2) == null) {
				throw malformed("bytes follow the first name");
			}
			throw new ServerNameRefusedException(Reason.SEVERAL_NAMES, "The server_name extension holds more than one name");
		}
		if (type != HOST_NAME) {
			throw new ServerNameRefusedException(Reason.INVALID_HOST_NAME,
					"The server_name extension holds a name of type " + type + ", not host_name (0)");
		}
		if (!name.hasRemaining()) {
			throw malformed("its host name is empty");
		}
		return HostNameSyntax.lowerCase(name);
	}

	private static ServerNameRefusedException malformed(String what) {
		return new ServerNameRefusedException(Reason.MALFORMED, "Malformed server_name extension: " + what);
	}

	/**
	 * Returns whether the search ended by reading a whole ClientHello (whatever it found in it),
	 * rather than by giving up on bytes it does not understand.
	 * @return {@code true} when {@link #serverName()} and {@link #refusal()} describe a ClientHello
	 */
	boolean understood() {
		return this.understood;
	}

	private boolean giveUp() {
		this.understood = false;
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
