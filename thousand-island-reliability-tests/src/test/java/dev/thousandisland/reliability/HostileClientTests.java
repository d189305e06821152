package dev.thousandisland.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that misbehave at the byte level: random binary, writes of nothing, half-closed
 * sockets, resets in the middle of a large reply, and clients that stop reading while the server
 * sends. Each one may cost its own connection and nothing else: the server answers what it can,
 * ends what it must with exactly one stop event, and keeps no thread, descriptor or memory for
 * it afterwards.
 */
class HostileClientTests {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static final long FD_SLACK = 5;

	/**
	 * Random binary in random-sized writes, from 20 clients at once while they read: the echo
	 * server returns every byte unchanged. The same bytes sent to a TLS server instead of a
	 * ClientHello fail the handshake: the connection is closed, and nothing readable comes back.
	 */
	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void randomBinaryIsEchoedByteForByteAndFailsATlsHandshakeCleanly() throws Exception {
		int clients = 20;
		int size = 256 * 1024;
		SpanAudit audit = SpanAudit.counting();
		SpanAudit tlsAudit = SpanAudit.counting();
		Server server = start(audit, ServerConfig.builder(new EchoHandler()));
		Server tls = start(tlsAudit,
				ServerConfig.builder(new EchoHandler())
					.transport(Transport.tls(TestTls.get().serverContext()))
					.handshakeTimeout(Duration.ofSeconds(1)));
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<Boolean>> echoes = new ArrayList<>();
			for (int i = 0; i < clients; i++) {
				echoes.add(executor.submit(() -> {
					byte[] sent = random(size);
					try (Socket socket = Clients.connect(server.port())) {
						Future<?> writer = executor.submit(() -> {
							writeInRandomChunks(socket.getOutputStream(), sent);
							return null;
						});
						byte[] received = socket.getInputStream().readNBytes(size);
						writer.get(30, TimeUnit.SECONDS);
						return Arrays.equals(received, sent);
					}
				}));
			}
			for (Future<Boolean> echo : echoes) {
				assertThat(echo.get(60, TimeUnit.SECONDS)).as("echo identical to what was sent").isTrue();
			}
			List<Future<Clients.Closure>> garbage = new ArrayList<>();
			for (int i = 0; i < clients; i++) {
				garbage.add(executor.submit(() -> {
					try (Socket socket = Clients.connect(tls.port())) {
						byte[] junk = random(4096);
						if (ThreadLocalRandom.current().nextBoolean()) {
							// Half of them look like a handshake record at first.
							junk[0] = 0x16;
						}
						socket.getOutputStream().write(junk);
						return Clients.awaitClosed(socket, Duration.ofSeconds(10));
					}
				}));
			}
			for (Future<Clients.Closure> future : garbage) {
				Clients.Closure closure = future.get(60, TimeUnit.SECONDS);
				assertThat(closure.closed()).as("TLS server given garbage closed the connection").isTrue();
				assertThat(closure.text()).doesNotContain("Exception").doesNotContain("at dev.");
			}
			await().atMost(WAIT).until(() -> server.activeConnections() == 0 && tls.activeConnections() == 0);
			assertThat(audit.countWithReason(TelemetryEvent.CONNECTION_STOP, "peer_closed")).isEqualTo(clients);
			assertThat(tlsAudit.countWithReason(TelemetryEvent.CONNECTION_STOP, "handshake_failed")).isEqualTo(clients);
			assertThat(tlsAudit.count(TelemetryEvent.CONNECTION_READY)).isZero();
			audit.assertBalanced();
			tlsAudit.assertBalanced();
		}
		finally {
			server.stop(Duration.ZERO);
			tls.stop(Duration.ZERO);
		}
	}

	/**
	 * Writes of zero bytes, from the client (a thousand empty channel writes between real ones)
	 * and from the handler (a hundred empty sends before each reply): nothing stalls and the
	 * replies are exactly the bytes that were sent.
	 */
	@Test
	@Timeout(value = 60, unit = TimeUnit.SECONDS)
	void zeroLengthWritesFromEitherSideNeitherStallNorCorruptTheStream() throws Exception {
		SpanAudit audit = SpanAudit.counting();
		Handler<Void> emptySender = new Handler<>() {
			@Override
			public Result<Void> handleData(ByteBuffer data, dev.thousandisland.Socket socket, Void state)
					throws Exception {
				for (int i = 0; i < 100; i++) {
					socket.send(ByteBuffer.allocate(0));
					socket.send(new byte[0]);
				}
				socket.send(ByteBuffer.allocate(0), data, ByteBuffer.allocate(0));
				return Result.continueWith(state);
			}
		};
		Server server = start(audit, ServerConfig.builder(emptySender));
		try {
			try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(Clients.LOOPBACK, server.port()))) {
				channel.socket().setSoTimeout((int) Clients.TIMEOUT.toMillis());
				InputStream in = channel.socket().getInputStream();
				for (int round = 0; round < 20; round++) {
					for (int i = 0; i < 1000; i++) {
						assertThat(channel.write(ByteBuffer.allocate(0))).isZero();
					}
					byte[] payload = random(1 + ThreadLocalRandom.current().nextInt(4096));
					ByteBuffer out = ByteBuffer.wrap(payload);
					while (out.hasRemaining()) {
						channel.write(out);
					}
					assertThat(in.readNBytes(payload.length)).isEqualTo(payload);
				}
			}
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			assertThat(audit.countWithReason(TelemetryEvent.CONNECTION_STOP, "peer_closed")).isEqualTo(1);
			audit.assertBalanced();
		}
		finally {
			server.stop(Duration.ZERO);
		}
	}

	/**
	 * Twenty clients each send 256 KiB and shut their output down at once, then keep reading: each
	 * gets its whole echo followed by end of stream, and the server sees a clean peer close.
	 */
	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void aHalfClosedClientStillReceivesItsWholeReply() throws Exception {
		int clients = 20;
		int size = 256 * 1024;
		SpanAudit audit = SpanAudit.counting();
		Server server = start(audit, ServerConfig.builder(new EchoHandler()));
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<Clients.Closure>> replies = new ArrayList<>();
			List<byte[]> sent = new ArrayList<>();
			for (int i = 0; i < clients; i++) {
				byte[] payload = random(size);
				sent.add(payload);
				replies.add(executor.submit(() -> {
					try (Socket socket = Clients.connect(server.port())) {
						Future<?> writer = executor.submit(() -> {
							socket.getOutputStream().write(payload);
							socket.shutdownOutput();
							return null;
						});
						Clients.Closure closure = Clients.awaitClosed(socket, Duration.ofSeconds(30));
						writer.get(30, TimeUnit.SECONDS);
						return closure;
					}
				}));
			}
			for (int i = 0; i < clients; i++) {
				Clients.Closure closure = replies.get(i).get(60, TimeUnit.SECONDS);
				assertThat(closure.how()).isEqualTo(Clients.Closure.How.EOF);
				assertThat(closure.received()).isEqualTo(sent.get(i));
			}
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			assertThat(audit.countWithReason(TelemetryEvent.CONNECTION_STOP, "peer_closed")).isEqualTo(clients);
			audit.assertBalanced();
		}
		finally {
			server.stop(Duration.ZERO);
		}
	}

	/**
	 * Fifty clients ask for 32 MiB, read 64 KiB of it and reset the connection (SO_LINGER 0,
	 * close) while the server is still sending. Each send fails on its own connection only, which
	 * ends once, and a new client is served as before; no thread or descriptor is left.
	 */
	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	@SuppressWarnings("try") // the resource only scopes the quieter logging
	void resetsInTheMiddleOfALargeReplyCostOnlyTheirOwnConnections() throws Exception {
		int clients = 50;
		BulkHandler handler = new BulkHandler(32);
		SpanAudit audit = SpanAudit.counting();
		Server server = start(audit, ServerConfig.builder(handler));
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
				QuietLogs quiet = QuietLogs.connections()) {
			servedNormally(server);
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			long fdBaseline = JvmStats.openFds();
			List<Future<?>> resets = new ArrayList<>();
			for (int i = 0; i < clients; i++) {
				resets.add(executor.submit(() -> {
					Socket socket = Clients.connect(server.port());
					socket.setSoLinger(true, 0);
					socket.getOutputStream().write(BulkHandler.REQUEST);
					byte[] part = socket.getInputStream().readNBytes(64 * 1024);
					assertThat(part).hasSize(64 * 1024);
					socket.close();
					return null;
				}));
			}
			for (Future<?> reset : resets) {
				reset.get(60, TimeUnit.SECONDS);
			}
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			servedNormally(server);
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			assertThat(handler.errors).as("sends that failed on a reset").hasSize(clients)
				.allMatch(IOException.class::isInstance);
			assertThat(audit.count(TelemetryEvent.CONNECTION_EXCEPTION)).isEqualTo(clients);
			await().atMost(WAIT).until(() -> JvmStats.alive(handler.threads) == 0);
			await().atMost(WAIT).until(() -> JvmStats.openFds() <= fdBaseline + FD_SLACK);
			audit.assertBalanced();
			Figures.record("hostile: resets mid-send", "clients that reset a 32 MiB reply after 64 KiB", clients);
			Figures.record("hostile: resets mid-send", "errors the failed sends raised",
					handler.errors.stream().map(Throwable::getMessage).distinct().toList());
		}
		finally {
			server.stop(Duration.ZERO);
		}
	}

	/**
	 * Fifty clients, ten at a time, ask for an endless reply and never read it. With a 300 ms send
	 * timeout each blocked send gives up with an {@link InterruptedByTimeoutException}, which
	 * reaches handleError and closes the connection; connection threads, descriptors and heap
	 * come back to where they were after every batch rather than growing with each client.
	 */
	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	@SuppressWarnings("try") // the resource only scopes the quieter logging
	void clientsThatStopReadingAreCutOffAtTheSendTimeoutWithoutAccumulatingAnything() throws Exception {
		int batches = 5;
		int batchSize = 10;
		BulkHandler handler = new BulkHandler(1024);
		SpanAudit audit = SpanAudit.counting();
		Server server = start(audit, ServerConfig.builder(handler).sendTimeout(Duration.ofMillis(300)));
		List<String> afterEachBatch = new ArrayList<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
				QuietLogs quiet = QuietLogs.connections()) {
			servedNormally(server);
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			long fdBaseline = JvmStats.openFds();
			long heapBaseline = JvmStats.heapAfterGc();
			for (int batch = 0; batch < batches; batch++) {
				List<Socket> sleepers = new ArrayList<>();
				for (int i = 0; i < batchSize; i++) {
					Socket socket = Clients.connect(server.port());
					sleepers.add(socket);
					socket.getOutputStream().write(BulkHandler.REQUEST);
				}
				int expectedErrors = (batch + 1) * batchSize;
				await().atMost(WAIT).until(() -> handler.errors.size() == expectedErrors);
				await().atMost(WAIT).until(() -> server.activeConnections() == 0);
				List<Future<Clients.Drained>> drained = new ArrayList<>();
				for (Socket socket : sleepers) {
					drained.add(executor.submit(() -> Clients.drainUntilClosed(socket, Duration.ofSeconds(20))));
				}
				for (Future<Clients.Drained> future : drained) {
					assertThat(future.get(60, TimeUnit.SECONDS).closed()).as("the server closed the sleeper").isTrue();
				}
				sleepers.forEach(Clients::closeQuietly);
				await().atMost(WAIT).until(() -> JvmStats.alive(handler.threads) == 0);
				afterEachBatch.add("threads=" + JvmStats.alive(handler.threads) + " fds=" + JvmStats.openFds()
						+ " heapMiB=" + String.format("%.1f", JvmStats.mib(JvmStats.heapAfterGc())));
			}
			assertThat(handler.errors).hasSize(batches * batchSize)
				.allMatch(InterruptedByTimeoutException.class::isInstance);
			// The send timeout is the first cause, whatever the handler then threw: a stop with
			// reason send_timeout, not a connection.exception.
			assertThat(audit.countWithError(TelemetryEvent.CONNECTION_STOP, "InterruptedByTimeoutException"))
				.isEqualTo(batches * batchSize);
			assertThat(audit.countWithReason(TelemetryEvent.CONNECTION_STOP, "send_timeout"))
				.isEqualTo(batches * batchSize);
			await().atMost(WAIT).until(() -> JvmStats.openFds() <= fdBaseline + FD_SLACK);
			long heapAfter = JvmStats.heapAfterGc();
			assertThat(heapAfter - heapBaseline).as("heap growth over %d slow readers", batches * batchSize)
				.isLessThan(32L * 1024 * 1024);
			servedNormally(server);
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			audit.assertBalanced();
			String test = "hostile: clients that stop reading (sendTimeout 300 ms)";
			Figures.record(test, "slow readers", batches + " x " + batchSize);
			Figures.record(test, "fds / heap before (MiB)",
					fdBaseline + " / " + String.format("%.1f", JvmStats.mib(heapBaseline)));
			Figures.record(test, "after each batch", afterEachBatch);
		}
		finally {
			server.stop(Duration.ZERO);
		}
	}

	private static Server start(SpanAudit audit, ServerConfig.Builder builder) throws Exception {
		return builder.name("hostile")
			.port(0)
			.bindAddress(Clients.LOOPBACK)
			.telemetryListener(audit)
			.start();
	}

	/** A well-behaved client gets its echo (the bulk handler echoes anything but its request). */
	private static void servedNormally(Server server) throws IOException {
		try (Socket socket = Clients.connect(server.port())) {
			byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
			assertThat(Clients.roundTrip(socket, hello)).isEqualTo(hello);
		}
	}

	private static void writeInRandomChunks(OutputStream out, byte[] bytes) throws IOException {
		int offset = 0;
		while (offset < bytes.length) {
			int length = Math.min(bytes.length - offset, 1 + ThreadLocalRandom.current().nextInt(8192));
			out.write(bytes, offset, length);
			out.flush();
			offset += length;
		}
	}

	private static byte[] random(int length) {
		byte[] bytes = new byte[length];
		ThreadLocalRandom.current().nextBytes(bytes);
		return bytes;
	}

	/**
	 * Answers {@code BULK} with a reply of the given number of mebibytes, sent from one shared
	 * read-only buffer so that the handler itself allocates nothing per connection; echoes
	 * anything else. Send failures propagate to the framework and are recorded in handleError.
	 */
	static final class BulkHandler implements Handler<Void> {

		static final byte[] REQUEST = "BULK".getBytes(StandardCharsets.US_ASCII);

		private static final ByteBuffer MEBIBYTE = ByteBuffer.allocateDirect(1024 * 1024).asReadOnlyBuffer();

		final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();

		final Queue<Thread> threads = new ConcurrentLinkedQueue<>();

		private final int mebibytes;

		BulkHandler(int mebibytes) {
			this.mebibytes = mebibytes;
		}

		@Override
		public Void initialState() {
			this.threads.add(Thread.currentThread());
			return null;
		}

		@Override
		public Result<Void> handleData(ByteBuffer data, dev.thousandisland.Socket socket, Void state)
				throws Exception {
			if (!data.equals(ByteBuffer.wrap(REQUEST))) {
				socket.send(data);
				return Result.continueWith(state);
			}
			for (int i = 0; i < this.mebibytes; i++) {
				socket.send(MEBIBYTE.duplicate());
			}
			return Result.continueWith(state);
		}

		@Override
		public void handleError(Throwable error, dev.thousandisland.Socket socket, Void state) {
			this.errors.add(error);
		}

	}

}
