package dev.thousandisland;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import dev.thousandisland.telemetry.Span;
import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The {@link Socket} API over real loopback connections: Thousand Island's socket_test.exs and
 * the gaps its own suite leaves (shutdown, send timeout, concurrent senders).
 */
class SocketTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final List<Server> servers = new ArrayList<>();

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	@TempDir
	Path tempDir;

	@AfterEach
	void stopServers() {
		for (Server server : this.servers) {
			server.stop(Duration.ofSeconds(2));
		}
	}

	@Test
	void sendWritesEveryBufferOfAGatheringSendAndThenAByteArray() throws Exception {
		CompletableFuture<List<Integer>> remaining = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			ByteBuffer[] parts = { ascii("AB"), ascii("CDE"), ByteBuffer.allocate(0), ascii("F") };
			socket.send(parts);
			remaining.complete(Stream.of(parts).map(ByteBuffer::remaining).toList());
			socket.send("GHI".getBytes(StandardCharsets.US_ASCII));
			return Result.continueWith(null);
		}));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.read(9)).isEqualTo("ABCDEFGHI");
		}
		assertThat(get(remaining)).as("every buffer's position advanced to its limit").containsOnly(0);
	}

	@Test
	void recvWaitsForExactlyTheRequestedNumberOfBytesAcrossSeveralClientWrites() throws Exception {
		AtomicReference<Connection> connection = new AtomicReference<>();
		Server server = start(onConnection((socket) -> {
			connection.set(socket.connection());
			ByteBuffer first = socket.recv(10);
			ByteBuffer rest = socket.recv(3);
			socket.send(ascii("[" + text(first) + "][" + text(rest) + "]"));
			return Result.close(null);
		}));
		try (TestClient client = TestClient.connect(server)) {
			await().atMost(WAIT).until(() -> connection.get() != null);
			client.send("abc");
			await().atMost(WAIT).until(() -> connection.get().stats().recvOct() == 3);
			client.send("defg");
			await().atMost(WAIT).until(() -> connection.get().stats().recvOct() == 7);
			client.send("hijklm");
			assertThat(client.read(17)).isEqualTo("[abcdefghij][klm]");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
	}

	@Test
	void recvOfLengthZeroReturnsWhatIsAvailable() throws Exception {
		CompletableFuture<Integer> length = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			ByteBuffer data = socket.recv(0);
			length.complete(data.remaining());
			socket.send(data);
			return Result.close(null);
		}));
		try (TestClient client = TestClient.connect(server)) {
			client.send("hello");
			assertThat(client.read(5)).isEqualTo("hello");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		assertThat(get(length)).as("the returned buffer holds exactly the bytes read").isEqualTo(5);
	}

	@Test
	void recvWithAZeroTimeoutOnAnEmptySocketTimesOutAtOnce() throws Exception {
		CompletableFuture<List<Throwable>> failures = new CompletableFuture<>();
		CompletableFuture<Long> elapsed = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			long start = System.nanoTime();
			List<Throwable> thrown = new ArrayList<>();
			thrown.add(catchThrowable(() -> socket.recv(0, Duration.ZERO)));
			thrown.add(catchThrowable(() -> socket.recv(5, Duration.ZERO)));
			elapsed.complete(System.nanoTime() - start);
			failures.complete(thrown);
			return Result.close(null);
		}), (builder) -> builder.readTimeout(Duration.ofSeconds(60)));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(get(failures)).hasSize(2).allSatisfy((failure) -> assertThat(failure)
				.isInstanceOf(SocketTimeoutException.class));
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		assertThat(Duration.ofNanos(get(elapsed))).as("far below the 60 s read timeout")
			.isLessThan(Duration.ofSeconds(5));
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_RECV_ERROR)).hasSize(2)
			.allSatisfy((event) -> assertThat(event.metadata()).containsEntry("error", "timeout"));
	}

	@Test
	void recvAfterTheClientHalfClosesThrowsEOFException() throws Exception {
		CompletableFuture<List<Throwable>> failures = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			List<Throwable> thrown = new ArrayList<>();
			thrown.add(catchThrowable(() -> socket.recv(5)));
			thrown.add(catchThrowable(() -> socket.recv(0)));
			failures.complete(thrown);
			socket.send(ascii("still here"));
			return Result.close(null);
		}));
		try (TestClient client = TestClient.connect(server)) {
			client.send("abc");
			client.shutdownOutput();
			assertThat(get(failures)).hasSize(2).allSatisfy((failure) -> assertThat(failure)
				.isInstanceOf(EOFException.class));
			assertThat(client.read(10)).as("the other direction still works").isEqualTo("still here");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
	}

	@Test
	void recvFromAnotherThreadThanTheConnectionsThrowsIllegalStateException() throws Exception {
		AtomicReference<Socket> captured = new AtomicReference<>();
		Server server = start(new Handler<Void>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) {
				captured.set(socket);
				return Result.continueWith(state);
			}

			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				socket.send(data);
				return Result.continueWith(state);
			}
		});
		try (TestClient client = TestClient.connect(server)) {
			await().atMost(WAIT).until(() -> captured.get() != null);
			Socket socket = captured.get();
			assertThatThrownBy(() -> socket.recv(1, Duration.ofMillis(100))).isInstanceOf(IllegalStateException.class);
			assertThatThrownBy(() -> socket.recv(0)).isInstanceOf(IllegalStateException.class);
			Throwable fromVirtualThread = runOnVirtualThread(() -> socket.recv(1, Duration.ofMillis(100)));
			assertThat(fromVirtualThread).isInstanceOf(IllegalStateException.class);
			client.send("still works");
			assertThat(client.read(11)).isEqualTo("still works");
		}
	}

	@Test
	void concurrentSendsFromSeveralThreadsArriveWhole() throws Exception {
		int threads = 8;
		int sendsPerThread = 200;
		int recordSize = 4096;
		AtomicReference<Socket> captured = new AtomicReference<>();
		Server server = start(onConnection((socket) -> {
			captured.set(socket);
			return Result.continueWith(null);
		}), (builder) -> builder.socketOption(StandardSocketOptions.SO_SNDBUF, 8192));
		try (TestClient client = TestClient.connect(server)) {
			await().atMost(WAIT).until(() -> captured.get() != null);
			Socket socket = captured.get();
			CountDownLatch go = new CountDownLatch(1);
			List<CompletableFuture<Void>> senders = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				CompletableFuture<Void> done = new CompletableFuture<>();
				senders.add(done);
				Thread.ofVirtual().start(() -> {
					try {
						go.await();
						for (int seq = 0; seq < sendsPerThread; seq++) {
							ByteBuffer header = ByteBuffer.allocate(8).putInt(thread).putInt(seq).flip();
							ByteBuffer body = ByteBuffer.allocate(recordSize - 8);
							while (body.hasRemaining()) {
								body.put(pattern(thread, seq));
							}
							socket.send(header, body.flip());
						}
						done.complete(null);
					}
					catch (Throwable ex) {
						done.completeExceptionally(ex);
					}
				});
			}
			go.countDown();
			DataInputStream in = new DataInputStream(client.socket().getInputStream());
			int[] nextSeq = new int[threads];
			byte[] body = new byte[recordSize - 8];
			for (int i = 0; i < threads * sendsPerThread; i++) {
				int thread = in.readInt();
				int seq = in.readInt();
				in.readFully(body);
				assertThat(thread).as("record %d: thread", i).isBetween(0, threads - 1);
				assertThat(seq).as("record %d: sequence of thread %d", i, thread).isEqualTo(nextSeq[thread]);
				nextSeq[thread]++;
				for (int b = 0; b < body.length; b++) {
					if (body[b] != pattern(thread, seq)) {
						throw new AssertionError("Record " + i + " (thread " + thread + ", send " + seq
								+ ") is corrupt at byte " + (b + 8) + ": another send was interleaved");
					}
				}
			}
			for (CompletableFuture<Void> sender : senders) {
				get(sender);
			}
			assertThat(nextSeq).containsOnly(sendsPerThread);
			assertThat(socket.stats().sendCnt()).isEqualTo(threads * sendsPerThread);
			assertThat(socket.stats().sendOct()).isEqualTo((long) threads * sendsPerThread * recordSize);
		}
	}

	@Test
	void sendfileSendsTheRequestedRangesOfTheFile() throws Exception {
		Path file = abcdef();
		CompletableFuture<List<Long>> sent = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			sent.complete(List.of(socket.sendfile(file, 0, 6), socket.sendfile(file, 1, 3)));
			return Result.close(null);
		}));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.readToEnd()).isEqualTo("ABCDEFBCD");
		}
		assertThat(get(sent)).containsExactly(6L, 3L);
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP) == 1);
		List<TelemetryEvent> sendfiles = this.telemetry.named(TelemetryEvent.CONNECTION_SENDFILE);
		assertThat(sendfiles).hasSize(2);
		assertThat(sendfiles.get(0).measurements()).containsEntry("offset", 0L).containsEntry("bytes_written", 6L);
		assertThat(sendfiles.get(1).measurements()).containsEntry("offset", 1L).containsEntry("bytes_written", 3L);
		assertThat(sendfiles).allSatisfy((event) -> assertThat(event.metadata()).containsEntry("filename",
				file.toString()));
		TelemetryEvent stop = this.telemetry.named(TelemetryEvent.CONNECTION_STOP).get(0);
		assertThat(stop.measurement("send_oct")).isEqualTo(9);
		assertThat(stop.measurement("send_cnt")).isEqualTo(2);
	}

	@Test
	void sendfileWithLengthZeroSendsEverythingFromTheOffsetToTheEnd() throws Exception {
		Path file = abcdef();
		CompletableFuture<List<Long>> sent = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			sent.complete(List.of(socket.sendfile(file, 0, 0), socket.sendfile(file, 2, 0)));
			return Result.close(null);
		}));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.readToEnd()).isEqualTo("ABCDEFCDEF");
		}
		assertThat(get(sent)).containsExactly(6L, 4L);
	}

	@Test
	void sendfileClosesTheFileAfterEverySend() throws Exception {
		Path file = abcdef();
		int sends = 500;
		CompletableFuture<long[]> openFiles = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			long before = OpenFiles.count();
			for (int i = 0; i < sends; i++) {
				socket.sendfile(file, 0, 6);
			}
			long after = OpenFiles.count();
			openFiles.complete(new long[] { before, after, descriptorsOpenOn(file) });
			return Result.close(null);
		}));
		try (TestClient client = TestClient.connect(server)) {
			String received = client.readToEnd();
			assertThat(received).hasSize(6 * sends).isEqualTo("ABCDEF".repeat(sends));
		}
		long[] counts = get(openFiles);
		assertThat(counts[2]).as("descriptors still open on the file").isZero();
		assertThat(counts[1] - counts[0]).as("descriptors opened by %d sendfiles and never closed", sends)
			.isLessThan(10);
		assertThat(descriptorsOpenOn(file)).isZero();
	}

	@Test
	void sendfileOfA256MiBFileArrivesIntact() throws Exception {
		long size = 256L * 1024 * 1024;
		Path file = this.tempDir.resolve("big.bin");
		long expectedCrc = writePattern(file, size);
		CompletableFuture<Long> sent = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			sent.complete(socket.sendfile(file, 0, 0));
			return Result.close(null);
		}));
		CRC32 crc = new CRC32();
		long received = 0;
		try (SocketChannel client = SocketChannel
			.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()))) {
			client.socket().setSoTimeout((int) WAIT.toMillis());
			InputStream in = client.socket().getInputStream();
			byte[] buffer = new byte[1 << 20];
			int read;
			while ((read = in.read(buffer)) != -1) {
				crc.update(buffer, 0, read);
				received += read;
			}
		}
		assertThat(received).isEqualTo(size);
		assertThat(crc.getValue()).as("CRC32 of what the client received").isEqualTo(expectedCrc);
		assertThat(get(sent)).isEqualTo(size);
	}

	@Test
	void shutdownOfWritingSendsEndOfStreamButTheServerStillReads() throws Exception {
		CompletableFuture<String> received = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			socket.send(ascii("bye"));
			socket.shutdown(Socket.ShutdownWay.WRITE);
			received.complete(text(socket.recv(4)));
			return Result.close(null);
		}));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.read(3)).isEqualTo("bye");
			assertThat(client.socket().getInputStream().read()).as("end of stream").isEqualTo(-1);
			client.send("ping");
			assertThat(get(received)).isEqualTo("ping");
		}
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_SOCKET_SHUTDOWN)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("way", "write"));
	}

	@Test
	void shutdownOfReadingEndsReceivesButTheServerStillWrites() throws Exception {
		CompletableFuture<Throwable> failure = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			socket.shutdown(Socket.ShutdownWay.READ);
			failure.complete(catchThrowable(() -> socket.recv(1)));
			socket.send(ascii("still writing"));
			return Result.close(null);
		}));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.read(13)).isEqualTo("still writing");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		assertThat(get(failure)).isInstanceOf(EOFException.class);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_SOCKET_SHUTDOWN)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("way", "read"));
	}

	@Test
	void shutdownOfBothWaysSendsEndOfStream() throws Exception {
		CompletableFuture<Throwable> failure = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			socket.send(ascii("last"));
			socket.shutdown(Socket.ShutdownWay.READ_WRITE);
			failure.complete(catchThrowable(() -> socket.recv(1)));
			return Result.continueWith(null);
		}));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.read(4)).isEqualTo("last");
			assertThat(client.socket().getInputStream().read()).as("end of stream").isEqualTo(-1);
		}
		assertThat(get(failure)).isInstanceOf(EOFException.class);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_SOCKET_SHUTDOWN)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("way", "read_write"));
	}

	@Test
	void addressesMatchTheClientsViewAndThePlainTransportIsNotSecure() throws Exception {
		CompletableFuture<Socket> captured = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			captured.complete(socket);
			return Result.continueWith(null);
		}), (builder) -> builder.readTimeout(Duration.ofSeconds(42)));
		try (TestClient client = TestClient.connect(server)) {
			Socket socket = get(captured);
			assertThat(socket.remoteAddress()).isEqualTo(client.socket().getLocalSocketAddress());
			assertThat(socket.localAddress()).isEqualTo(client.socket().getRemoteSocketAddress());
			assertThat(((InetSocketAddress) socket.localAddress()).getPort()).isEqualTo(server.port());
			assertThat(socket.isSecure()).isFalse();
			assertThat(socket.isOpen()).isTrue();
			assertThat(socket.readTimeout()).isEqualTo(Duration.ofSeconds(42));
		}
	}

	@Test
	void statsCountExactlyTheBytesAndCallsOfEachDirection() throws Exception {
		CompletableFuture<SocketStats> afterConnection = new CompletableFuture<>();
		CompletableFuture<SocketStats> afterData = new CompletableFuture<>();
		AtomicReference<Connection> connection = new AtomicReference<>();
		Server server = start(new Handler<Void>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) throws Exception {
				connection.set(socket.connection());
				socket.recv(5);
				socket.send("0123456789".getBytes(StandardCharsets.US_ASCII));
				socket.send(ascii("abc"), ascii("defg"));
				afterConnection.complete(socket.stats());
				return Result.continueWith(state);
			}

			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				socket.send(data);
				afterData.complete(socket.stats());
				return Result.close(state);
			}
		});
		try (TestClient client = TestClient.connect(server)) {
			client.send("hello");
			assertThat(client.read(17)).isEqualTo("0123456789abcdefg");
			client.send("xyz");
			assertThat(client.read(3)).isEqualTo("xyz");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		assertThat(get(afterConnection)).isEqualTo(new SocketStats(17, 2, 5, 1));
		assertThat(get(afterData)).isEqualTo(new SocketStats(20, 3, 8, 2));
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP) == 1);
		assertThat(connection.get().stats()).isEqualTo(new SocketStats(20, 3, 8, 2));
		TelemetryEvent stop = this.telemetry.named(TelemetryEvent.CONNECTION_STOP).get(0);
		assertThat(stop.measurements()).containsEntry("send_oct", 20L)
			.containsEntry("send_cnt", 3L)
			.containsEntry("recv_oct", 8L)
			.containsEntry("recv_cnt", 2L);
	}

	@Test
	void aSendTheClientDoesNotTakeWithinTheSendTimeoutClosesTheConnection() throws Exception {
		CompletableFuture<Throwable> thrown = new CompletableFuture<>();
		CompletableFuture<Boolean> openAfterTimeout = new CompletableFuture<>();
		CompletableFuture<Throwable> handledError = new CompletableFuture<>();
		Server server = start(new Handler<Void>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) throws Exception {
				ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
				try {
					// At most 256 MiB: far more than any socket buffer holds for a client that never reads.
					for (int i = 0; i < 256; i++) {
						socket.send(chunk.clear());
					}
				}
				catch (IOException ex) {
					thrown.complete(ex);
					openAfterTimeout.complete(socket.isOpen());
					throw ex;
				}
				thrown.complete(null);
				return Result.continueWith(state);
			}

			@Override
			public void handleError(Throwable error, Socket socket, Void state) {
				handledError.complete(error);
			}
		}, (builder) -> builder.sendTimeout(Duration.ofMillis(300))
			.socketOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024));
		try (java.net.Socket client = new java.net.Socket()) {
			client.setReceiveBufferSize(16 * 1024);
			client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
			client.setSoTimeout((int) WAIT.toMillis());
			assertThat(get(thrown)).isInstanceOf(InterruptedByTimeoutException.class);
			assertThat(get(openAfterTimeout)).as("socket open after the send timed out").isFalse();
			assertThat(get(handledError)).isInstanceOf(InterruptedByTimeoutException.class);
			assertThat(drainUntilClosed(client)).as("the client sees the connection closed").isTrue();
		}
		await().atMost(WAIT).until(() -> server.activeConnections() == 0);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_SEND_ERROR)).singleElement().satisfies((event) -> {
			assertThat(event.metadata()).containsEntry("error", "timeout");
			assertThat(event.measurements()).containsKey("bytes");
		});
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_STOP)
				+ this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION)).isEqualTo(1);
	}

	@Test
	void aSendfileTheClientDoesNotTakeWithinTheSendTimeoutClosesTheConnectionLikeASend() throws Exception {
		Path file = this.tempDir.resolve("sparse.bin");
		try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
			out.write(ByteBuffer.wrap(new byte[] { 1 }), 64L * 1024 * 1024 - 1);
		}
		CompletableFuture<Throwable> thrown = new CompletableFuture<>();
		CompletableFuture<Boolean> openAfterTimeout = new CompletableFuture<>();
		CompletableFuture<Throwable> handledError = new CompletableFuture<>();
		AtomicInteger timeouts = new AtomicInteger();
		Server server = start(new Handler<Void>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) throws Exception {
				try {
					socket.sendfile(file, 0, 0);
				}
				catch (IOException ex) {
					thrown.complete(ex);
					openAfterTimeout.complete(socket.isOpen());
					throw ex;
				}
				thrown.complete(null);
				return Result.continueWith(state);
			}

			@Override
			public void handleError(Throwable error, Socket socket, Void state) {
				handledError.complete(error);
			}

			@Override
			public void handleTimeout(Socket socket, Void state) {
				timeouts.incrementAndGet();
			}
		}, (builder) -> builder.sendTimeout(Duration.ofMillis(300))
			.socketOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024));
		try (java.net.Socket client = new java.net.Socket()) {
			client.setReceiveBufferSize(16 * 1024);
			client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
			client.setSoTimeout((int) WAIT.toMillis());
			Throwable failure = get(thrown);
			assertThat(get(openAfterTimeout)).as("socket open after the sendfile timed out").isFalse();
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			// Like a send: the send timeout surfaces as InterruptedByTimeoutException and ends the
			// connection through handleError; handleTimeout is for read deadlines, with the socket open.
			Throwable handled = handledError.getNow(null);
			assertThat(new SendTimeoutOutcome(failure.getClass(), (handled != null) ? handled.getClass() : null,
					timeouts.get()))
				.isEqualTo(new SendTimeoutOutcome(InterruptedByTimeoutException.class,
						InterruptedByTimeoutException.class, 0));
			assertThat(drainUntilClosed(client)).as("the client sees the connection closed").isTrue();
		}
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_SENDFILE_ERROR)).singleElement()
			.satisfies((event) -> {
				assertThat(event.metadata()).containsEntry("error", "timeout")
					.containsEntry("filename", file.toString());
				assertThat(event.measurements()).containsEntry("offset", 0L).containsEntry("length", 0L);
			});
		assertThat(descriptorsOpenOn(file)).isZero();
	}

	@Test
	void sendOnASocketClosedByTheHandlerThrowsClosedChannelException() throws Exception {
		CompletableFuture<Throwable> failure = new CompletableFuture<>();
		CompletableFuture<Boolean> open = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			socket.close();
			open.complete(socket.isOpen());
			failure.complete(catchThrowable(() -> socket.send(ascii("too late"))));
			return Result.continueWith(null);
		}));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(get(failure)).isInstanceOf(ClosedChannelException.class);
			assertThat(get(open)).isFalse();
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		await().atMost(WAIT).until(() -> server.activeConnections() == 0);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_SEND_ERROR)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("error", "closed"));
	}

	@Test
	void sendAfterTheConnectionEndedThrowsClosedChannelException() throws Exception {
		CompletableFuture<Socket> captured = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			captured.complete(socket);
			return Result.continueWith(null);
		}));
		try (TestClient client = TestClient.connect(server)) {
			get(captured);
		}
		await().atMost(WAIT).until(() -> server.activeConnections() == 0);
		Socket socket = get(captured);
		assertThat(socket.isOpen()).isFalse();
		assertThatThrownBy(() -> socket.send(ascii("too late"))).isInstanceOf(ClosedChannelException.class);
		assertThatThrownBy(() -> socket.send(new byte[] { 1 })).isInstanceOf(ClosedChannelException.class);
	}

	@Test
	void telemetrySpanIsTheConnectionSpan() throws Exception {
		CompletableFuture<Span> span = new CompletableFuture<>();
		CompletableFuture<Long> id = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			span.complete(socket.telemetrySpan());
			id.complete(socket.connection().id());
			return Result.close(null);
		}));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		Span connectionSpan = get(span);
		assertThat(connectionSpan.kind()).isEqualTo("connection");
		assertThat(connectionSpan.parent().kind()).isEqualTo("acceptor");
		assertThat(connectionSpan.metadata()).containsEntry("connection_id", get(id));
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_START)).singleElement()
			.satisfies((event) -> assertThat(event.span()).isSameAs(connectionSpan));
		await().atMost(WAIT).until(connectionSpan::isEnded);
	}

	@Test
	void connectionIsTheOneTheServerLists() throws Exception {
		CompletableFuture<Connection> captured = new CompletableFuture<>();
		Server server = start(onConnection((socket) -> {
			captured.complete(socket.connection());
			return Result.continueWith(null);
		}));
		Connection connection;
		try (TestClient client = TestClient.connect(server)) {
			connection = get(captured);
			assertThat(server.connections()).singleElement().satisfies((listed) -> {
				assertThat(listed.id()).isEqualTo(connection.id());
				assertThat(listed).isSameAs(connection);
			});
			assertThat(connection.remoteAddress()).isEqualTo(client.socket().getLocalSocketAddress());
			assertThat(connection.state()).isEqualTo(Connection.State.OPEN);
		}
		await().atMost(WAIT).until(() -> server.connections().isEmpty());
		assertThat(connection.state()).isEqualTo(Connection.State.CLOSED);
	}

	private Server start(Handler<?> handler) throws IOException {
		return start(handler, (builder) -> {
		});
	}

	private Server start(Handler<?> handler, Consumer<ServerConfig.Builder> customizer) throws IOException {
		ServerConfig.Builder builder = ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(2)
			.shutdownTimeout(Duration.ofSeconds(2))
			.telemetryListener(this.telemetry);
		customizer.accept(builder);
		Server server = builder.start();
		this.servers.add(server);
		return server;
	}

	private static Handler<Void> onConnection(ConnectionCallback callback) {
		return new Handler<>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) throws Exception {
				return callback.handle(socket);
			}
		};
	}

	private static <T> T get(CompletableFuture<T> future) throws Exception {
		return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
	}

	private static ByteBuffer ascii(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
	}

	private static String text(ByteBuffer buffer) {
		return StandardCharsets.US_ASCII.decode(buffer).toString();
	}

	private static byte pattern(int thread, int seq) {
		return (byte) (thread * 31 + seq * 7 + 1);
	}

	private static Throwable catchThrowable(ThrowingCall call) {
		try {
			call.call();
			return null;
		}
		catch (Throwable ex) {
			return ex;
		}
	}

	private static Throwable runOnVirtualThread(ThrowingCall call) throws Exception {
		CompletableFuture<Throwable> thrown = new CompletableFuture<>();
		Thread.ofVirtual().start(() -> thrown.complete(catchThrowable(call)));
		return get(thrown);
	}

	private Path abcdef() throws IOException {
		return Files.writeString(this.tempDir.resolve("sendfile"), "ABCDEF", StandardCharsets.US_ASCII);
	}

	/** Counts this process's descriptors that refer to {@code file} (Linux). */
	private static long descriptorsOpenOn(Path file) throws IOException {
		Path target = file.toRealPath();
		try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
			return descriptors.filter((descriptor) -> {
				try {
					return Path.of("/").resolve(Files.readSymbolicLink(descriptor)).equals(target);
				}
				catch (IOException | UnsupportedOperationException ex) {
					return false;
				}
			}).count();
		}
	}

	/**
	 * Writes {@code size} bytes of a non-repeating pattern in 1 MiB chunks.
	 * @return the CRC32 of what was written
	 */
	private static long writePattern(Path file, long size) throws IOException {
		CRC32 crc = new CRC32();
		ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
		long word = 0;
		try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
			for (long written = 0; written < size; written += chunk.capacity()) {
				chunk.clear();
				while (chunk.hasRemaining()) {
					chunk.putLong(word++ * 0x9E3779B97F4A7C15L);
				}
				crc.update(chunk.flip().duplicate());
				while (chunk.hasRemaining()) {
					out.write(chunk);
				}
			}
		}
		return crc.getValue();
	}

	/** Reads and discards until the server's end of stream (or reset). */
	private static boolean drainUntilClosed(java.net.Socket client) throws IOException {
		InputStream in = client.getInputStream();
		byte[] buffer = new byte[64 * 1024];
		try {
			while (in.read(buffer) != -1) {
				// discard
			}
			return true;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (SocketException ex) {
			return true;
		}
	}

	/**
	 * How a send timeout surfaced to the handler.
	 * @param thrown what the sending call threw
	 * @param handleError what handleError received, or {@code null} if it did not run
	 * @param handleTimeoutCalls how many times handleTimeout ran
	 */
	private record SendTimeoutOutcome(Class<?> thrown, Class<?> handleError, int handleTimeoutCalls) {
	}

	@FunctionalInterface
	private interface ConnectionCallback {

		Result<Void> handle(Socket socket) throws Exception;

	}

	@FunctionalInterface
	private interface ThrowingCall {

		void call() throws Exception;

	}

}
