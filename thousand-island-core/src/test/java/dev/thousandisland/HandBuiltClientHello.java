package dev.thousandisland;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * A TLS 1.2 ClientHello built byte by byte, for the inputs the JDK's own client refuses to make
 * (two {@code server_name} extensions, two names in one, a NUL or a trailing dot in a name), sent
 * over a real socket; then the server's first flight read in the clear: the certificate it
 * presents, the issuers it would accept a client certificate from, or the alert it refuses with.
 * It never finishes a handshake: what the server chose is visible before the client's second flight.
 */
final class HandBuiltClientHello {

	static final int DECODE_ERROR = 50;

	static final int ILLEGAL_PARAMETER = 47;

	static final int UNRECOGNIZED_NAME = 112;

	private static final int TIMEOUT_MILLIS = 10_000;

	private HandBuiltClientHello() {
	}

	/** What the server answered: a certificate (and the issuers of a certificate request), or an alert. */
	record ServerFlight(String certificate, List<String> acceptedIssuers, Integer alert) {

		static ServerFlight refused(int alert) {
			return new ServerFlight(null, List.of(), alert);
		}

		@Override
		public String toString() {
			return (this.alert != null) ? "alert " + this.alert
					: this.certificate + ((this.acceptedIssuers.isEmpty()) ? "" : " asking for " + this.acceptedIssuers);
		}

	}

	/** A {@code server_name} extension with one {@code host_name} entry per name. */
	static byte[] serverName(byte[]... names) {
		ByteArrayOutputStream list = new ByteArrayOutputStream();
		for (byte[] name : names) {
			list.write(0);
			writeVector(list, name, 2);
		}
		return extension(0, vector(list.toByteArray(), 2));
	}

	/** A {@code server_name} extension with one {@code host_name} entry per name, in ASCII. */
	static byte[] serverName(String... names) {
		return serverName(Arrays.stream(names).map((name) -> name.getBytes(StandardCharsets.ISO_8859_1))
			.toArray(byte[][]::new));
	}

