package dev.thousandisland;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Every way a connection ends, started on any thread: exactly one closing callback, run on the
 * connection's own thread, and exactly one stop event naming the reason.
 */
class ConnectionEndingTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	private final List<Server> servers = new ArrayList<>();

	@AfterEach
	void stopServers() throws InterruptedException {
		for (Server server : this.servers) {
			// Bounded even if a stop deadlocks, so that one failure cannot hang the suite.
			Thread stopping = Thread.ofVirtual().start(() -> server.stop(Duration.ofSeconds(2)));
			stopping.join(WAIT.toMillis());
		}
	}

	/** Who closes the socket, and from which thread. */
	enum Closer {

		SOCKET_CLOSE_FROM_ANOTHER_THREAD, CONNECTION_CLOSE_FROM_ANOTHER_THREAD, SOCKET_CLOSE_IN_A_CALLBACK,
		CONNECTION_CLOSE_IN_A_CALLBACK

	}

	@ParameterizedTest
	@EnumSource(Closer.class)
	void everyCloseRunsHandleCloseOnTheConnectionsThreadAndStopsWithReasonClosed(Closer closer) throws Exception {
		Journal journal = new Journal();
		journal.onData = (socket) -> {
			switch (closer) {
				case SOCKET_CLOSE_IN_A_CALLBACK -> socket.close();
				case CONNECTION_CLOSE_IN_A_CALLBACK -> socket.connection().close();
				default -> {
				}
			}
		};
		Server server = start(journal);
		try (TestClient client = TestClient.connect(server)) {
			Socket socket = journal.socket.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			switch (closer) {
				case SOCKET_CLOSE_FROM_ANOTHER_THREAD -> socket.close();
				case CONNECTION_CLOSE_FROM_ANOTHER_THREAD -> socket.connection().close();
				default -> client.send("close yourself");
			}
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		awaitStops(1);
		assertThat(journal.endings()).containsExactly("close");
		// A connection's threads (a new one after each hibernation) share its name: the closing
		// callback runs on one of them, never on the closer's thread.
		assertThat(journal.endingThreads).extracting(Thread::getName).containsExactly(journal.connectionThread.getName());
		assertThat(journal.endingThreads).doesNotContain(Thread.currentThread());
		assertThat(journal.openAtEnd).containsExactly(false);
		assertThat(stop().metadata()).containsEntry("reason", "closed").doesNotContainKey("error");
	}

	@Test
	void sendTimeoutOnABroadcastingThreadRunsHandleErrorOnTheConnectionsThread() throws Exception {
		Journal journal = new Journal();
		Server server = start(journal, (builder) -> builder.sendTimeout(Duration.ofMillis(200)));
		try (TestClient client = TestClient.connect(server)) {
			client.socket().setReceiveBufferSize(4096);
			Socket socket = journal.socket.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			// The client reads nothing: the broadcaster fills both buffers and its send times out.
			Throwable failure = null;
			for (int i = 0; i < 1000 && failure == null; i++) {
				failure = catchThrowable(() -> socket.send(ByteBuffer.allocate(1024 * 1024)));
			}
			assertThat(failure).isInstanceOf(InterruptedByTimeoutException.class);
			awaitStops(1);
		}
		assertThat(journal.endings()).containsExactly("error:InterruptedByTimeoutException");
		// A connection's threads (a new one after each hibernation) share its name: the closing
		// callback runs on one of them, never on the closer's thread.
		assertThat(journal.endingThreads).extracting(Thread::getName).containsExactly(journal.connectionThread.getName());
		assertThat(journal.endingThreads).doesNotContain(Thread.currentThread());
		assertThat(stop().metadata()).containsEntry("reason", "send_timeout").containsKey("error");
	}

	@Test
	void sendTimeoutInsideACallbackEndsWithReasonSendTimeoutEvenIfTheHandlerCarriesOn() throws Exception {
		Journal journal = new Journal();
		journal.onData = (socket) -> {
			Throwable failure = null;
			for (int i = 0; i < 1000 && failure == null; i++) {
				failure = catchThrowable(() -> socket.send(ByteBuffer.allocate(1024 * 1024)));
			}
			// Swallowed: the connection still ends, and says why.
		};
		Server server = start(journal, (builder) -> builder.sendTimeout(Duration.ofMillis(200)));
		try (TestClient client = TestClient.connect(server)) {
			client.socket().setReceiveBufferSize(4096);
			client.send("flood me");
			awaitStops(1);
		}
		assertThat(journal.endings()).containsExactly("error:InterruptedByTimeoutException");
		assertThat(stop().metadata()).containsEntry("reason", "send_timeout");
	}

	@Test
	void shutdownRequestedDuringTheHandshakeRunsHandleConnectionBeforeHandleShutdown() throws Exception {
		TestCertificates certificates = TestCertificates.get();
		Journal journal = new Journal();
		// Generous: a loaded machine may take seconds to set up the client's side of TLS.
		Server server = start(journal, (builder) -> builder.transport(Transport.tls(certificates.serverContext()))
			.handshakeTimeout(WAIT)
			.shutdownTimeout(WAIT));
		SSLSocketFactory factory = certificates.clientContext().getSocketFactory();
		try (java.net.Socket plain = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
			await().atMost(WAIT).until(() -> server.connections().size() == 1);
			CompletableFuture<Void> stopped = server.stopAsync(WAIT);
			try (SSLSocket tls = (SSLSocket) factory.createSocket(plain, "localhost", server.port(), true)) {
				tls.setSoTimeout((int) WAIT.toMillis());
				tls.startHandshake();
				assertThat(tls.getInputStream().read()).isEqualTo(-1);
			}
			stopped.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		assertThat(journal.callbacks).containsExactly("connection", "shutdown");
		assertThat(stop().metadata()).containsEntry("reason", "shutdown");
	}

	@Test
	void connectionCloseDuringTheTlsHandshakeRunsHandleClose() throws Exception {
		TestCertificates certificates = TestCertificates.get();
		Journal journal = new Journal();
		Server server = start(journal, (builder) -> builder.transport(Transport.tls(certificates.serverContext())));
		try (java.net.Socket plain = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
			await().atMost(WAIT).until(() -> server.connections().size() == 1);
			Connection connection = server.connections().getFirst();
			assertThat(connection.state()).isEqualTo(Connection.State.HANDSHAKING);
			connection.close();
			awaitStops(1);
		}
		assertThat(journal.callbacks).containsExactly("close");
		assertThat(stop().metadata()).containsEntry("reason", "closed");
	}

	@Test
	void handleErrorAfterAFailedHandshakeReceivesTheInitialState() throws Exception {
		TestCertificates certificates = TestCertificates.get();
		Journal journal = new Journal();
		Server server = start(journal, (builder) -> builder.transport(Transport.tls(certificates.serverContext())));
		try (TestClient client = TestClient.connect(server)) {
			client.send("this is no ClientHello\r\n".repeat(20));
			awaitStops(1);
		}
		assertThat(journal.callbacks).hasSize(1).first().asString().startsWith("error:");
		assertThat(journal.endStates).containsExactly("initial");
		assertThat(stop().metadata()).containsEntry("reason", "handshake_failed");
	}

	@Test
	void connectFloodsRacingImmediateStopsEmitAStopForEveryStartAndNeverCountBelowZero() throws Exception {
		List<LogRecord> errors = new CopyOnWriteArrayList<>();
		java.util.logging.Handler errorLog = new java.util.logging.Handler() {

			@Override
			public void publish(LogRecord record) {
				if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
					errors.add(record);
				}
			}

			@Override
			public void flush() {
			}

			@Override
			public void close() {
			}

		};
		Logger library = Logger.getLogger("dev.thousandisland");
		library.addHandler(errorLog);
		try {
			flood(errors);
		}
		finally {
			library.removeHandler(errorLog);
		}
	}

	private void flood(List<LogRecord> errors) throws Exception {
		for (int round = 0; round < 15; round++) {
			TelemetryRecorder recorder = new TelemetryRecorder();
			AtomicInteger lowest = new AtomicInteger();
			Server server = ServerConfig.builder(new Journal())
				.port(0)
				.bindAddress(InetAddress.getLoopbackAddress())
				.numAcceptors(4)
				.telemetryListener(recorder)
				.start();
			this.servers.add(server);
			List<Thread> flooders = new ArrayList<>();
			for (int f = 0; f < 4; f++) {
				flooders.add(Thread.ofVirtual().start(() -> {
					for (int i = 0; i < 100; i++) {
						try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(),
								server.port())) {
							lowest.accumulateAndGet(server.activeConnections(), Math::min);
						}
						catch (IOException ex) {
							return;
						}
					}
				}));
			}
			Thread.sleep(round % 5);
			server.stop(Duration.ZERO);
			for (Thread flooder : flooders) {
				flooder.join(WAIT.toMillis());
			}
			int round0 = round;
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(recorder.count(TelemetryEvent.CONNECTION_STOP)
						+ recorder.count(TelemetryEvent.CONNECTION_EXCEPTION))
					.as("round %d", round0)
					.isEqualTo(recorder.count(TelemetryEvent.CONNECTION_START)));
			assertThat(server.activeConnections()).as("round %d", round).isZero();
			assertThat(lowest).as("round %d", round).hasValueGreaterThanOrEqualTo(0);
			assertThat(errors).as("round %d: errors logged", round).extracting(LogRecord::getMessage).isEmpty();
		}
	}

	@Test
	void stopCalledFromAHandlerCallbackNeitherDeadlocksNorWaitsTheShutdownTimeout() throws Exception {
		AtomicReference<Server> self = new AtomicReference<>();
		CompletableFuture<Void> returned = new CompletableFuture<>();
		Journal journal = new Journal();
		journal.onData = (socket) -> {
			self.get().stop();
			returned.complete(null);
		};
		Server server = start(journal, (builder) -> builder.shutdownTimeout(Duration.ofMinutes(2)));
		self.set(server);
		try (TestClient client = TestClient.connect(server)) {
			client.send("stop the server");
			returned.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(server.awaitTermination(WAIT)).isTrue();
		}
		assertThat(journal.callbacks).containsExactly("connection", "data", "shutdown");
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
	}

	@Test
	void stopCalledFromATelemetryListenerOnAnAcceptorEventDoesNotDeadlock() throws Exception {
		AtomicReference<Server> self = new AtomicReference<>();
		CompletableFuture<Void> returned = new CompletableFuture<>();
		Journal journal = new Journal();
		Server server = start(journal, (builder) -> builder.maxConnections(1)
			.maxConnectionsRetryCount(0)
			.shutdownTimeout(Duration.ofMinutes(2))
			.telemetryListener((event) -> {
				if (event.name().equals("acceptor.spawn_error")) {
					self.get().stop();
					returned.complete(null);
				}
			}));
		self.set(server);
		try (TestClient first = TestClient.connect(server)) {
			journal.socket.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			try (TestClient second = TestClient.connect(server)) {
				returned.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			}
			assertThat(server.awaitTermination(WAIT)).isTrue();
		}
		assertThat(journal.callbacks).containsExactly("connection", "shutdown");
	}

	@Test
	void suspendCalledFromATelemetryListenerOnAnAcceptorEventDoesNotDeadlock() throws Exception {
		AtomicReference<Server> self = new AtomicReference<>();
		CompletableFuture<Void> returned = new CompletableFuture<>();
		Journal journal = new Journal();
		Server server = start(journal, (builder) -> builder.maxConnections(1)
			.maxConnectionsRetryCount(0)
			.telemetryListener((event) -> {
				if (event.name().equals("acceptor.spawn_error")) {
					self.get().suspend();
					returned.complete(null);
				}
			}));
		self.set(server);
		try (TestClient first = TestClient.connect(server)) {
			journal.socket.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			try (TestClient second = TestClient.connect(server)) {
				returned.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			}
			assertThat(server.status()).isEqualTo(ServerStatus.SUSPENDED);
			// The connection already admitted carries on.
			first.send("still here");
			await().atMost(WAIT).until(() -> journal.callbacks.contains("data"));
		}
	}

	// Item 5: only the framework's own timeouts are timeouts.

	@Test
	void socketTimeoutFromTheHandlersOwnOutboundIoRunsHandleErrorWithThatException() throws Exception {
		try (ServerSocket silentBackend = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			AtomicReference<Throwable> thrown = new AtomicReference<>();
			Journal journal = new Journal();
			journal.onData = (socket) -> {
				// A client of another server (a database, say) whose read times out.
				try (java.net.Socket backend = new java.net.Socket(InetAddress.getLoopbackAddress(),
						silentBackend.getLocalPort())) {
					backend.setSoTimeout(50);
					InputStream in = backend.getInputStream();
					try {
						in.read();
					}
					catch (SocketTimeoutException ex) {
						thrown.set(ex);
						throw ex;
					}
				}
			};
			Server server = start(journal);
			try (TestClient client = TestClient.connect(server)) {
				client.send("query the backend");
				awaitStops(1);
			}
			assertThat(journal.endings()).containsExactly("error:SocketTimeoutException");
			assertThat(journal.errors).containsExactly(thrown.get());
			assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_EXCEPTION)).singleElement()
				.satisfies((event) -> assertThat(event.metadata()).containsEntry("reason", "exception"));
		}
	}

	@Test
	void errorResultWithAForeignSocketTimeoutRunsHandleError() throws Exception {
		SocketTimeoutException foreign = new SocketTimeoutException("Redis did not answer");
		Journal journal = new Journal();
		journal.result = () -> Result.error(foreign, "failed");
		Server server = start(journal);
		try (TestClient client = TestClient.connect(server)) {
			client.send("go");
			awaitStops(1);
		}
		assertThat(journal.endings()).containsExactly("error:SocketTimeoutException");
		assertThat(journal.errors).containsExactly(foreign);
		assertThat(stop().metadata()).containsEntry("reason", "error");
	}

	@Test
	void recvTimeoutEscapingACallbackRunsHandleTimeout() throws Exception {
		Journal journal = new Journal();
		journal.onData = (socket) -> socket.recv(10, Duration.ofMillis(50));
		Server server = start(journal);
		try (TestClient client = TestClient.connect(server)) {
			client.send("partial");
			awaitStops(1);
		}
		assertThat(journal.endings()).containsExactly("timeout");
		assertThat(stop().metadata()).containsEntry("reason", "read_timeout").containsEntry("error", "timeout");
	}

	@Test
	void errorResultCarryingTheRecvTimeoutRunsHandleTimeout() throws Exception {
		Journal journal = new Journal();
		AtomicReference<Throwable> recvTimeout = new AtomicReference<>();
		journal.onData = (socket) -> {
			try {
				socket.recv(10, Duration.ofMillis(50));
			}
			catch (SocketTimeoutException ex) {
				recvTimeout.set(ex);
			}
		};
		journal.result = () -> Result.error(recvTimeout.get(), "late");
		Server server = start(journal);
		try (TestClient client = TestClient.connect(server)) {
			client.send("partial");
			awaitStops(1);
		}
		assertThat(journal.endings()).containsExactly("timeout");
		assertThat(journal.endStates).containsExactly("late");
	}

	// Helpers

	private Server start(Handler<?> handler) throws IOException {
		return start(handler, (builder) -> {
		});
	}

	private Server start(Handler<?> handler, Consumer<ServerConfig.Builder> customizer) throws IOException {
		ServerConfig.Builder builder = ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(1)
			.shutdownTimeout(Duration.ofSeconds(2))
			.telemetryListener(this.telemetry);
		customizer.accept(builder);
		Server server = builder.start();
		this.servers.add(server);
		return server;
	}

	private void awaitStops(int count) {
		await().atMost(WAIT)
			.until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP)
					+ this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION) >= count);
	}

	private TelemetryEvent stop() {
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_START)).isOne();
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION)).isZero();
		List<TelemetryEvent> stops = this.telemetry.named(TelemetryEvent.CONNECTION_STOP);
		assertThat(stops).hasSize(1);
		return stops.getFirst();
	}

	@FunctionalInterface
	interface Action {

		void run(Socket socket) throws Exception;

	}

	@FunctionalInterface
	interface ResultSupplier {

		Result<String> get();

	}

	/** Records every callback by name, and for closing callbacks the thread, state and socket. */
	static final class Journal implements Handler<String> {

		final List<String> callbacks = new CopyOnWriteArrayList<>();

		final List<Thread> endingThreads = new CopyOnWriteArrayList<>();

		final List<Boolean> openAtEnd = new CopyOnWriteArrayList<>();

		final List<String> endStates = new CopyOnWriteArrayList<>();

		final List<Throwable> errors = new CopyOnWriteArrayList<>();

		final CompletableFuture<Socket> socket = new CompletableFuture<>();

		volatile Thread connectionThread;

		volatile Action onData = (socket) -> {
		};

		volatile ResultSupplier result;

		@Override
		public String initialState() {
			return "initial";
		}

		@Override
		public Result<String> handleConnection(Socket socket, String state) {
			this.callbacks.add("connection");
			this.connectionThread = Thread.currentThread();
			this.socket.complete(socket);
			return Result.continueWith(state);
		}

		@Override
		public Result<String> handleData(ByteBuffer data, Socket socket, String state) throws Exception {
			this.callbacks.add("data");
			this.onData.run(socket);
			ResultSupplier result = this.result;
			return (result != null) ? result.get() : Result.continueWith(state);
		}

		@Override
		public void handleClose(Socket socket, String state) {
			ending("close", socket, state);
		}

		@Override
		public void handleError(Throwable error, Socket socket, String state) {
			this.errors.add(error);
			ending("error:" + error.getClass().getSimpleName(), socket, state);
		}

		@Override
		public void handleShutdown(Socket socket, String state) {
			ending("shutdown", socket, state);
		}

		@Override
		public void handleTimeout(Socket socket, String state) {
			ending("timeout", socket, state);
		}

		List<String> endings() {
			return this.callbacks.stream().filter((name) -> !name.equals("connection") && !name.equals("data")).toList();
		}

		private void ending(String name, Socket socket, String state) {
			this.endingThreads.add(Thread.currentThread());
			this.openAtEnd.add(socket.isOpen());
			this.endStates.add(state);
			this.callbacks.add(name);
		}

	}

	static String text(ByteBuffer data) {
		return StandardCharsets.UTF_8.decode(data).toString();
	}

}
