package dev.thousandisland.framing;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSession;

import dev.thousandisland.Connection;
import dev.thousandisland.Socket;
import dev.thousandisland.SocketStats;
import dev.thousandisland.telemetry.Span;
import dev.thousandisland.transport.Transport;


/**
 * A connection's {@link Socket} with its frame buffer in front of the reads: everything but
 * reading goes straight to the socket.
 */
final class FramedSocketAdapter implements FramedSocket {

	private final Socket socket;

	private final Framing framing;

	private final FrameReader reader;

	FramedSocketAdapter(Socket socket, Framing framing, FrameReader reader) {
		this.socket = socket;
		this.framing = framing;
		this.reader = reader;
	}

	boolean wraps(Socket socket) {
		return this.socket == socket;
	}

	@Override
	public Framing framing() {
		return this.framing;
	}

	@Override
	public ByteBuffer recvFrame(Duration timeout) throws IOException {
		long deadline = Transport.deadline(timeout);
		while (true) {
			ByteBuffer frame = this.reader.next();
			if (frame != null) {
				return frame;
			}
			// Socket.recv's own timeout ends the wait; a read that brings only part of a frame
			// leaves less of the timeout for the next one.
			Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
			this.reader.offer(this.socket.recv(0, left));
		}
	}

	@Override
	public ByteBuffer recv(int length, Duration timeout) throws IOException {
		int buffered = this.reader.buffered();
		if (buffered == 0) {
			return this.socket.recv(length, timeout);
		}
		ByteBuffer head = this.reader.takeRaw(length);
		if (length == 0 || head.remaining() == length) {
			return head;
		}
		ByteBuffer rest = this.socket.recv(length - head.remaining(), timeout);
		return ByteBuffer.allocate(length).put(head).put(rest).flip();
	}

	@Override
	public int bufferedBytes() {
		return this.reader.buffered();
	}

	@Override
	public void send(ByteBuffer... data) throws IOException {
		this.socket.send(data);
	}

	@Override
	public long sendfile(Path file, long offset, long length) throws IOException {
		return this.socket.sendfile(file, offset, length);
	}

	@Override
	public void shutdown(ShutdownWay way) throws IOException {
		this.socket.shutdown(way);
	}

	@Override
	public void close() {
		this.socket.close();
	}

	@Override
	public boolean isOpen() {
		return this.socket.isOpen();
	}

	@Override
	public SocketAddress localAddress() {
		return this.socket.localAddress();
	}

	@Override
	public SocketAddress remoteAddress() {
		return this.socket.remoteAddress();
	}

	@Override
	public boolean isSecure() {
		return this.socket.isSecure();
	}

	@Override
	public Optional<SSLSession> sslSession() {
		return this.socket.sslSession();
	}

	@Override
	public Optional<String> negotiatedProtocol() {
		return this.socket.negotiatedProtocol();
	}

	@Override
	public List<Certificate> peerCertificates() {
		return this.socket.peerCertificates();
	}

	@Override
	public Optional<String> serverName() {
		return this.socket.serverName();
	}

	@Override
	public SocketStats stats() {
		return this.socket.stats();
	}

	@Override
	public Duration readTimeout() {
		return this.socket.readTimeout();
	}

	@Override
	public Span telemetrySpan() {
		return this.socket.telemetrySpan();
	}

	@Override
	public Connection connection() {
		return this.socket.connection();
	}

	@Override
	public String toString() {
		return "FramedSocket[" + this.socket + ", " + this.framing + "]";
	}

}
