package dev.thousandisland;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.thousandisland.proxy.ProxyProtocolMode;
import dev.thousandisland.transport.TlsTransport;
import dev.thousandisland.transport.Transport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No input costs the server more than linear work (issue 24, item 2): the heap a connection
 * allocates grows with the bytes it receives, however they are delivered. The same bytes are sent
 * whole and trickled (one byte per write, with a pause so that the server wakes for each), at
 * {@link #BYTES} and twice that, and the server's allocation is compared.
 *
 * <p>How allocation is measured: connections run on virtual threads, for which
 * {@code ThreadMXBean#getThreadAllocatedBytes} answers -1, and a hibernating connection even moves
 * to a new virtual thread. HotSpot counts what a virtual thread allocates on the carrier it is
 * mounted on, and {@code getTotalThreadAllocatedBytes} sums every thread's count, live or ended,
 * so it sees every thread the server used (carriers, pollers, hibernation's fresh threads). From
 * it the client's own allocation is subtracted: the client is this test's platform thread, whose
 * {@code getCurrentThreadAllocatedBytes} is exact. What remains is the server plus the JVM's
 * background threads, a few kilobytes over a run (see {@link #measure}).
 *
 * <p>The bound per byte ({@link #BYTES_PER_BYTE}): a wake-up costs the framework about 1 KB even
 * for plain TCP (the virtual thread's continuation, the read, the callback), and the JDK's
 * {@code SSLEngine} allocates a few hundred bytes per record it unwraps. 4 KiB per byte leaves
 * room for both and for measurement noise; before this test, a TLS connection allocated 35 KB
 * or more per wake-up (two full-size buffers), and far more as the partial record grew. Sent
 * whole, one-byte records cost the JDK's engine a copy of the handshake message so far per record
 * (quadratic) until the server refused more than 512 records in a row without application data.
 * The figures are printed, and recorded in docs/reliability.md.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SlowInputAllocationTests {

	/** The raw bytes sent in the smaller run; the larger sends twice as many. */
	static final int BYTES = Integer.getInteger("slow.input.bytes", 7_000);

	/** The most heap a trickled byte may cost beyond what the same bytes cost sent whole. */
	static final long BYTES_PER_BYTE = 4096;

	/** A trickled run twice as long may cost at most this much more: linear, not quadratic. */
	static final double DOUBLING_LIMIT = 2.5;

	/**
	 * What the JVM's other threads may allocate during one run (a few kilobytes are seen), for the
	 * comparisons of runs that allocate little.
	 */
	static final long NOISE = 256 * 1024;

	/** Between two one-byte writes: long enough for the server to wake and read that one byte. */
	static final long PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	private static final String PROXY_HEADER = "PROXY TCP4 192.0.2.1 127.0.0.1 5555 443\r\n";

	/** What is listening, and what the input is. */
	enum Path {

		PLAIN(false, false, false, Shape.PLAIN),

		TLS_RECORDS_OF_ONE_BYTE(true, false, false, Shape.RECORDS_OF_ONE_BYTE),

		TLS_ONE_LARGE_RECORD(true, false, false, Shape.ONE_LARGE_RECORD),

		TLS_SNI_RECORDS_OF_ONE_BYTE(true, true, false, Shape.RECORDS_OF_ONE_BYTE),

		TLS_SNI_ONE_LARGE_RECORD(true, true, false, Shape.ONE_LARGE_RECORD),

		PROXY_TLS_RECORDS_OF_ONE_BYTE(true, false, true, Shape.RECORDS_OF_ONE_BYTE),

		PROXY_TLS_ONE_LARGE_RECORD(true, false, true, Shape.ONE_LARGE_RECORD);

		final boolean tls;

		final boolean serverNames;

		final boolean proxy;

		final Shape shape;

		Path(boolean tls, boolean serverNames, boolean proxy, Shape shape) {
			this.tls = tls;
			this.serverNames = serverNames;
			this.proxy = proxy;
			this.shape = shape;
		}

	}

	/** The bytes after any PROXY header. */
	enum Shape {

		/** Application bytes, no newline. */
		PLAIN,

		/**
		 * A ClientHello declaring 32,000 bytes, cut into handshake records of one byte each: every
		 * record is whole, the handshake message never is.
		 */
		RECORDS_OF_ONE_BYTE,

		/**
		 * One handshake record declaring 16 KiB, holding the start of a ClientHello declaring
		 * 32,000 bytes: the record is never whole.
		 */
		ONE_LARGE_RECORD;

		byte[] bytes(int count) {
			byte[] hello = new byte[count];
			byte[] helloHeader = { 0x01, 0x00, 0x7D, 0x00, 0x03, 0x03 };
			switch (this) {
				case PLAIN -> {
					for (int i = 0; i < count; i++) {
						hello[i] = (byte) ('a' + i % 26);
					}
				}
				case RECORDS_OF_ONE_BYTE -> {
					for (int i = 0; i < count; i++) {
						int record = i / 6;
						hello[i] = switch (i % 6) {
							case 0 -> 0x16;
							case 1 -> 0x03;
							case 2 -> 0x01;
							case 3 -> 0x00;
							case 4 -> 0x01;
							default -> (record < helloHeader.length) ? helloHeader[record] : 0x00;
						};
					}
				}
				case ONE_LARGE_RECORD -> {
					byte[] recordHeader = { 0x16, 0x03, 0x01, 0x40, 0x00 };
					System.arraycopy(recordHeader, 0, hello, 0, recordHeader.length);
					System.arraycopy(helloHeader, 0, hello, recordHeader.length, helloHeader.length);
				}
			}
			return hello;
		}

	}

	@ParameterizedTest
	@EnumSource(Path.class)
	void heapAllocatedGrowsLinearlyWithTheBytesReceivedHoweverTheyArrive(Path path) throws Exception {
		Server server = start(path);
		try {
			// Warm up first, so that the figures are compiled code's, not the interpreter's.
			measure(server, path, 1_000, true);
			measure(server, path, 1_000, false);
			long whole = measure(server, path, BYTES, false);
			long trickled = measure(server, path, BYTES, true);
			long wholeTwice = measure(server, path, 2 * BYTES, false);
			long trickledTwice = measure(server, path, 2 * BYTES, true);
			System.out.printf("%s: whole %d B (%.1f B/byte), trickled %d B (%.1f B/byte); at %d bytes: whole %d B "
					+ "(%.1f B/byte), trickled %d B (%.1f B/byte)%n", path, whole, (double) whole / BYTES, trickled,
					(double) trickled / BYTES, 2 * BYTES, wholeTwice, (double) wholeTwice / (2 * BYTES), trickledTwice,
					(double) trickledTwice / (2 * BYTES));
			assertThat(trickled).as("%s: heap allocated for %d bytes trickled, against %d sent whole", path, BYTES,
					whole)
				.isLessThanOrEqualTo(whole + BYTES_PER_BYTE * BYTES);
			assertThat(trickledTwice).as("%s: heap allocated for %d bytes trickled, against %d sent whole", path,
					2 * BYTES, wholeTwice)
				.isLessThanOrEqualTo(wholeTwice + BYTES_PER_BYTE * 2 * BYTES);
			assertThat((double) wholeTwice)
				.as("%s: heap allocated for %d bytes sent whole (%d) against %d bytes sent whole (%d)", path,
						2 * BYTES, wholeTwice, BYTES, whole)
				.isLessThanOrEqualTo(DOUBLING_LIMIT * whole + NOISE);
			assertThat((double) trickledTwice)
				.as("%s: heap allocated for %d bytes trickled (%d) against %d bytes trickled (%d)", path, 2 * BYTES,
						trickledTwice, BYTES, trickled)
				.isLessThanOrEqualTo(DOUBLING_LIMIT * trickled + NOISE);
		}
		finally {
			server.stop();
		}
	}

	private static Server start(Path path) throws IOException {
		ServerConfig.Builder builder = ServerConfig.builder(new Handler<Void>() {
		})
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.readTimeout(Duration.ofMinutes(1))
			.handshakeTimeout(Duration.ofMinutes(1))
			.proxyHeaderTimeout(Duration.ofMinutes(1));
		if (path.tls) {
			TestCertificates certificates = TestCertificates.get();
			TlsTransport.Builder tls = TlsTransport.builder(certificates.serverContext());
			if (path.serverNames) {
				tls.serverName("api.example.com", certificates.serverContextFor("api.example.com"));
			}
			builder.transport(tls.build());
		}
		if (path.proxy) {
			builder.proxyProtocol(ProxyProtocolMode.REQUIRED);
		}
		return builder.start();
	}

	/**
	 * Sends the path's input on a new connection, half-closes, waits for the server to close it
	 * and returns the heap the server allocated meanwhile.
	 */
	private static long measure(Server server, Path path, int count, boolean trickle) throws IOException {
		byte[] input = input(path, count);
		long clientBefore = THREADS.getCurrentThreadAllocatedBytes();
		long totalBefore = THREADS.getTotalThreadAllocatedBytes();
		try (java.net.Socket client = new java.net.Socket()) {
			client.setTcpNoDelay(true);
			client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
			client.setSoTimeout(60_000);
			send(client, input, trickle);
			drainUntilClosed(client.getInputStream());
		}
		// The connection's teardown may still be running after its socket closed.
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (server.activeConnections() > 0 && System.nanoTime() < deadline) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
		}
		assertThat(server.activeConnections()).as("connections still open").isZero();
		long total = THREADS.getTotalThreadAllocatedBytes() - totalBefore;
		long client = THREADS.getCurrentThreadAllocatedBytes() - clientBefore;
		return total - client;
	}

	/** Sends the input, stopping early if the server refuses the rest by closing. */
	private static void send(java.net.Socket client, byte[] input, boolean trickle) {
		try {
			OutputStream out = client.getOutputStream();
			if (trickle) {
				for (byte b : input) {
					out.write(b);
					LockSupport.parkNanos(PAUSE_NANOS);
				}
			}
			else {
				out.write(input);
			}
			client.shutdownOutput();
		}
		catch (IOException ex) {
			// The server closed first (a refused handshake): what it did allocate is still measured.
		}
	}

	private static byte[] input(Path path, int count) {
		byte[] body = path.shape.bytes(count);
		if (!path.proxy) {
			return body;
		}
		byte[] header = PROXY_HEADER.getBytes(StandardCharsets.US_ASCII);
		byte[] input = new byte[header.length + body.length];
		System.arraycopy(header, 0, input, 0, header.length);
		System.arraycopy(body, 0, input, header.length, body.length);
		return input;
	}

	private static void drainUntilClosed(InputStream in) throws IOException {
		byte[] sink = new byte[1024];
		try {
			while (in.read(sink) >= 0) {
				// What the server says (a TLS alert) does not matter, only that it closes.
			}
		}
		catch (SocketException ex) {
			// A reset is a close too.
		}
	}

}
