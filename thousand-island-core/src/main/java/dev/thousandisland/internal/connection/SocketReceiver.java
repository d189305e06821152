package dev.thousandisland.internal.connection;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Map;

import dev.thousandisland.Handler;
import dev.thousandisland.Socket;
import dev.thousandisland.telemetry.Telemetry;

/**
 * The receiving half of every {@link ConnectionSocket} of one server: the read that feeds
 * {@link Handler#handleData} and a handler's own {@link Socket#recv}, both on the connection's own
 * thread only, counted and reported to telemetry.
 *
 * <p>One per server, shared by its connections like {@link DataReader}: a connection's counters
 * and channel stay in its socket, so that splitting the work out costs an idle connection no
 * object of its own.
 */
final class SocketReceiver {

	private final Telemetry telemetry;

	private final BufferPool buffers;

	/**
	 * @param telemetry where receive events go
	 * @param buffers the pool {@code recv} of "whatever has arrived" borrows its read buffer from
	 */
	SocketReceiver(Telemetry telemetry, BufferPool buffers) {
		this.telemetry = telemetry;
		this.buffers = buffers;
	}

	/**
	 * Reads what the framework hands to handleData, without waiting. Owner thread only.
	 * @param socket the connection's socket
	 * @param buffer where the bytes go
	 * @return the bytes read, -1 at end of stream, 0 if nothing was there
	 * @throws IOException if the read fails
	 */
	int readForHandler(ConnectionSocket socket, ByteBuffer buffer) throws IOException {
		int read = socket.channel().read(buffer);
		if (read > 0) {
			socket.countRecv(read);
			if (this.telemetry.isEnabled()) {
				socket.telemetrySpan().event("async_recv", measurements(read, buffer, buffer.position() - read), Map.of());
			}
		}
		return read;
	}

	/**
	 * A handler's {@link Socket#recv}, its arguments already checked. Owner thread only.
	 * @param socket the connection's socket
	 * @param length how many bytes to wait for, {@code 0} for whatever arrives first
	 * @param deadline when to give up, as {@link dev.thousandisland.transport.Transport#deadline}
	 * @return the bytes, a buffer of the handler's own, ready to read
	 * @throws IOException if the read fails, the client closes first, or the deadline passes
	 * ({@link RecvTimeoutException})
	 */
	ByteBuffer recv(ConnectionSocket socket, int length, long deadline) throws IOException {
		try {
			ByteBuffer result = (length == 0) ? recvAvailable(socket, deadline) : recvExactly(socket, length, deadline);
			if (this.telemetry.isEnabled()) {
				socket.telemetrySpan().event("recv", measurements(result.remaining(), result, 0), Map.of());
			}
			return result;
		}
		catch (IOException ex) {
			if (this.telemetry.isEnabled()) {
				socket.telemetrySpan().event("recv_error", Map.of(), Map.of("error", ConnectionSocket.errorName(ex)));
			}
			// Marked as recv's own, so that only it, not a timeout of the handler's other I/O,
			// reads as a read timeout when it escapes the callback.
			throw (ex instanceof SocketTimeoutException) ? new RecvTimeoutException(ex.getMessage()) : ex;
		}
	}

	private ByteBuffer recvAvailable(ConnectionSocket socket, long deadline) throws IOException {
		ByteBuffer buffer = this.buffers.take();
		try {
			int read;
			while ((read = socket.channel().read(buffer)) == 0) {
				socket.readiness().awaitReadable(deadline);
			}
			if (read < 0) {
				throw new EOFException("The client closed the connection");
			}
			socket.countRecv(read);
			buffer.flip();
			return ByteBuffer.allocate(read).put(buffer).flip();
		}
		finally {
			this.buffers.give(buffer);
		}
	}

	private static ByteBuffer recvExactly(ConnectionSocket socket, int length, long deadline) throws IOException {
		ByteBuffer result = ByteBuffer.allocate(length);
		while (result.hasRemaining()) {
			int read = socket.channel().read(result);
			if (read < 0) {
				throw new EOFException("The client closed the connection after " + result.position() + " of "
						+ length + " bytes");
			}
			if (read == 0) {
				socket.readiness().awaitReadable(deadline);
			}
			else {
				socket.countRecv(read);
			}
		}
		return result.flip();
	}

	private Map<String, Object> measurements(int bytes, ByteBuffer buffer, int from) {
		if (!this.telemetry.capturesPayloads()) {
			return Map.of("bytes", (long) bytes);
		}
		byte[] copy = new byte[bytes];
		buffer.get(from, copy);
		return Map.of("bytes", (long) bytes, "data", copy);
	}

}
