package dev.thousandisland.internal.connection;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;

import dev.thousandisland.Socket;
import dev.thousandisland.telemetry.Telemetry;
import dev.thousandisland.transport.Transport;
import dev.thousandisland.transport.TransportChannel;

/**
 * The sending half of every {@link ConnectionSocket} of one server: {@link Socket#send} and
 * {@link Socket#sendfile}, from any thread, one sender at a time under the connection's send lock,
 * each bounded by the server's send timeout, counted and reported to telemetry.
 *
 * <p>One per server, shared by its connections like {@link DataReader}: what a connection needs
 * between two sends (its lock, its channel, its counters) stays in its socket, so that splitting
 * the work out costs an idle connection no object of its own.
 */
final class SocketSender {

	private final Telemetry telemetry;

	private final Duration sendTimeout;

	/**
	 * @param telemetry where send events go
	 * @param sendTimeout how long a send may make no progress before the connection ends
	 */
	SocketSender(Telemetry telemetry, Duration sendTimeout) {
		this.telemetry = telemetry;
		this.sendTimeout = sendTimeout;
	}

	/**
	 * Sends every remaining byte of {@code data}, waiting for the socket as long as it takes in
	 * progress. Any thread.
	 * @param socket the connection's socket
	 * @param data the bytes; their positions move past what was sent
	 * @throws IOException if the channel is closed, the send fails or it times out
	 */
	void send(ConnectionSocket socket, ByteBuffer[] data) throws IOException {
		long total = 0;
		int[] starts = this.telemetry.capturesPayloads() ? positions(data) : null;
		socket.lockSend();
		try {
			TransportChannel channel = socket.channel();
			if (!socket.isOpen()) {
				throw new ClosedChannelException();
			}
			// The timeout bounds a wait without progress, as Erlang's send_timeout does: a large
			// send to a slow client that keeps reading is not cut off.
			long deadline = Transport.deadline(this.sendTimeout);
			while (hasRemaining(data)) {
				long written = channel.write(data);
				total += written;
				deadline = afterWrite(socket, written, deadline);
			}
			flush(socket, channel, deadline);
			socket.countSend(total, true);
		}
		catch (SocketTimeoutException ex) {
			socket.countSend(total, false);
			sendFailed(socket, total, ex);
			throw sendTimedOut(socket, ex);
		}
		catch (IOException ex) {
			socket.countSend(total, false);
			sendFailed(socket, total, ex);
			throw ex;
		}
		finally {
			socket.sendLock().unlock();
		}
		if (this.telemetry.isEnabled()) {
			socket.telemetrySpan().event("send", sent(total, data, starts), Map.of());
		}
	}

	/**
	 * Sends a file's bytes, or a range of them, through the connection's channel. Any thread.
	 * @param socket the connection's socket
	 * @param file the file
	 * @param offset where in the file to start
	 * @param length how many bytes, {@code 0} for all to the end of the file
	 * @return the bytes sent
	 * @throws IOException if the file cannot be read, the send fails or it times out
	 */
	long sendfile(ConnectionSocket socket, Path file, long offset, long length) throws IOException {
		long sent = 0;
		socket.lockSend();
		try (FileChannel source = FileChannel.open(file, StandardOpenOption.READ)) {
			long end = (length == 0) ? source.size() : Math.min(source.size(), offset + length);
			long deadline = Transport.deadline(this.sendTimeout);
			TransportChannel channel = socket.channel();
			while (offset + sent < end) {
				long written = channel.transferFrom(source, offset + sent, end - offset - sent);
				sent += written;
				deadline = afterWrite(socket, written, deadline);
			}
			flush(socket, channel, deadline);
			socket.countSend(sent, true);
		}
		catch (IOException ex) {
			socket.countSend(sent, false);
			if (this.telemetry.isEnabled()) {
				socket.telemetrySpan().event("sendfile_error", Map.of("offset", offset, "length", length),
						Map.of("filename", file.toString(), "error", ConnectionSocket.errorName(ex)));
			}
			throw (ex instanceof SocketTimeoutException timeout) ? sendTimedOut(socket, timeout) : ex;
		}
		finally {
			socket.sendLock().unlock();
		}
		if (this.telemetry.isEnabled()) {
			socket.telemetrySpan().event("sendfile", Map.of("offset", offset, "bytes_written", sent),
					Map.of("filename", file.toString()));
		}
		return sent;
	}

	/**
	 * Closes the connection after a send made no progress for {@code sendTimeout}. The exception
	 * is not a {@link SocketTimeoutException}: it is no read timeout.
	 */
	private static InterruptedByTimeoutException sendTimedOut(ConnectionSocket socket, SocketTimeoutException cause) {
		InterruptedByTimeoutException timeout = new InterruptedByTimeoutException();
		timeout.initCause(cause);
		// Whichever thread sent, the connection's own thread reports the end, as a send timeout.
		socket.end(Ending.SEND_TIMEOUT, timeout);
		return timeout;
	}

	private void sendFailed(ConnectionSocket socket, long written, IOException ex) {
		if (this.telemetry.isEnabled()) {
			socket.telemetrySpan().event("send_error", Map.of("bytes", written),
					Map.of("error", ConnectionSocket.errorName(ex)));
		}
	}

	private static Map<String, Object> sent(long total, ByteBuffer[] data, int[] starts) {
		if (starts == null) {
			return Map.of("bytes", total);
		}
		byte[] copy = new byte[(int) total];
		int offset = 0;
		for (int i = 0; i < data.length; i++) {
			int count = data[i].position() - starts[i];
			data[i].get(starts[i], copy, offset, count);
			offset += count;
		}
		return Map.of("bytes", total, "data", copy);
	}

	private static int[] positions(ByteBuffer[] data) {
		int[] positions = new int[data.length];
		for (int i = 0; i < data.length; i++) {
			positions[i] = data[i].position();
		}
		return positions;
	}

	private static boolean hasRemaining(ByteBuffer[] data) {
		for (ByteBuffer buffer : data) {
			if (buffer.hasRemaining()) {
				return true;
			}
		}
		return false;
	}

	/**
	 * After one write: waits for room when it made no progress, and otherwise starts the
	 * no-progress deadline again.
	 * @return the deadline for the next write
	 */
	private long afterWrite(ConnectionSocket socket, long written, long deadline) throws IOException {
		if (written == 0) {
			socket.readiness().awaitWritable(deadline);
			return deadline;
		}
		return Transport.deadline(this.sendTimeout);
	}

	/** Pushes out what the channel still holds (TLS records), waiting for room until the deadline. */
	private static void flush(ConnectionSocket socket, TransportChannel channel, long deadline) throws IOException {
		while (!channel.flush()) {
			socket.readiness().awaitWritable(deadline);
		}
	}

}
