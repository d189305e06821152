package dev.thousandisland;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The smallest TLS 1.2 client that completes a handshake with a client certificate
 * (ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 over secp256r1) from a {@link HandBuiltClientHello}
 * ClientHello, so that inputs the JDK's client cannot make (two server_name extensions) can be
 * taken through a whole handshake and the server's handler reached. It verifies nothing the
 * server sends (a test fixture, never a client): it only reports whether the server accepted the
 * handshake, that is, sent its ChangeCipherSpec after the client's Finished.
 */
final class HandBuiltTls12Client {

	private HandBuiltTls12Client() {
	}

	/**
	 * Runs a handshake with the given server_name extensions, presenting the key store's
	 * certificate when asked for one.
	 * @param keyStore a PKCS12 file of {@link TestCertificates}, such as {@code tenant-client.p12}
	 * @param alias its key's alias
	 * @return {@code accepted}, or {@code alert <n>}, or {@code closed}
	 */
	static String handshake(int port, String keyStore, String alias, byte[]... serverNameExtensions)
			throws IOException, GeneralSecurityException {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(TestCertificates.get().file(keyStore))) {
			store.load(in, TestCertificates.PASSWORD);
		}
		PrivateKey clientKey = (PrivateKey) store.getKey(alias, TestCertificates.PASSWORD);
		Certificate[] chain = store.getCertificateChain(alias);
		try (java.net.Socket socket = new java.net.Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
			socket.setSoTimeout(10_000);
			byte[] hello = HandBuiltClientHello.helloRecord(serverNameExtensions);
			socket.getOutputStream().write(hello);
			ByteArrayOutputStream transcript = new ByteArrayOutputStream();
			transcript.write(hello, 5, hello.length - 5);
			DataInputStream in = new DataInputStream(socket.getInputStream());
			byte[] serverRandom = null;
			byte[] serverPoint = null;
			boolean certificateRequested = false;
			ByteArrayOutputStream pending = new ByteArrayOutputStream();
			boolean done = false;
			while (!done) {
				int type = in.readUnsignedByte();
				in.readUnsignedShort();
				byte[] payload = new byte[in.readUnsignedShort()];
				in.readFully(payload);
				if (type == 21) {
					return "alert " + (payload[1] & 0xFF);
				}
				pending.writeBytes(payload);
				ByteBuffer messages = ByteBuffer.wrap(pending.toByteArray());
				while (messages.remaining() >= 4) {
					int at = messages.position();
					int messageType = messages.get() & 0xFF;
					int length = ((messages.get() & 0xFF) << 16) | (messages.getShort() & 0xFFFF);
					if (messages.remaining() < length) {
						messages.position(at);
						break;
					}
					transcript.write(messages.array(), at, 4 + length);
					byte[] body = Arrays.copyOfRange(messages.array(), at + 4, at + 4 + length);
					messages.position(at + 4 + length);
					switch (messageType) {
						case 2 -> serverRandom = Arrays.copyOfRange(body, 2, 34);
						case 12 -> serverPoint = Arrays.copyOfRange(body, 4, 4 + (body[3] & 0xFF));
						case 13 -> certificateRequested = true;
						case 14 -> done = true;
						default -> {
						}
					}
				}
				byte[] rest = Arrays.copyOfRange(messages.array(), messages.position(), messages.limit());
				pending.reset();
				pending.writeBytes(rest);
			}
			if (serverRandom == null || serverPoint == null || serverPoint.length != 65) {
				throw new IOException("Not an ECDHE secp256r1 server flight");
			}
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"));
			KeyPair ours = generator.generateKeyPair();
			ECPublicKey ourPublic = (ECPublicKey) ours.getPublic();
			ByteArrayOutputStream flight = new ByteArrayOutputStream();
			if (certificateRequested) {
				ByteArrayOutputStream list = new ByteArrayOutputStream();
				for (Certificate certificate : chain) {
					list.writeBytes(uint24Vector(certificate.getEncoded()));
				}
				flight.writeBytes(handshakeMessage(11, uint24Vector(list.toByteArray())));
			}
			byte[] point = uncompressed(ourPublic.getW());
			byte[] keyExchange = new byte[1 + point.length];
			keyExchange[0] = (byte) point.length;
			System.arraycopy(point, 0, keyExchange, 1, point.length);
			flight.writeBytes(handshakeMessage(16, keyExchange));
			transcript.writeBytes(flight.toByteArray());
			if (certificateRequested) {
				Signature signature = Signature.getInstance("SHA256withECDSA");
				signature.initSign(clientKey);
				signature.update(transcript.toByteArray());
				byte[] signed = signature.sign();
				ByteBuffer verify = ByteBuffer.allocate(4 + signed.length).put((byte) 4).put((byte) 3)
					.putShort((short) signed.length).put(signed);
				byte[] message = handshakeMessage(15, verify.array());
				flight.writeBytes(message);
				transcript.writeBytes(message);
			}
			byte[] clientRandom = Arrays.copyOfRange(hello, 11, 43);
			byte[] preMaster = sharedSecret(ours, serverPoint, ourPublic);
			byte[] master = prf(preMaster, "master secret", concat(clientRandom, serverRandom), 48);
			byte[] keys = prf(master, "key expansion", concat(serverRandom, clientRandom), 40);
			byte[] finished = handshakeMessage(20, prf(master, "client finished",
					MessageDigest.getInstance("SHA-256").digest(transcript.toByteArray()), 12));
			socket.getOutputStream().write(record(22, flight.toByteArray()));
			socket.getOutputStream().write(new byte[] { 20, 3, 3, 0, 1, 1 });
			socket.getOutputStream().write(record(22, encrypt(keys, finished)));
			socket.getOutputStream().flush();
			try {
				int type = in.readUnsignedByte();
				in.readUnsignedShort();
				byte[] payload = new byte[in.readUnsignedShort()];
				in.readFully(payload);
				return (type == 20) ? "accepted" : (type == 21) ? "alert " + (payload[1] & 0xFF) : "record " + type;
			}
			catch (IOException ex) {
				return "closed";
			}
		}
	}

	private static byte[] sharedSecret(KeyPair ours, byte[] serverPoint, ECPublicKey ourPublic)
			throws GeneralSecurityException {
		int size = (serverPoint.length - 1) / 2;
		ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(serverPoint, 1, 1 + size)),
				new BigInteger(1, Arrays.copyOfRange(serverPoint, 1 + size, serverPoint.length)));
		KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
		agreement.init(ours.getPrivate());
		agreement.doPhase(KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, ourPublic.getParams())),
				true);
		return agreement.generateSecret();
	}

	/** The Finished message under the client write key: explicit nonce 0, sequence number 0. */
	private static byte[] encrypt(byte[] keys, byte[] finished) throws GeneralSecurityException {
		byte[] nonce = new byte[12];
		System.arraycopy(keys, 32, nonce, 0, 4);
		Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
		cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys, 0, 16, "AES"), new GCMParameterSpec(128, nonce));
		cipher.updateAAD(ByteBuffer.allocate(13).putLong(0).put((byte) 22).put((byte) 3).put((byte) 3)
			.putShort((short) finished.length).array());
		return concat(new byte[8], cipher.doFinal(finished));
	}

	/** TLS 1.2's PRF, P_SHA256. */
	private static byte[] prf(byte[] secret, String label, byte[] seed, int length) throws GeneralSecurityException {
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(secret, "HmacSHA256"));
		byte[] labelled = concat(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII), seed);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] a = labelled;
		while (out.size() < length) {
			a = mac.doFinal(a);
			out.writeBytes(mac.doFinal(concat(a, labelled)));
		}
		return Arrays.copyOf(out.toByteArray(), length);
	}

	private static byte[] uncompressed(ECPoint w) {
		byte[] out = new byte[65];
		out[0] = 4;
		copyUnsigned(w.getAffineX(), out, 1);
		copyUnsigned(w.getAffineY(), out, 33);
		return out;
	}

	private static void copyUnsigned(BigInteger value, byte[] out, int at) {
		byte[] bytes = value.toByteArray();
		int from = Math.max(0, bytes.length - 32);
		int count = bytes.length - from;
		System.arraycopy(bytes, from, out, at + 32 - count, count);
	}

	private static byte[] handshakeMessage(int type, byte[] body) {
		return concat(new byte[] { (byte) type, (byte) (body.length >> 16), (byte) (body.length >> 8),
				(byte) body.length }, body);
	}

	private static byte[] uint24Vector(byte[] bytes) {
		return concat(new byte[] { (byte) (bytes.length >> 16), (byte) (bytes.length >> 8), (byte) bytes.length },
				bytes);
	}

	private static byte[] record(int type, byte[] payload) {
		return concat(new byte[] { (byte) type, 3, 3, (byte) (payload.length >> 8), (byte) payload.length }, payload);
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

}
