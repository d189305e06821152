package dev.thousandisland;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.transport.Transport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What a handler keeps of the bytes {@link Handler#handleData} gave it stays those bytes, under
 * the default configuration, whatever other connections send afterwards: the attack of issue 12,
 * where a kept buffer (or a view of it) later showed another client's data.
 */
class DataIsolationTests {

	static final int MESSAGE = 4096;

	static final int OTHER_CONNECTIONS = 50;

	/** The ways a handler author might hold on to received bytes. */
	enum Keep {

		BUFFER, SLICE, DUPLICATE, READ_ONLY_VIEW, TOLD_TO_ITSELF, HANDED_TO_ANOTHER_THREAD

	}

	static Stream<Arguments> keepsAndTransports() {
		return Stream.of(false, true)
			.flatMap((tls) -> Arrays.stream(Keep.values()).map((keep) -> Arguments.of(keep, tls)));
	}

	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("keepsAndTransports")
	void keptBytesNeverChangeWhenOtherConnectionsSendData(Keep keep, boolean tls) throws Exception {
		try (KeepingHandler handler = new KeepingHandler(keep)) {
			keepThenLetOthersSend(handler, tls, ServerConfig.builder(handler), OTHER_CONNECTIONS);
			Snapshot before = handler.expected;
			Snapshot after = handler.observeKept();
			assertThat(after.position()).as("position").isEqualTo(before.position());
			assertThat(after.limit()).as("limit").isEqualTo(before.limit());
			assertThat(differingBytes(before.bytes(), after.bytes())).as("kept bytes that changed").isZero();
		}
	}

	@ParameterizedTest(name = "tls={0}")
	@ValueSource(booleans = { false, true })
	void checkedLendingEmptiesTheLentBufferSoThatReadingItAfterTheCallbackThrows(boolean tls) throws Exception {
		try (KeepingHandler handler = new KeepingHandler(Keep.BUFFER)) {
			keepThenLetOthersSend(handler, tls, ServerConfig.builder(handler).dataBuffers(DataBuffers.LENT_CHECKED), 10);
			ByteBuffer kept = handler.kept.get(5, TimeUnit.SECONDS);
			assertThat(kept.remaining()).isZero();
			assertThatExceptionOfType(BufferUnderflowException.class).isThrownBy(kept::get);
			assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> kept.get(0));
		}
	}

	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("viewsAndTransports")
	void checkedLendingPoisonsWhatKeptViewsReadAfterTheCallback(Keep keep, boolean tls) throws Exception {
		try (KeepingHandler handler = new KeepingHandler(keep)) {
			keepThenLetOthersSend(handler, tls, ServerConfig.builder(handler).dataBuffers(DataBuffers.LENT_CHECKED), 10);
			Snapshot before = handler.expected;
			Snapshot after = handler.observeKept();
			assertThat(after.position()).isEqualTo(before.position());
			assertThat(after.limit()).isEqualTo(before.limit());
			assertThat(after.bytes()).hasSameSizeAs(before.bytes()).containsOnly(DataBuffers.POISON);
		}
	}

	@ParameterizedTest(name = "{0}, tls={1}")
	@MethodSource("modesAndTransports")
	void everyModeDeliversEachConnectionItsOwnBytes(DataBuffers mode, boolean tls) throws Exception {
		try (KeepingHandler handler = new KeepingHandler(Keep.BUFFER)) {
			// The B connections' echo checks their bytes; A's arrive as sent.
			keepThenLetOthersSend(handler, tls, ServerConfig.builder(handler).dataBuffers(mode), 10);
			assertThat(handler.expected.bytes()).containsOnly((byte) 'A');
		}
	}

	static Stream<Arguments> viewsAndTransports() {
		return Stream.of(false, true)
			.flatMap((tls) -> Stream.of(Keep.SLICE, Keep.DUPLICATE, Keep.READ_ONLY_VIEW)
				.map((keep) -> Arguments.of(keep, tls)));
	}

	static Stream<Arguments> modesAndTransports() {
		return Stream.of(false, true)
			.flatMap((tls) -> Arrays.stream(DataBuffers.values()).map((mode) -> Arguments.of(mode, tls)));
	}

	/**
	 * Connection A sends {@code A}s, which the handler keeps; then {@code others} connections, one
	 * after the other, send {@code B}s and read them back.
	 */
	static void keepThenLetOthersSend(KeepingHandler handler, boolean tls, ServerConfig.Builder config, int others)
			throws Exception {
		config.port(0).bindAddress(InetAddress.getLoopbackAddress());
		if (tls) {
			config.transport(Transport.tls(TestCertificates.get().serverContext()));
		}
		Server server = config.start();
		try (Client a = Client.connect(server, tls)) {
			a.send(filled('A', MESSAGE));
			assertThat(a.read(1)).containsExactly('K');
			assertThat(handler.expected.bytes()).isNotEmpty().containsOnly((byte) 'A');
			for (int i = 0; i < others; i++) {
				try (Client b = Client.connect(server, tls)) {
					byte[] data = filled('B', MESSAGE);
					b.send(data);
					assertThat(b.read(MESSAGE)).isEqualTo(data);
				}
			}
		}
		finally {
			server.stop();
		}
	}

	static int differingBytes(byte[] expected, byte[] actual) {
		int differing = Math.abs(expected.length - actual.length);
		for (int i = 0; i < Math.min(expected.length, actual.length); i++) {
			if (expected[i] != actual[i]) {
				differing++;
			}
		}
		return differing;
	}

	static byte[] filled(char c, int length) {
		byte[] bytes = new byte[length];
		Arrays.fill(bytes, (byte) c);
		return bytes;
	}

	/** A buffer's position, limit and the bytes between them, read without moving it. */
	record Snapshot(int position, int limit, byte[] bytes) {

		static Snapshot of(ByteBuffer buffer) {
			byte[] bytes = new byte[buffer.limit() - buffer.position()];
			buffer.get(buffer.position(), bytes);
			return new Snapshot(buffer.position(), buffer.limit(), bytes);
		}

	}

	/**
	 * Keeps the first buffer of {@code A}s it receives, the way {@link Keep} says, and echoes
	 * every other connection's bytes.
	 */
	static final class KeepingHandler implements Handler<Void>, AutoCloseable {

		private final Keep keep;

		private final AtomicBoolean keeping = new AtomicBoolean();

		private final ExecutorService otherThread = Executors.newSingleThreadExecutor();

		private final CompletableFuture<ByteBuffer> kept = new CompletableFuture<>();

		private volatile Snapshot expected;

		/** What {@link #otherThread} holds; touched only by that thread. */
		private ByteBuffer heldElsewhere;

		KeepingHandler(Keep keep) {
			this.keep = keep;
		}

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			if (data.get(data.position()) != 'A') {
				socket.send(data);
				return Result.continueWith(state);
			}
			if (!this.keeping.compareAndSet(false, true)) {
				return Result.continueWith(state);
			}
			ByteBuffer view = switch (this.keep) {
				case SLICE -> data.slice();
				case DUPLICATE -> data.duplicate();
				case READ_ONLY_VIEW -> data.asReadOnlyBuffer();
				case BUFFER, TOLD_TO_ITSELF, HANDED_TO_ANOTHER_THREAD -> data;
			};
			this.expected = Snapshot.of(view);
			switch (this.keep) {
				case TOLD_TO_ITSELF -> socket.connection().tell(view);
				case HANDED_TO_ANOTHER_THREAD -> {
					this.otherThread.submit(() -> this.heldElsewhere = view).get(5, TimeUnit.SECONDS);
					this.kept.complete(view);
					socket.send(ByteBuffer.wrap(new byte[] { 'K' }));
				}
				default -> {
					this.kept.complete(view);
					socket.send(ByteBuffer.wrap(new byte[] { 'K' }));
				}
			}
			return Result.continueWith(state);
		}

		@Override
		public Result<Void> handleMessage(Object message, Socket socket, Void state) throws Exception {
			this.kept.complete((ByteBuffer) message);
			socket.send(ByteBuffer.wrap(new byte[] { 'K' }));
			return Result.continueWith(state);
		}

		Snapshot observeKept() throws Exception {
			if (this.keep == Keep.HANDED_TO_ANOTHER_THREAD) {
				return this.otherThread.submit(() -> Snapshot.of(this.heldElsewhere)).get(5, TimeUnit.SECONDS);
			}
			return Snapshot.of(this.kept.get(5, TimeUnit.SECONDS));
		}

		@Override
		public void close() {
			this.otherThread.shutdownNow();
		}

	}

	/** A blocking client over plain TCP or TLS, with a read timeout. */
	static final class Client implements AutoCloseable {

		private final java.net.Socket socket;

		private final InputStream in;

		private final OutputStream out;

		private Client(java.net.Socket socket) throws IOException {
			this.socket = socket;
			socket.setSoTimeout(10_000);
			this.in = socket.getInputStream();
			this.out = socket.getOutputStream();
		}

		static Client connect(Server server, boolean tls) throws Exception {
			if (tls) {
				SSLSocket socket = (SSLSocket) TestCertificates.get()
					.clientContext()
					.getSocketFactory()
					.createSocket(InetAddress.getLoopbackAddress(), server.port());
				return new Client(socket);
			}
			return new Client(TestClient.connect(server).socket());
		}

		void send(byte[] bytes) throws IOException {
			this.out.write(bytes);
			this.out.flush();
		}

		byte[] read(int length) throws IOException {
			return this.in.readNBytes(length);
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}
