package dev.thousandisland.internal.proxy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxyHeaderException;
import dev.thousandisland.proxy.ProxyHeaderException.Reason;

/**
 * Reads one PROXY protocol header (version 1 or 2) off the start of a connection, taking exactly
 * the header's bytes and never one more: the bytes after it belong to TLS or to the application.
 *
 * <p>It never asks its source for more than the header can still need. While the version is not
 * known it asks for at most 15 bytes (the shortest header, {@code PROXY UNKNOWN\r\n}); a version 2
 * header then tells its own length in its 16-byte fixed part; a version 1 line is read two bytes
 * at a time (one after a CR), since its CRLF can be no closer. Every failure is a
 * {@link ProxyHeaderException}; the caller closes the connection.
 *
 * <p>Stateless and thread-safe: one reader serves every connection of a server.
 */
public final class ProxyHeaderReader {

	/** The default cap on the length a version 2 header may declare after its fixed part. */
	public static final int DEFAULT_MAX_V2_LENGTH = 2048;

	static final byte[] V1_SIGNATURE = { 'P', 'R', 'O', 'X', 'Y' };

	static final byte[] V2_SIGNATURE = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };

	static final int V1_MAX_LINE = 107;

	static final int V2_FIXED_LENGTH = 16;

	private static final int SHORTEST_HEADER = 15;

	private final int maxV2Length;

	/**
	 * Creates a reader.
	 * @param maxV2Length the most bytes a version 2 header may declare after its 16-byte fixed
	 * part (addresses and TLVs); 216 is the least that fits every address family, 65535 the most
	 * the format can declare
	 */
	public ProxyHeaderReader(int maxV2Length) {
		if (maxV2Length < 216 || maxV2Length > 0xFFFF) {
			throw new IllegalArgumentException("maxV2Length must be between 216 (a Unix address block) and 65535, not "
					+ maxV2Length);
		}
		this.maxV2Length = maxV2Length;
	}

	/** Creates a reader that accepts version 2 headers of up to 16 + {@value #DEFAULT_MAX_V2_LENGTH} bytes. */
	public ProxyHeaderReader() {
		this(DEFAULT_MAX_V2_LENGTH);
	}

	/**
	 * Reads a header that must be there ({@code required} mode).
	 * @param source the connection's bytes
	 * @param deadline {@link System#nanoTime()} by which the whole header must have arrived
	 * @return the header
	 * @throws ProxyHeaderException if there is no valid header, with the reason
	 */
	public ProxyHeader readRequired(ProxyByteSource source, long deadline) throws ProxyHeaderException {
		Start start = readStart(source, deadline, true);
		return readRest(source, deadline, start);
	}

	/**
	 * Reads a header if the connection starts with one ({@code optional} mode). The decision is
	 * made on the signature alone: bytes that stop matching both signatures mean no header; once
	 * {@code PROXY} or the 12-byte version 2 signature has been seen, whatever follows must be a
	 * valid header. A connection that sends nothing before the deadline, or ends before a
	 * signature is complete, has no header; one that sends part of a signature and then stalls
	 * fails with {@link Reason#TIMEOUT}.
	 * @param source the connection's bytes
	 * @param deadline {@link System#nanoTime()} by which the whole header must have arrived
	 * @return the header, or the bytes read while looking for one
	 * @throws ProxyHeaderException if a signature was seen but the header is not valid
	 */
	public ProxyHeaderOutcome readOptional(ProxyByteSource source, long deadline) throws ProxyHeaderException {
		Start start = readStart(source, deadline, false);
		if (start.version == null) {
			return new ProxyHeaderOutcome.Absent(Arrays.copyOf(start.bytes.array(), start.bytes.position()));
		}
		return new ProxyHeaderOutcome.Present(readRest(source, deadline, start));
	}

	private ProxyHeader readRest(ProxyByteSource source, long deadline, Start start) throws ProxyHeaderException {
		return (start.version == ProxyHeader.Version.V1) ? readV1(source, deadline, start.bytes)
				: readV2(source, deadline, start.bytes);
	}

	/** Reads until the bytes match a whole signature or stop matching both. */
	private Start readStart(ProxyByteSource source, long deadline, boolean required) throws ProxyHeaderException {
		ByteBuffer bytes = ByteBuffer.allocate(V1_MAX_LINE);
		while (true) {
			int count = bytes.position();
			boolean v1 = matches(bytes, V1_SIGNATURE);
			boolean v2 = matches(bytes, V2_SIGNATURE);
			if (v1 && count >= V1_SIGNATURE.length) {
				return new Start(ProxyHeader.Version.V1, bytes);
			}
			if (v2 && count >= V2_SIGNATURE.length) {
				return new Start(ProxyHeader.Version.V2, bytes);
			}
			if (!v1 && !v2) {
				if (required) {
					throw new ProxyHeaderException(Reason.BAD_SIGNATURE,
							"the connection does not start with a PROXY signature (first byte 0x"
									+ Integer.toHexString(bytes.get(0) & 0xFF) + ")");
				}
				return new Start(null, bytes);
			}
			bytes.limit(SHORTEST_HEADER);
			int read;
			if (!required && count == 0) {
				read = readOrSilent(source, bytes, deadline);
			}
			else {
				read = read(source, bytes, deadline, "signature");
			}
			if (read < 0) {
				if (required) {
					throw truncated(count, "signature");
				}
				return new Start(null, bytes);
			}
		}
	}

	/** The first read of optional mode: a client that sends nothing until the deadline sent no header. */
	private int readOrSilent(ProxyByteSource source, ByteBuffer bytes, long deadline) throws ProxyHeaderException {
		try {
			return read(source, bytes, deadline, "signature");
		}
		catch (ProxyHeaderException ex) {
			if (ex.reason() == Reason.TIMEOUT) {
				return -1;
			}
			throw ex;
		}
	}

	private ProxyHeader readV1(ProxyByteSource source, long deadline, ByteBuffer bytes) throws ProxyHeaderException {
		int scanned = 0;
		while (true) {
			int end = V1LineParser.findLineEnd(bytes.array(), scanned, bytes.position());
			if (end >= 0) {
				return V1LineParser.parse(bytes.array(), end);
			}
			scanned = bytes.position();
			if (scanned >= V1_MAX_LINE) {
				throw new ProxyHeaderException(Reason.V1_TOO_LONG,
						"no CRLF in the first " + V1_MAX_LINE + " bytes of a version 1 line");
			}
			boolean afterCr = bytes.get(scanned - 1) == '\r';
			bytes.limit(Math.min(V1_MAX_LINE, scanned + (afterCr ? 1 : 2)));
			if (read(source, bytes, deadline, "version 1 line") < 0) {
				throw truncated(scanned, "version 1 line");
			}
		}
	}

	private ProxyHeader readV2(ProxyByteSource source, long deadline, ByteBuffer start) throws ProxyHeaderException {
		byte[] fixed = new byte[V2_FIXED_LENGTH];
		ByteBuffer bytes = ByteBuffer.wrap(fixed);
		bytes.put(start.array(), 0, start.position());
		while (bytes.hasRemaining()) {
			if (bytes.position() > 12) {
				V2HeaderParser.checkVersionAndCommand(fixed[12]);
			}
			if (read(source, bytes, deadline, "version 2 fixed part") < 0) {
				throw truncated(bytes.position(), "version 2 fixed part");
			}
		}
		V2HeaderParser.checkVersionAndCommand(fixed[12]);
		if (!V2HeaderParser.isLocal(fixed[12])) {
			// A LOCAL header's family is ignored with the rest of its block (the specification, 2.2).
			V2HeaderParser.checkFamily(fixed[13]);
		}
		int length = ((fixed[14] & 0xFF) << 8) | (fixed[15] & 0xFF);
		if (length > this.maxV2Length) {
			throw new ProxyHeaderException(Reason.LENGTH_EXCEEDS, "a version 2 header declares " + length
					+ " bytes after its fixed part, more than the " + this.maxV2Length + " accepted");
		}
		byte[] header = Arrays.copyOf(fixed, V2_FIXED_LENGTH + length);
		ByteBuffer rest = ByteBuffer.wrap(header).position(V2_FIXED_LENGTH);
		while (rest.hasRemaining()) {
			if (read(source, rest, deadline, "version 2 addresses and TLVs") < 0) {
				throw truncated(rest.position(), "version 2 header of " + header.length + " bytes");
			}
		}
		return V2HeaderParser.parse(header);
	}

	private static int read(ProxyByteSource source, ByteBuffer bytes, long deadline, String part)
			throws ProxyHeaderException {
		while (true) {
			if (System.nanoTime() - deadline > 0) {
				throw timeout(bytes.position(), part);
			}
			int read;
			try {
				read = source.read(bytes, deadline);
			}
			catch (SocketTimeoutException ex) {
				throw timeout(bytes.position(), part);
			}
			catch (IOException ex) {
				throw new ProxyHeaderException(Reason.IO_ERROR, "reading the " + part + " failed: " + ex, ex);
			}
			catch (RuntimeException ex) {
				throw new ProxyHeaderException(Reason.IO_ERROR, "reading the " + part + " failed: " + ex, ex);
			}
			if (read != 0) {
				return read;
			}
		}
	}

	private static boolean matches(ByteBuffer bytes, byte[] signature) {
		int count = Math.min(bytes.position(), signature.length);
		return Arrays.equals(bytes.array(), 0, count, signature, 0, count);
	}

	private static ProxyHeaderException timeout(int received, String part) {
		return new ProxyHeaderException(Reason.TIMEOUT,
				"the deadline passed while reading the " + part + " (" + received + " bytes received)");
	}

	private static ProxyHeaderException truncated(int received, String part) {
		return new ProxyHeaderException(Reason.TRUNCATED,
				"the peer closed the connection during the " + part + " (" + received + " bytes received)");
	}

	/** The bytes read so far, and the version their signature showed ({@code null}: no header). */
	private record Start(ProxyHeader.Version version, ByteBuffer bytes) {
	}

}
