package dev.thousandisland;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;

/**
 * A TLS client that sends its ClientHello cut into handshake records of 7 bytes each, written a
 * few bytes at a time, and then finishes the handshake as usual: the server must find the SNI
 * name across records and reads. Blocking channel reads have no timeout of their own, so run it
 * under a preemptive timeout.
 */
final class FragmentingClient {

	private static final int RECORD_PAYLOAD = 7;

	private static final int WRITE_SIZE = 13;

	private FragmentingClient() {
	}

	/**
	 * Connects to a loopback port, completes a TLS 1.3 handshake asking for {@code serverName}.
	 * @return the subject of the certificate the server presented
	 */
	static String handshake(SSLContext context, int port, String serverName) throws Exception {
		SSLEngine engine = context.createSSLEngine();
		engine.setUseClientMode(true);
		SSLParameters parameters = engine.getSSLParameters();
		parameters.setProtocols(new String[] { "TLSv1.3" });
		parameters.setServerNames(List.of(new SNIHostName(serverName)));
		engine.setSSLParameters(parameters);
		int packet = engine.getSession().getPacketBufferSize();
		try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
			channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
			ByteBuffer out = ByteBuffer.allocate(packet);
			engine.wrap(ByteBuffer.allocate(0), out);
			byte[] record = new byte[out.position()];
			out.flip().get(record);
			byte[] pieces = reframe(record);
			for (int at = 0; at < pieces.length; at += WRITE_SIZE) {
				channel.write(ByteBuffer.wrap(pieces, at, Math.min(WRITE_SIZE, pieces.length - at)));
				Thread.sleep(1); // Gives the server's reads a chance to see each piece alone.
			}
			finish(engine, channel, packet);
			return ((X509Certificate) engine.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
		}
	}

	private static void finish(SSLEngine engine, SocketChannel channel, int packet) throws IOException {
		runHandshake(engine, channel, ByteBuffer.allocate(packet),
				ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()));
	}

	/**
	 * Runs the rest of a client engine's handshake over a blocking channel.
	 * @param in where bytes read from the server are kept; what follows the handshake stays there
	 * @param app where any application data unwrapped on the way goes
	 */
	static void runHandshake(SSLEngine engine, SocketChannel channel, ByteBuffer in, ByteBuffer app)
			throws IOException {
		ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
		while (engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING
				&& engine.getHandshakeStatus() != HandshakeStatus.FINISHED) {
			switch (engine.getHandshakeStatus()) {
				case NEED_TASK -> {
					Runnable task;
					while ((task = engine.getDelegatedTask()) != null) {
						task.run();
					}
				}
				case NEED_WRAP -> {
					out.clear();
					engine.wrap(ByteBuffer.allocate(0), out);
					out.flip();
					while (out.hasRemaining()) {
						channel.write(out);
					}
				}
				default -> {
					SSLEngineResult result = engine.unwrap(in.flip(), app);
					in.compact();
					if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && channel.read(in) < 0) {
						throw new EOFException("The server closed the connection during the handshake");
					}
				}
			}
		}
	}

	/** Cuts the handshake message in one record into records of {@link #RECORD_PAYLOAD} bytes. */
	private static byte[] reframe(byte[] record) {
		int length = record.length - 5;
		ByteBuffer out = ByteBuffer.allocate(length + 5 * (length / RECORD_PAYLOAD + 1));
		for (int at = 5; at < record.length; at += RECORD_PAYLOAD) {
			int size = Math.min(RECORD_PAYLOAD, record.length - at);
			out.put(record, 0, 3).putShort((short) size).put(record, at, size);
		}
		return Arrays.copyOf(out.array(), out.position());
	}

}