	/** One extension: its type, then its data as a vector. */
	static byte[] extension(int type, byte[] data) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(type >> 8);
		out.write(type);
		writeVector(out, data, 2);
		return out.toByteArray();
	}

	/**
	 * A whole ClientHello record offering TLS 1.2 with ECDSA suites only, with the given
	 * extensions (server_name ones, raw) ahead of the few the handshake needs.
	 */
	static byte[] helloRecord(byte[]... serverNameExtensions) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.write(3);
		body.write(3);
		body.writeBytes(new byte[32]); // random: zero is as good as any for a handshake never finished
		body.write(0); // no session id
		// ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 only (what HandBuiltTls12Client speaks), and the empty
		// renegotiation info signalling value.
		writeVector(body, new byte[] { (byte) 0xC0, 0x2B, 0x00, (byte) 0xFF }, 2);
		writeVector(body, new byte[] { 0 }, 1);
		ByteArrayOutputStream extensions = new ByteArrayOutputStream();
		for (byte[] extension : serverNameExtensions) {
			extensions.writeBytes(extension);
		}
		extensions.writeBytes(extension(0x000a, new byte[] { 0, 2, 0, 0x17 })); // secp256r1
		extensions.writeBytes(extension(0x000b, new byte[] { 1, 0 })); // uncompressed points
		extensions.writeBytes(extension(0x000d, new byte[] { 0, 2, 4, 3 })); // ecdsa_secp256r1_sha256
		writeVector(body, extensions.toByteArray(), 2);
		byte[] hello = body.toByteArray();
		ByteBuffer record = ByteBuffer.allocate(5 + 4 + hello.length);
		record.put((byte) 22).put((byte) 3).put((byte) 1).putShort((short) (4 + hello.length));
		record.put((byte) 1).put((byte) (hello.length >> 16)).putShort((short) hello.length).put(hello);
		return record.array();
	}

	/** Connects to a loopback port, sends {@code prefix} and the ClientHello, reads the server's answer. */
	static ServerFlight sendAfter(byte[] prefix, int port, byte[]... serverNameExtensions) throws IOException {
		try (java.net.Socket socket = new java.net.Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
			socket.setSoTimeout(TIMEOUT_MILLIS);
			socket.getOutputStream().write(prefix);
			socket.getOutputStream().write(helloRecord(serverNameExtensions));
			socket.getOutputStream().flush();
			return readFlight(socket.getInputStream());
		}
	}

	/** As {@link #sendAfter} with nothing ahead of the ClientHello. */
	static ServerFlight send(int port, byte[]... serverNameExtensions) throws IOException {
		return sendAfter(new byte[0], port, serverNameExtensions);
	}

	private static ServerFlight readFlight(InputStream socketIn) throws IOException {
		DataInputStream in = new DataInputStream(socketIn);
		ByteArrayOutputStream handshake = new ByteArrayOutputStream();
		String certificate = null;
		List<String> issuers = List.of();
		while (true) {
			int type;
			byte[] payload;
			try {
				type = in.readUnsignedByte();
				in.readUnsignedShort();
				payload = new byte[in.readUnsignedShort()];
				in.readFully(payload);
			}
			catch (EOFException | SocketTimeoutException ex) {
				throw new IOException("The server ended its answer without a ServerHelloDone or an alert", ex);
			}
			if (type == 21) {
				return ServerFlight.refused(payload[1] & 0xFF);
			}
			if (type != 22) {
				throw new IOException("Unexpected record type " + type);
			}
			handshake.writeBytes(payload);
			ByteBuffer messages = ByteBuffer.wrap(handshake.toByteArray());
			while (messages.remaining() >= 4) {
				int at = messages.position();
				int messageType = messages.get() & 0xFF;
				int length = ((messages.get() & 0xFF) << 16) | (messages.getShort() & 0xFFFF);
				if (messages.remaining() < length) {
					messages.position(at);
					break;
				}
				ByteBuffer body = messages.slice(messages.position(), length);
				messages.position(messages.position() + length);
				switch (messageType) {
					case 11 -> certificate = firstCertificateSubject(body);
					case 13 -> issuers = acceptedIssuers(body);
					case 14 -> {
						return new ServerFlight(certificate, issuers, null);
					}
					default -> {
					}
				}
			}
			byte[] rest = new byte[messages.remaining()];
			messages.get(rest);
			handshake.reset();
			handshake.writeBytes(rest);
		}
	}

	private static String firstCertificateSubject(ByteBuffer body) throws IOException {
		body.position(3);
		int length = ((body.get() & 0xFF) << 16) | (body.getShort() & 0xFFFF);
		byte[] der = new byte[length];
		body.get(der);
		try {
			X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
				.generateCertificate(new ByteArrayInputStream(der));
			return certificate.getSubjectX500Principal().getName();
		}
		catch (CertificateException ex) {
			throw new IOException(ex);
		}
	}

	private static List<String> acceptedIssuers(ByteBuffer body) {
		body.position(body.position() + 1 + (body.get(body.position()) & 0xFF));
		body.position(body.position() + 2 + (body.getShort(body.position()) & 0xFFFF));
		int end = body.position() + 2 + (body.getShort() & 0xFFFF);
		List<String> issuers = new ArrayList<>();
		while (body.position() < end) {
			byte[] name = new byte[body.getShort() & 0xFFFF];
			body.get(name);
			issuers.add(new X500Principal(name).getName());
		}
		return issuers;
	}

	private static byte[] vector(byte[] bytes, int lengthBytes) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		writeVector(out, bytes, lengthBytes);
		return out.toByteArray();
	}

	private static void writeVector(ByteArrayOutputStream out, byte[] bytes, int lengthBytes) {
		if (lengthBytes == 2) {
			out.write(bytes.length >> 8);
		}
		out.write(bytes.length);
		out.writeBytes(bytes);
	}

}
