package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The read deadline with Thousand Island 1.5 semantics ({@code handler_test.exs}, "async waiting
 * and timeouts"): it is armed when {@code handleConnection} or {@code handleData} returns, only
 * client data moves it, and {@link Handler#handleTimeout} runs with the socket still open when it
 * passes.
 *
 * <p>Every duration asserted here is a lower bound, measured from the moment the callback that
 * armed the deadline returned; upper bounds are only Awaitility's generous {@code atMost}.
 */
class ReadTimeoutTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	/** A read timeout long enough never to pass during a test. */
	private static final Duration LONG = Duration.ofSeconds(60);

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	private final List<Server> servers = new ArrayList<>();

	private final List<ScheduledExecutorService> schedulers = new ArrayList<>();

	private final List<Thread> helpers = new ArrayList<>();

	@AfterEach
	void stopEverything() throws InterruptedException {
		for (ScheduledExecutorService scheduler : this.schedulers) {
			scheduler.shutdownNow();
		}
		for (Thread helper : this.helpers) {
			helper.interrupt();
		}
		for (Server server : this.servers) {
			server.stop(Duration.ofSeconds(2));
		}
		for (Thread helper : this.helpers) {
			helper.join(WAIT.toMillis());
		}
	}

	@Test
	void handleTimeoutRunsWithTheSocketOpenWhenTheReadTimeoutPasses() throws Exception {
		Recorder recorder = new Recorder();
		recorder.onTimeout = (socket, state) -> socket.send(bytes("goodbye"));
		Server server = start(recorder, Duration.ofMillis(100));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.readToEnd()).isEqualTo("goodbye");
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).containsExactly("connection", "timeout");
		assertThat(recorder.openAtTimeout).isTrue();
		assertThat(recorder.timeoutAt - recorder.connectionReturnedAt).isGreaterThanOrEqualTo(millis(100));
		assertTimeoutStop();
	}

	@Test
	void oneShotTimeoutOnTheInitialWaitReplacesTheGlobalOne() throws Exception {
		Recorder recorder = new Recorder();
		recorder.onConnection = (socket, state) -> Result.continueWith(state, Duration.ofMillis(100));
		recorder.onTimeout = (socket, state) -> socket.send(bytes("goodbye"));
		Server server = start(recorder, LONG);
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.readToEnd()).isEqualTo("goodbye");
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).containsExactly("connection", "timeout");
		assertThat(recorder.timeoutAt - recorder.connectionReturnedAt).isGreaterThanOrEqualTo(millis(100));
		assertTimeoutStop();
	}

	@Test
	void oneShotTimeoutAfterDataReplacesTheGlobalOne() throws Exception {
		Recorder recorder = new Recorder();
		recorder.onData = (data, socket, state) -> {
			socket.send(bytes("ok"));
			return Result.continueWith(state, Duration.ofMillis(100));
		};
		recorder.onTimeout = (socket, state) -> socket.send(bytes("goodbye"));
		Server server = start(recorder, LONG);
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("x").readToEnd()).isEqualTo("okgoodbye");
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).containsExactly("connection", "data:x", "timeout");
		assertThat(recorder.timeoutAt - recorder.dataReturnedAt).isGreaterThanOrEqualTo(millis(100));
		assertTimeoutStop();
	}

	@Test
	void oneShotTimeoutLongerThanTheGlobalOneIsHonouredInFull() throws Exception {
		Recorder recorder = new Recorder();
		recorder.onConnection = (socket, state) -> Result.continueWith(state, Duration.ofMillis(600));
		Server server = start(recorder, Duration.ofMillis(100));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.readToEnd()).isEmpty();
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).containsExactly("connection", "timeout");
		assertThat(recorder.timeoutAt - recorder.connectionReturnedAt).isGreaterThanOrEqualTo(millis(600));
		assertTimeoutStop();
	}

	@Test
	void noTimeoutAsAOneShotDisablesTheNextWaitOnly() throws Exception {
		Recorder recorder = new Recorder();
		recorder.onConnection = (socket, state) -> {
			socket.send(bytes("hi"));
			return Result.continueWith(state, ServerConfig.NO_TIMEOUT);
		};
		Server server = start(recorder, Duration.ofMillis(100));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.read(2)).isEqualTo("hi");
			Connection connection = recorder.connection();
			// Six times the global timeout without a byte from the client, and still open.
			await().during(Duration.ofMillis(600))
				.atMost(WAIT)
				.until(() -> recorder.callbacks.size() == 1 && connection.state() == Connection.State.OPEN);
			// The next plain continue brings the global timeout back.
			client.send("x");
			assertThat(client.readToEnd()).isEmpty();
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).containsExactly("connection", "data:x", "timeout");
		assertThat(recorder.timeoutAt - recorder.dataReturnedAt).isGreaterThanOrEqualTo(millis(100));
		assertTimeoutStop();
	}

	@ParameterizedTest
	@EnumSource(Deadline.class)
	void readTimeoutFiresWhileMessagesArriveEveryTenMilliseconds(Deadline deadline) throws Exception {
		AtomicInteger messages = new AtomicInteger();
		Recorder recorder = new Recorder();
		recorder.quietMessages = true;
		recorder.onConnection = (socket, state) -> deadline.result(state, Duration.ofMillis(200));
		recorder.onMessage = (message, socket, state) -> {
			messages.incrementAndGet();
			return Result.continueWith(state);
		};
		recorder.onTimeout = (socket, state) -> socket.send(bytes("goodbye"));
		Server server = start(recorder, (deadline == Deadline.GLOBAL) ? Duration.ofMillis(200) : LONG);
		try (TestClient client = TestClient.connect(server)) {
			Connection connection = recorder.connection();
			scheduler().scheduleAtFixedRate(() -> connection.tell("tick"), 0, 10, TimeUnit.MILLISECONDS);
			assertThat(client.readToEnd()).isEqualTo("goodbye");
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).containsExactly("connection", "timeout");
		assertThat(messages).hasPositiveValue();
		assertThat(recorder.messageReturnedAt).isGreaterThan(recorder.connectionReturnedAt);
		assertThat(recorder.timeoutAt - recorder.connectionReturnedAt).isGreaterThanOrEqualTo(millis(200));
		assertTimeoutStop();
	}

	@Test
	void readTimeoutFiresEvenWhenTheMailboxIsNeverEmpty() throws Exception {
		AtomicInteger messages = new AtomicInteger();
		Recorder recorder = new Recorder();
		recorder.quietMessages = true;
		// A streaming handler: each message schedules the next, so one is always waiting.
		recorder.onMessage = (message, socket, state) -> {
			messages.incrementAndGet();
			socket.connection().tell("again");
			return Result.continueWith(state);
		};
		Server server = start(recorder, Duration.ofMillis(200));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(recorder.connection().tell("start")).isTrue();
			await().atMost(WAIT).until(() -> recorder.callbacks.contains("timeout"));
			assertThat(client.readToEnd()).isEmpty();
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).containsExactly("connection", "timeout");
		assertThat(messages).hasPositiveValue();
		assertTimeoutStop();
	}

	@Test
	void connectionStaysOpenWhileTheClientSendsMoreOftenThanTheTimeout() throws Exception {
		AtomicInteger sent = new AtomicInteger();
		Recorder recorder = new Recorder();
		recorder.quietData = true;
		recorder.onData = (data, socket, state) -> {
			socket.send(bytes(data));
			return Result.continueWith(state);
		};
		// A timeout 25 times the sending interval: a client thread starved for a moment on a loaded
		// machine must not look like a quiet client.
		Server server = start(recorder, Duration.ofMillis(1000));
		try (TestClient client = TestClient.connect(server)) {
			ScheduledExecutorService sender = scheduler();
			sender.scheduleWithFixedDelay(() -> {
				try {
					client.send("x");
					sent.incrementAndGet();
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}, 0, 40, TimeUnit.MILLISECONDS);
			// Three times the timeout, and still open.
			await().during(Duration.ofMillis(3000))
				.atMost(WAIT)
				.until(() -> !recorder.callbacks.contains("timeout"));
			sender.shutdown();
			assertThat(sender.awaitTermination(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
			assertThat(sent.get()).isGreaterThan(10);
			// Once the client goes quiet, the timeout passes: the client got every echo, then EOF.
			assertThat(client.readToEnd()).isEqualTo("x".repeat(sent.get()));
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).containsExactly("connection", "timeout");
		assertThat(recorder.timeoutAt - recorder.dataReturnedAt).isGreaterThanOrEqualTo(millis(1000));
		assertTimeoutStop();
	}

	@Test
	void deadlineIsMeasuredFromTheLastClientData() throws Exception {
		List<Long> dataAt = new CopyOnWriteArrayList<>();
		Recorder recorder = new Recorder();
		recorder.quietData = true;
		recorder.onData = (data, socket, state) -> {
			dataAt.add(System.nanoTime());
			return Result.continueWith(state);
		};
		Server server = start(recorder, Duration.ofMillis(300));
		try (TestClient client = TestClient.connect(server)) {
			AtomicInteger sent = new AtomicInteger();
			ScheduledExecutorService sender = scheduler();
			sender.scheduleWithFixedDelay(() -> {
				if (sent.get() < 10) {
					try {
						client.send("x");
						sent.incrementAndGet();
					}
					catch (IOException ex) {
						throw new IllegalStateException(ex);
					}
				}
			}, 0, 50, TimeUnit.MILLISECONDS);
			assertThat(client.readToEnd()).isEmpty();
			assertThat(sent).hasValue(10);
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).containsExactly("connection", "timeout");
		assertThat(recorder.dataBytes).hasValue(10);
		// The connection outlived the deadline the first data set, because later data moved it.
		assertThat(dataAt.getLast() - dataAt.getFirst()).isGreaterThan(millis(300));
		assertThat(recorder.timeoutAt - recorder.dataReturnedAt).isGreaterThanOrEqualTo(millis(300));
		assertThat(recorder.timeoutAt - dataAt.getFirst()).isGreaterThan(millis(600));
		assertTimeoutStop();
	}

	@Test
	void globalReadTimeoutIsTheDefaultOfRecvAndARecvTimeoutReachesHandleTimeout() throws Exception {
		CompletableFuture<Duration> recvDefault = new CompletableFuture<>();
		CompletableFuture<Long> recvTook = new CompletableFuture<>();
		Recorder recorder = new Recorder();
		recorder.onData = (data, socket, state) -> {
			recvDefault.complete(socket.readTimeout());
			long start = System.nanoTime();
			try {
				socket.recv(5);
			}
			finally {
				recvTook.complete(System.nanoTime() - start);
			}
			return Result.continueWith(state);
		};
		recorder.onTimeout = (socket, state) -> socket.send(bytes("goodbye"));
		CountDownLatch clientSent = new CountDownLatch(1);
		recorder.beforeConnection = clientSent;
		Server server = start(recorder, Duration.ofMillis(150));
		try (TestClient client = TestClient.connect(server)) {
			client.send("x");
			clientSent.countDown();
			assertThat(client.readToEnd()).isEqualTo("goodbye");
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).containsExactly("connection", "data:x", "timeout");
		assertThat(recorder.openAtTimeout).isTrue();
		assertThat(recvDefault).isCompletedWithValue(Duration.ofMillis(150));
		assertThat(recvTook.getNow(0L)).isGreaterThanOrEqualTo(millis(150));
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_RECV_ERROR)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("error", "timeout"));
		assertTimeoutStop();
	}

	@Test
	void persistentReadTimeoutCarriesOverToLaterWaitsAndToTheSocket() throws Exception {
		CountDownLatch secondSent = new CountDownLatch(1);
		List<String> readTimeouts = new CopyOnWriteArrayList<>();
		Recorder recorder = new Recorder();
		recorder.onData = (data, socket, state) -> {
			readTimeouts.add(data + "=" + socket.readTimeout().toMillis());
			if (data.equals("first")) {
				// Return only once the next data is waiting, so that it cannot miss the deadline.
				assertThat(secondSent.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
				return Result.continueWithReadTimeout(state, Duration.ofMillis(150));
			}
			return Result.continueWith(state);
		};
		recorder.onTimeout = (socket, state) -> readTimeouts.add("timeout=" + socket.readTimeout().toMillis());
		Server server = start(recorder, LONG);
		try (TestClient client = TestClient.connect(server)) {
			client.send("first");
			await().atMost(WAIT).until(() -> recorder.callbacks.contains("data:first"));
			client.send("second");
			secondSent.countDown();
			assertThat(client.readToEnd()).isEmpty();
		}
		awaitConnectionEnded();
		// The plain continue after "second" waited 150 ms, not the server's 60 s.
		assertThat(recorder.callbacks).containsExactly("connection", "data:first", "data:second", "timeout");
		assertThat(readTimeouts).containsExactly("first=60000", "second=150", "timeout=150");
		assertThat(recorder.timeoutAt - recorder.dataReturnedAt).isGreaterThanOrEqualTo(millis(150));
		assertTimeoutStop();
	}

	@Test
	void persistentReadTimeoutBecomesTheDefaultOfRecv() throws Exception {
		CountDownLatch clientSent = new CountDownLatch(1);
		CompletableFuture<Long> recvTook = new CompletableFuture<>();
		Recorder recorder = new Recorder();
		recorder.beforeConnection = clientSent;
		recorder.onConnection = (socket, state) -> Result.continueWithReadTimeout(state, Duration.ofMillis(150));
		recorder.onData = (data, socket, state) -> {
			long start = System.nanoTime();
			try {
				socket.recv(4);
			}
			catch (SocketTimeoutException ex) {
				recvTook.complete(System.nanoTime() - start);
				socket.send(bytes("recv timed out"));
			}
			return Result.close(state);
		};
		Server server = start(recorder, LONG);
		try (TestClient client = TestClient.connect(server)) {
			client.send("x");
			clientSent.countDown();
			assertThat(client.readToEnd()).isEqualTo("recv timed out");
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).containsExactly("connection", "data:x", "close");
		assertThat(recvTook.getNow(0L)).isGreaterThanOrEqualTo(millis(150));
	}

	@Test
	void serverSendsFromHandleMessageDoNotExtendTheDeadline() throws Exception {
		AtomicInteger sends = new AtomicInteger();
		Recorder recorder = new Recorder();
		recorder.quietMessages = true;
		recorder.onMessage = (message, socket, state) -> {
			socket.send(bytes("."));
			sends.incrementAndGet();
			return Result.continueWith(state);
		};
		Server server = start(recorder, Duration.ofMillis(300));
		try (TestClient client = TestClient.connect(server)) {
			Connection connection = recorder.connection();
			// A byte every millisecond, for at most 3 s (ten times the timeout) so that the
			// client's read ends even if the sends kept the connection alive.
			AtomicBoolean refused = new AtomicBoolean();
			long stopTelling = System.nanoTime() + Duration.ofSeconds(3).toNanos();
			scheduler().scheduleAtFixedRate(() -> {
				if (System.nanoTime() - stopTelling < 0 && !connection.tell("send")) {
					refused.set(true);
				}
			}, 0, 1, TimeUnit.MILLISECONDS);
			String received = client.readToEnd();
			awaitConnectionEnded();
			assertThat(sends.get()).isGreaterThan(10);
			assertThat(received).isEqualTo(".".repeat(sends.get()));
			// The connection ended while the server was still being told to send.
			await().atMost(WAIT).untilTrue(refused);
		}
		assertThat(recorder.callbacks).containsExactly("connection", "timeout");
		assertThat(recorder.timeoutAt - recorder.connectionReturnedAt).isGreaterThanOrEqualTo(millis(300));
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_SEND)).isEqualTo(sends.get());
		assertTimeoutStop();
	}

	@Test
	void timeSpentInsideHandleDataDoesNotCountAgainstTheDeadline() throws Exception {
		CountDownLatch sleeping = new CountDownLatch(1);
		Recorder recorder = new Recorder();
		recorder.onData = (data, socket, state) -> {
			if (data.equals("slow")) {
				sleeping.countDown();
				Thread.sleep(400);
			}
			socket.send(bytes("done:" + data));
			return Result.continueWith(state);
		};
		CountDownLatch clientSent = new CountDownLatch(1);
		recorder.beforeConnection = clientSent;
		Server server = start(recorder, Duration.ofMillis(150));
		try (TestClient client = TestClient.connect(server)) {
			client.send("slow");
			clientSent.countDown();
			assertThat(sleeping.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
			// Sent while the callback works, long after the previous deadline would have passed.
			client.send("next");
			assertThat(client.read(9)).isEqualTo("done:slow");
			assertThat(client.read(9)).isEqualTo("done:next");
			assertThat(client.readToEnd()).isEmpty();
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).containsExactly("connection", "data:slow", "data:next", "timeout");
		assertThat(recorder.timeoutAt - recorder.dataReturnedAt).isGreaterThanOrEqualTo(millis(150));
		assertTimeoutStop();
	}

	@Test
	void timeSpentInsideHandleMessageCountsAgainstTheDeadline() throws Exception {
		BlockingQueue<Integer> handled = new LinkedBlockingQueue<>();
		Recorder recorder = new Recorder();
		recorder.onMessage = (message, socket, state) -> {
			Thread.sleep(100);
			handled.add((Integer) message);
			return Result.continueWith(state);
		};
		Server server = start(recorder, Duration.ofMillis(300));
		try (TestClient client = TestClient.connect(server)) {
			Connection connection = recorder.connection();
			// Keep the connection busy in handleMessage: tell the next message as soon as one is
			// handled, so that it is never idle for anything near the timeout.
			helper(() -> {
				int next = 1;
				while (connection.tell(next)) {
					try {
						next = handled.take() + 1;
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			});
			assertThat(client.readToEnd()).isEmpty();
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).startsWith("connection", "message:1").endsWith("timeout");
		assertThat(recorder.timeoutAt - recorder.connectionReturnedAt).isGreaterThanOrEqualTo(millis(300));
		assertTimeoutStop();
	}

	@ParameterizedTest
	@EnumSource(value = Deadline.class, names = { "ONE_SHOT", "PERSISTENT" })
	void handleMessageResultWithAnExplicitTimeoutRearmsTheDeadline(Deadline deadline) throws Exception {
		Recorder recorder = new Recorder();
		recorder.onMessage = (message, socket, state) -> deadline.result(state, Duration.ofMillis(150));
		recorder.onTimeout = (socket, state) -> socket.send(bytes("goodbye"));
		Server server = start(recorder, LONG);
		try (TestClient client = TestClient.connect(server)) {
			assertThat(recorder.connection().tell("arm")).isTrue();
			assertThat(client.readToEnd()).isEqualTo("goodbye");
		}
		awaitConnectionEnded();
		assertThat(recorder.callbacks).containsExactly("connection", "message:arm", "timeout");
		assertThat(recorder.timeoutAt - recorder.messageReturnedAt).isGreaterThanOrEqualTo(millis(150));
		assertTimeoutStop();
	}

	private Server start(Handler<?> handler, Duration readTimeout) throws IOException {
		return start(handler, readTimeout, UnaryOperator.identity());
	}

	private Server start(Handler<?> handler, Duration readTimeout, UnaryOperator<ServerConfig.Builder> customizer)
			throws IOException {
		ServerConfig.Builder builder = ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(2)
			.readTimeout(readTimeout)
			.telemetryListener(this.telemetry);
		Server server = customizer.apply(builder).start();
		this.servers.add(server);
		return server;
	}

	private ScheduledExecutorService scheduler() {
		ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
		this.schedulers.add(scheduler);
		return scheduler;
	}

	private void helper(Runnable task) {
		this.helpers.add(Thread.ofVirtual().name("read-timeout-tests-helper").start(task));
	}

	private void awaitConnectionEnded() {
		await().atMost(WAIT)
			.until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP)
					+ this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION) >= 1);
	}

	private void assertTimeoutStop() {
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION)).isZero();
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).singleElement()
			.satisfies((stop) -> assertThat(stop.metadata()).containsEntry("error", "timeout"));
	}

	private static long millis(long millis) {
		return Duration.ofMillis(millis).toNanos();
	}

	private static String text(ByteBuffer data) {
		return StandardCharsets.UTF_8.decode(data).toString();
	}

	private static ByteBuffer bytes(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	/** Which kind of timeout a callback's result sets. */
	enum Deadline {

		/** A plain continue: the server's read timeout. */
		GLOBAL,

		/** {@link Result#continueWith(Object, Duration)}. */
		ONE_SHOT,

		/** {@link Result#continueWithReadTimeout(Object, Duration)}. */
		PERSISTENT;

		<S> Result<S> result(S state, Duration timeout) {
			return switch (this) {
				case GLOBAL -> Result.continueWith(state);
				case ONE_SHOT -> Result.continueWith(state, timeout);
				case PERSISTENT -> Result.continueWithReadTimeout(state, timeout);
			};
		}

	}

	@FunctionalInterface
	private interface Step {

		Result<String> apply(Socket socket, String state) throws Exception;

	}

	@FunctionalInterface
	private interface DataStep {

		Result<String> apply(String data, Socket socket, String state) throws Exception;

	}

	@FunctionalInterface
	private interface MessageStep {

		Result<String> apply(Object message, Socket socket, String state) throws Exception;

	}

	@FunctionalInterface
	private interface EndStep {

		void apply(Socket socket, String state) throws Exception;

	}

	/**
	 * A handler whose behaviour each test plugs in. It records every callback by name, in order,
	 * and when the network callbacks and messages last returned ({@link System#nanoTime()}), which
	 * is when they armed the deadline.
	 */
	private static final class Recorder implements Handler<String> {

		final List<String> callbacks = new CopyOnWriteArrayList<>();

		final CompletableFuture<Connection> connection = new CompletableFuture<>();

		final AtomicInteger dataBytes = new AtomicInteger();

		volatile Step onConnection = (socket, state) -> Result.continueWith(state);

		volatile DataStep onData = (data, socket, state) -> Result.continueWith(state);

		volatile MessageStep onMessage = (message, socket, state) -> Result.continueWith(state);

		volatile EndStep onTimeout = (socket, state) -> {
		};

		/** If set, handleConnection waits for it first (for the client's data to be there). */
		volatile CountDownLatch beforeConnection;

		/** Whether {@code data} callbacks are left out of {@link #callbacks}. */
		volatile boolean quietData;

		/** Whether {@code message} callbacks are left out of {@link #callbacks}. */
		volatile boolean quietMessages;

		volatile long connectionReturnedAt;

		volatile long dataReturnedAt;

		volatile long messageReturnedAt;

		volatile long timeoutAt;

		volatile Boolean openAtTimeout;

		Connection connection() throws Exception {
			return this.connection.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}

		@Override
		public String initialState() {
			return "initial";
		}

		@Override
		public Result<String> handleConnection(Socket socket, String state) throws Exception {
			this.callbacks.add("connection");
			this.connection.complete(socket.connection());
			CountDownLatch before = this.beforeConnection;
			if (before != null && !before.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("The test did not release handleConnection");
			}
			try {
				return this.onConnection.apply(socket, state);
			}
			finally {
				this.connectionReturnedAt = System.nanoTime();
			}
		}

		@Override
		public Result<String> handleData(ByteBuffer data, Socket socket, String state) throws Exception {
			this.dataBytes.addAndGet(data.remaining());
			String text = text(data.duplicate());
			if (!this.quietData) {
				this.callbacks.add("data:" + text);
			}
			try {
				return this.onData.apply(text, socket, state);
			}
			finally {
				this.dataReturnedAt = System.nanoTime();
			}
		}

		@Override
		public Result<String> handleMessage(Object message, Socket socket, String state) throws Exception {
			if (!this.quietMessages) {
				this.callbacks.add("message:" + message);
			}
			try {
				return this.onMessage.apply(message, socket, state);
			}
			finally {
				this.messageReturnedAt = System.nanoTime();
			}
		}

		@Override
		public void handleClose(Socket socket, String state) {
			this.callbacks.add("close");
		}

		@Override
		public void handleError(Throwable error, Socket socket, String state) {
			this.callbacks.add("error:" + error);
		}

		@Override
		public void handleShutdown(Socket socket, String state) {
			this.callbacks.add("shutdown");
		}

		@Override
		public void handleTimeout(Socket socket, String state) throws Exception {
			this.timeoutAt = System.nanoTime();
			this.openAtTimeout = socket.isOpen();
			this.callbacks.add("timeout");
			this.onTimeout.apply(socket, state);
		}

	}

}
