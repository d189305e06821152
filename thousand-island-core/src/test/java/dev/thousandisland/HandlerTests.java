package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The handler contract over real loopback sockets: Thousand Island's {@code handler_test.exs}
 * (state handling, the results of {@code handle_connection} and {@code handle_data}, messages,
 * closing paths), ported to {@link Handler}, {@link Result} and {@link Connection#tell}.
 */
class HandlerTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	private final List<Server> servers = new ArrayList<>();

	private final List<Thread> helpers = new ArrayList<>();

	@AfterEach
	void stopServers() throws InterruptedException {
		for (Server server : this.servers) {
			server.stop(Duration.ofSeconds(2));
		}
		for (Thread helper : this.helpers) {
			helper.interrupt();
			helper.join(WAIT.toMillis());
		}
	}

	@Test
	void initialStateIsCreatedForEachConnectionAndThreadedThroughItsCallbacks() throws Exception {
		AtomicInteger initialStates = new AtomicInteger();
		Queue<String> closingStates = new ConcurrentLinkedQueue<>();
		// One handler for every connection, keeping nothing per connection in fields: each
		// connection's text lives in its state and travels from callback to callback.
		Handler<String> accumulator = new Handler<>() {

			@Override
			public String initialState() {
				initialStates.incrementAndGet();
				return "";
			}

			@Override
			public Result<String> handleConnection(Socket socket, String state) {
				return Result.continueWith(state + ">");
			}

			@Override
			public Result<String> handleData(ByteBuffer data, Socket socket, String state) throws Exception {
				String next = state + text(data);
				socket.send(bytes(next));
				return Result.continueWith(next);
			}

			@Override
			public void handleClose(Socket socket, String state) {
				closingStates.add(state);
			}

		};
		Server server = start(accumulator);
		try (TestClient first = TestClient.connect(server); TestClient second = TestClient.connect(server)) {
			assertThat(first.send("a1").read(3)).isEqualTo(">a1");
			assertThat(second.send("b1").read(3)).isEqualTo(">b1");
			assertThat(first.send("a2").read(5)).isEqualTo(">a1a2");
			assertThat(second.send("b2").read(5)).isEqualTo(">b1b2");
			assertThat(first.send("a3").read(7)).isEqualTo(">a1a2a3");
		}
		awaitConnectionsEnded(2);
		assertThat(initialStates).hasValue(2);
		assertThat(closingStates).containsExactlyInAnyOrder(">a1a2a3", ">b1b2");
	}

	@ParameterizedTest
	@EnumSource(Stage.class)
	void continueResultKeepsTheConnectionServing(Stage stage) throws Exception {
		Recorder recorder = new Recorder();
		Step keepGoing = (socket, state) -> {
			socket.send(bytes("continued"));
			return Result.continueWith(state + "+continued");
		};
		recorder.at(stage, keepGoing);
		if (stage == Stage.CONNECTION) {
			recorder.onData = (data, socket, state) -> {
				socket.send(bytes("echo:" + data + "/" + state));
				return Result.continueWith(state);
			};
		}
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			if (stage == Stage.DATA) {
				client.send("go");
			}
			assertThat(client.read(9)).isEqualTo("continued");
			if (stage == Stage.CONNECTION) {
				String echo = "echo:ping/initial+continued";
				assertThat(client.send("ping").read(echo.length())).isEqualTo(echo);
			}
			else {
				// The connection still reads: the same step answers again.
				assertThat(client.send("more").read(9)).isEqualTo("continued");
			}
			assertThat(recorder.connection().state()).isEqualTo(Connection.State.OPEN);
		}
		awaitConnectionsEnded(1);
		if (stage == Stage.CONNECTION) {
			assertThat(recorder.callbacks).containsExactly("connection", "data:ping", "close");
			assertThat(recorder.endState).isEqualTo("initial+continued");
		}
		else {
			assertThat(recorder.callbacks).containsExactly("connection", "data:go", "data:more", "close");
			assertThat(recorder.endState).isEqualTo("initial+continued+continued");
		}
		assertOneCleanStop();
	}

	@ParameterizedTest
	@EnumSource(Stage.class)
	void closeResultRunsHandleCloseWithTheSocketOpenThenClosesTheConnection(Stage stage) throws Exception {
		Recorder recorder = new Recorder();
		recorder.at(stage, (socket, state) -> Result.close(state + "+closing"));
		recorder.onClose = (socket, state) -> socket.send(bytes("goodbye"));
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			if (stage == Stage.DATA) {
				client.send("go");
			}
			assertThat(client.readToEnd()).isEqualTo("goodbye");
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactlyElementsOf(expected(stage, "close"));
		assertThat(recorder.openAtEnd).isTrue();
		assertThat(recorder.endState).isEqualTo("initial+closing");
		assertThat(recorder.connection().state()).isEqualTo(Connection.State.CLOSED);
		assertOneCleanStop();
	}

	@ParameterizedTest
	@EnumSource(Stage.class)
	void errorResultRunsHandleErrorWithTheReasonAndClosesTheConnection(Stage stage) throws Exception {
		IOException reason = new IOException("nope");
		Recorder recorder = new Recorder();
		recorder.at(stage, (socket, state) -> Result.error(reason, state + "+failed"));
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			if (stage == Stage.DATA) {
				client.send("go");
			}
			assertThat(client.readToEnd()).isEmpty();
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactlyElementsOf(expected(stage, "error:IOException"));
		assertThat(recorder.error).isSameAs(reason);
		assertThat(recorder.endState).isEqualTo("initial+failed");
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION)).isZero();
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).singleElement()
			.satisfies((stop) -> assertThat(stop.metadata()).containsEntry("error", "IOException: nope"));
	}

	@ParameterizedTest
	@EnumSource(Stage.class)
	void exceptionRunsHandleErrorAndEmitsConnectionExceptionInsteadOfStop(Stage stage) throws Exception {
		IllegalStateException boom = new IllegalStateException("boom");
		Recorder recorder = new Recorder();
		recorder.at(stage, (socket, state) -> {
			throw boom;
		});
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			if (stage == Stage.DATA) {
				client.send("go");
			}
			assertThat(client.readToEnd()).isEmpty();
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactlyElementsOf(expected(stage, "error:IllegalStateException"));
		assertThat(recorder.error).isSameAs(boom);
		// The state is the last one a callback returned.
		assertThat(recorder.endState).isEqualTo("initial");
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_STOP)).isZero();
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_EXCEPTION)).singleElement()
			.satisfies((exception) -> assertThat(exception.metadata()).containsEntry("exception", boom)
				.containsEntry("error", "IllegalStateException: boom"));
	}

	@ParameterizedTest
	@EnumSource(Stage.class)
	void nullResultEndsTheConnectionThroughHandleError(Stage stage) throws Exception {
		Recorder recorder = new Recorder();
		recorder.at(stage, (socket, state) -> null);
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			if (stage == Stage.DATA) {
				client.send("go");
			}
			assertThat(client.readToEnd()).isEmpty();
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactlyElementsOf(expected(stage, "error:NullPointerException"));
		assertThat(recorder.error).hasMessageContaining("returned null");
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_STOP)
				+ this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION)).isOne();
	}

	@Test
	void handleCloseRunsWithTheSocketClosedWhenTheClientCloses() throws Exception {
		Recorder recorder = new Recorder();
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			client.send("hello");
			await().atMost(WAIT).until(() -> recorder.callbacks.contains("data:hello"));
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactly("connection", "data:hello", "close");
		assertThat(recorder.endState).isEqualTo("initial");
		assertThat(recorder.openAtEnd).as("socket open in handleClose after the client closed").isFalse();
		assertOneCleanStop();
	}

	@Test
	void socketCloseInsideACallbackRunsHandleCloseAsConnectionCloseDoes() throws Exception {
		Recorder recorder = new Recorder();
		recorder.onData = (data, socket, state) -> {
			socket.send(bytes("last words"));
			socket.close();
			assertThat(socket.isOpen()).isFalse();
			return Result.continueWith(state);
		};
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("bye").readToEnd()).isEqualTo("last words");
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactly("connection", "data:bye", "close");
		assertThat(recorder.openAtEnd).isFalse();
		assertThat(recorder.connection().state()).isEqualTo(Connection.State.CLOSED);
		assertOneCleanStop();
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP).getFirst().metadata())
			.containsEntry("reason", "closed");
	}

	@Test
	void handleMessageRunsToldMessagesInOrderOnTheConnectionsOwnThread() throws Exception {
		List<Object> messages = new CopyOnWriteArrayList<>();
		Set<Thread> messageThreads = ConcurrentHashMap.newKeySet();
		Recorder recorder = new Recorder();
		recorder.onMessage = (message, socket, state) -> {
			messages.add(message);
			messageThreads.add(Thread.currentThread());
			String next = state + ".";
			if (message.equals(99)) {
				socket.send(bytes("done " + next.length()));
			}
			return Result.continueWith(next);
		};
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			Connection connection = recorder.connection();
			// Told from another thread than the connection's: the test thread.
			for (int i = 0; i < 100; i++) {
				assertThat(connection.tell(i)).isTrue();
			}
			// "initial" plus one dot per message: the state travelled through all 100 calls.
			assertThat(client.read(8)).isEqualTo("done 107");
			assertThat(messages).containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
			Thread connectionThread = recorder.connectionThread.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			// A hibernating connection may run each message on a new thread; they all carry the
			// connection's name, are virtual, and none is the teller's.
			assertThat(messageThreads).extracting(Thread::getName).containsOnly(connectionThread.getName());
			assertThat(messageThreads).allMatch(Thread::isVirtual).doesNotContain(Thread.currentThread());
			assertThat(connectionThread.isVirtual()).isTrue();
			assertThat(connectionThread).isNotSameAs(Thread.currentThread());
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks.getLast()).isEqualTo("close");
	}

	@Test
	void messageToldDuringACallbackRunsAfterTheCallbackReturns() throws Exception {
		CountDownLatch inCallback = new CountDownLatch(1);
		CountDownLatch told = new CountDownLatch(1);
		Recorder recorder = new Recorder();
		recorder.onData = (data, socket, state) -> {
			inCallback.countDown();
			assertThat(told.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
			recorder.callbacks.add("data returns");
			return Result.continueWith(state);
		};
		recorder.onMessage = (message, socket, state) -> {
			socket.send(bytes("got " + message));
			return Result.continueWith(state);
		};
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			client.send("work");
			assertThat(inCallback.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
			assertThat(recorder.connection().tell("news")).isTrue();
			told.countDown();
			assertThat(client.read(8)).isEqualTo("got news");
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactly("connection", "data:work", "data returns", "message:news",
				"close");
	}

	@Test
	void callbacksOfOneConnectionNeverOverlapWhileMessagesAndDataArriveTogether() throws Exception {
		int messageCount = 5_000;
		int chunks = 500;
		AtomicBoolean inside = new AtomicBoolean();
		AtomicInteger overlaps = new AtomicInteger();
		Set<Thread> callbackThreads = ConcurrentHashMap.newKeySet();
		List<Object> messages = new CopyOnWriteArrayList<>();
		AtomicLong echoed = new AtomicLong();
		Handler<Void> busy = new Handler<>() {

			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				enter();
				try {
					echoed.addAndGet(data.remaining());
					socket.send(data);
					return Result.continueWith(state);
				}
				finally {
					leave();
				}
			}

			@Override
			public Result<Void> handleMessage(Object message, Socket socket, Void state) {
				enter();
				try {
					messages.add(message);
					return Result.continueWith(state);
				}
				finally {
					leave();
				}
			}

			private void enter() {
				if (!inside.compareAndSet(false, true)) {
					overlaps.incrementAndGet();
				}
				callbackThreads.add(Thread.currentThread());
				// Give any other thread that might run a callback of this connection the chance to.
				Thread.yield();
			}

			private void leave() {
				inside.set(false);
			}

		};
		Server server = start(busy);
		try (TestClient client = TestClient.connect(server)) {
			await().atMost(WAIT).until(() -> server.connections().size() == 1);
			Connection connection = server.connections().getFirst();
			Thread teller = helper(() -> {
				for (int i = 0; i < messageCount; i++) {
					connection.tell(i);
				}
			});
			byte[] chunk = bytes("abcd").array();
			for (int i = 0; i < chunks; i++) {
				client.send(chunk);
			}
			assertThat(client.read(chunks * chunk.length)).isEqualTo("abcd".repeat(chunks));
			teller.join(WAIT.toMillis());
			await().atMost(WAIT).until(() -> messages.size() == messageCount);
		}
		awaitConnectionsEnded(1);
		assertThat(overlaps).hasValue(0);
		// One connection, one thread at a time: after a hibernation its next thread has the same name.
		assertThat(callbackThreads).extracting(Thread::getName).containsOnly(callbackThreads.iterator().next().getName());
		assertThat(echoed).hasValue((long) chunks * 4);
		assertThat(messages).containsExactlyElementsOf(IntStream.range(0, messageCount).boxed().toList());
	}

	@Test
	void clientDataIsHandledEvenWhileTheMailboxIsNeverEmpty() throws Exception {
		AtomicInteger messages = new AtomicInteger();
		Recorder recorder = new Recorder();
		recorder.quietMessages = true;
		// A streaming handler: every message schedules the next one, so there is always one waiting.
		recorder.onMessage = (message, socket, state) -> {
			messages.incrementAndGet();
			socket.connection().tell("again");
			return Result.continueWith(state);
		};
		recorder.onData = (data, socket, state) -> {
			socket.send(bytes("pong"));
			return Result.continueWith(state);
		};
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			client.socket().setSoTimeout(5_000);
			assertThat(recorder.connection().tell("start")).isTrue();
			await().atMost(WAIT).until(() -> messages.get() > 100);
			assertThat(client.send("ping").read(4)).isEqualTo("pong");
		}
		assertThat(recorder.callbacks).contains("data:ping");
	}

	@Test
	void tellReturnsFalseOnceTheConnectionHasEnded() throws Exception {
		Recorder recorder = new Recorder();
		Server server = start(recorder);
		Connection connection;
		try (TestClient client = TestClient.connect(server)) {
			connection = recorder.connection();
			assertThat(connection.tell("early")).isTrue();
			await().atMost(WAIT).until(() -> recorder.callbacks.contains("message:early"));
		}
		awaitConnectionsEnded(1);
		assertThat(connection.state()).isEqualTo(Connection.State.CLOSED);
		assertThat(connection.tell("late")).isFalse();
		assertThat(recorder.callbacks).containsExactly("connection", "message:early", "close");
	}

	@Test
	void connectionCloseFromOutsideRunsHandleCloseWithTheSocketClosed() throws Exception {
		Recorder recorder = new Recorder();
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			client.send("hi");
			await().atMost(WAIT).until(() -> recorder.callbacks.contains("data:hi"));
			assertThat(server.connections()).singleElement().isSameAs(recorder.connection());
			server.connections().getFirst().close();
			assertThat(client.readToEnd()).isEmpty();
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactly("connection", "data:hi", "close");
		assertThat(recorder.openAtEnd).isFalse();
		assertThat(recorder.connection().state()).isEqualTo(Connection.State.CLOSED);
		assertThat(server.connections()).isEmpty();
		assertOneCleanStop();
	}

	@Test
	void handleDataMayReceiveAndSendSynchronouslyInBlockingStyle() throws Exception {
		Recorder recorder = new Recorder();
		recorder.onData = (data, socket, state) -> {
			if (state.equals("served")) {
				socket.send(bytes("echo:" + data));
				return Result.continueWith(state);
			}
			// Bandit style: the first chunk arrives through handleData, the rest is read here.
			socket.send(bytes("ready:" + data));
			socket.send(bytes("got:" + text(socket.recv(3))));
			StringBuilder rest = new StringBuilder();
			while (rest.length() < 3) {
				rest.append(text(socket.recv(0)));
			}
			socket.send(bytes("got:" + rest));
			String probe;
			try {
				probe = text(socket.recv(0, Duration.ZERO));
			}
			catch (SocketTimeoutException ex) {
				probe = "nothing";
			}
			socket.send(bytes("probe:" + probe));
			return Result.continueWith("served");
		};
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("REQ").read(9)).isEqualTo("ready:REQ");
			assertThat(client.send("abc").read(7)).isEqualTo("got:abc");
			assertThat(client.send("xyz").read(7)).isEqualTo("got:xyz");
			assertThat(client.read(13)).isEqualTo("probe:nothing");
			assertThat(client.send("again").read(10)).isEqualTo("echo:again");
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactly("connection", "data:REQ", "data:again", "close");
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_RECV).stream()
			.mapToLong((event) -> event.measurement("bytes"))
			.sum()).isEqualTo(6);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_ASYNC_RECV).stream()
			.mapToLong((event) -> event.measurement("bytes"))
			.sum()).isEqualTo(8);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_RECV_ERROR)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("error", "timeout"));
		assertOneCleanStop();
	}

	@ParameterizedTest
	@EnumSource(Stage.class)
	void recvTimeoutEscapingACallbackRunsHandleTimeoutNotHandleError(Stage stage) throws Exception {
		Recorder recorder = new Recorder();
		recorder.at(stage, (socket, state) -> {
			socket.recv(5, Duration.ofMillis(50));
			return Result.continueWith(state);
		});
		recorder.onTimeout = (socket, state) -> socket.send(bytes("timed out"));
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			if (stage == Stage.DATA) {
				client.send("go");
			}
			assertThat(client.readToEnd()).isEqualTo("timed out");
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactlyElementsOf(expected(stage, "timeout"));
		assertThat(recorder.openAtEnd).isTrue();
		assertTimeoutStop();
	}

	@Test
	void errorResultWithRecvsSocketTimeoutExceptionRunsHandleTimeout() throws Exception {
		Recorder recorder = new Recorder();
		recorder.onData = (data, socket, state) -> {
			try {
				socket.recv(5, Duration.ofMillis(50));
				return Result.continueWith(state);
			}
			catch (SocketTimeoutException ex) {
				return Result.error(ex, state + "+late");
			}
		};
		recorder.onTimeout = (socket, state) -> socket.send(bytes("timed out"));
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("go").readToEnd()).isEqualTo("timed out");
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactly("connection", "data:go", "timeout");
		assertThat(recorder.endState).isEqualTo("initial+late");
		assertThat(recorder.error).isNull();
		assertTimeoutStop();
	}

	@Test
	void exceptionOnOneConnectionDoesNotAffectAnotherConnection() throws Exception {
		Recorder recorder = new Recorder();
		recorder.onData = (data, socket, state) -> {
			if (data.equals("boom")) {
				throw new IllegalStateException("boom");
			}
			socket.send(bytes(data));
			return Result.continueWith(state);
		};
		Server server = start(recorder);
		try (TestClient failing = TestClient.connect(server); TestClient healthy = TestClient.connect(server)) {
			assertThat(failing.send("one").read(3)).isEqualTo("one");
			assertThat(healthy.send("two").read(3)).isEqualTo("two");
			failing.send("boom");
			assertThat(failing.readToEnd()).isEmpty();
			awaitConnectionsEnded(1);
			assertThat(healthy.send("three").read(5)).isEqualTo("three");
			assertThat(server.activeConnections()).isOne();
			assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION)).isOne();
			assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_STOP)).isZero();
		}
		awaitConnectionsEnded(2);
		assertThat(recorder.callbacks).filteredOn((callback) -> callback.startsWith("error:"))
			.containsExactly("error:IllegalStateException");
		assertThat(recorder.callbacks).filteredOn("close"::equals).hasSize(1);
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_STOP)).isOne();
	}

	@Test
	void silentTerminateOnErrorStillRunsHandleErrorForAnErrorResult() throws Exception {
		IllegalStateException reason = new IllegalStateException("nope");
		Recorder recorder = new Recorder();
		recorder.onConnection = (socket, state) -> Result.error(reason, state);
		Server server = start(recorder, (builder) -> builder.silentTerminateOnError(true));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.readToEnd()).isEmpty();
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactly("connection", "error:IllegalStateException");
		assertThat(recorder.error).isSameAs(reason);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).singleElement()
			.satisfies((stop) -> assertThat(stop.metadata()).containsEntry("error", "IllegalStateException: nope"));
	}

	@Test
	void silentTerminateOnErrorStillRunsHandleErrorForAnException() throws Exception {
		IllegalStateException boom = new IllegalStateException("boom");
		Recorder recorder = new Recorder();
		recorder.onData = (data, socket, state) -> {
			throw boom;
		};
		Server server = start(recorder, (builder) -> builder.silentTerminateOnError(true));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("go").readToEnd()).isEmpty();
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactly("connection", "data:go", "error:IllegalStateException");
		assertThat(recorder.error).isSameAs(boom);
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION)).isOne();
	}

	@Test
	void exceptionFromAClosingCallbackIsIgnoredAndTheConnectionStopsOnce() throws Exception {
		Recorder recorder = new Recorder();
		recorder.onData = (data, socket, state) -> Result.close(state);
		recorder.onClose = (socket, state) -> {
			throw new IllegalStateException("close failed");
		};
		Server server = start(recorder);
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("bye").readToEnd()).isEmpty();
		}
		awaitConnectionsEnded(1);
		assertThat(recorder.callbacks).containsExactly("connection", "data:bye", "close");
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION)).isZero();
		assertOneCleanStop();
		assertThat(server.activeConnections()).isZero();
	}

	private Server start(Handler<?> handler) throws IOException {
		return start(handler, UnaryOperator.identity());
	}

	private Server start(Handler<?> handler, UnaryOperator<ServerConfig.Builder> customizer) throws IOException {
		ServerConfig.Builder builder = ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(2)
			.telemetryListener(this.telemetry);
		Server server = customizer.apply(builder).start();
		this.servers.add(server);
		return server;
	}

	private Thread helper(Runnable task) {
		Thread thread = Thread.ofVirtual().name("handler-tests-helper").start(task);
		this.helpers.add(thread);
		return thread;
	}

	/** Waits until {@code count} connections emitted their stop or exception event. */
	private void awaitConnectionsEnded(int count) {
		await().atMost(WAIT)
			.until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP)
					+ this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION) >= count);
	}

	private void assertOneCleanStop() {
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_START)).isOne();
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION)).isZero();
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).singleElement()
			.satisfies((stop) -> assertThat(stop.metadata()).doesNotContainKey("error"));
	}

	private void assertTimeoutStop() {
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION)).isZero();
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).singleElement()
			.satisfies((stop) -> assertThat(stop.metadata()).containsEntry("error", "timeout"));
	}

	private static List<String> expected(Stage stage, String ending) {
		return (stage == Stage.CONNECTION) ? List.of("connection", ending) : List.of("connection", "data:go", ending);
	}

	private static String text(ByteBuffer data) {
		return StandardCharsets.UTF_8.decode(data).toString();
	}

	private static ByteBuffer bytes(String text) {
		return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
	}

	/** Which callback a parameterized test acts in. */
	enum Stage {

		/** {@link Handler#handleConnection}. */
		CONNECTION,

		/** {@link Handler#handleData}, after the client sent {@code go}. */
		DATA

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
	 * A handler whose behaviour each test plugs in, recording every callback by name, in order:
	 * {@code connection}, {@code data:<text>}, {@code message:<message>}, {@code close},
	 * {@code error:<exception class>}, {@code timeout}, {@code shutdown}.
	 */
	private static final class Recorder implements Handler<String> {

		final List<String> callbacks = new CopyOnWriteArrayList<>();

		final CompletableFuture<Connection> connection = new CompletableFuture<>();

		final CompletableFuture<Thread> connectionThread = new CompletableFuture<>();

		volatile Step onConnection = (socket, state) -> Result.continueWith(state);

		volatile DataStep onData = (data, socket, state) -> Result.continueWith(state);

		volatile MessageStep onMessage = (message, socket, state) -> Result.continueWith(state);

		volatile EndStep onClose = (socket, state) -> {
		};

		volatile EndStep onTimeout = (socket, state) -> {
		};

		volatile boolean quietMessages;

		volatile Throwable error;

		volatile String endState;

		volatile Boolean openAtEnd;

		void at(Stage stage, Step step) {
			if (stage == Stage.CONNECTION) {
				this.onConnection = step;
			}
			else {
				this.onData = (data, socket, state) -> step.apply(socket, state);
			}
		}

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
			this.connectionThread.complete(Thread.currentThread());
			return this.onConnection.apply(socket, state);
		}

		@Override
		public Result<String> handleData(ByteBuffer data, Socket socket, String state) throws Exception {
			String text = text(data);
			this.callbacks.add("data:" + text);
			return this.onData.apply(text, socket, state);
		}

		@Override
		public Result<String> handleMessage(Object message, Socket socket, String state) throws Exception {
			if (!this.quietMessages) {
				this.callbacks.add("message:" + message);
			}
			return this.onMessage.apply(message, socket, state);
		}

		@Override
		public void handleClose(Socket socket, String state) throws Exception {
			ending("close", socket, state);
			this.onClose.apply(socket, state);
		}

		@Override
		public void handleError(Throwable error, Socket socket, String state) {
			this.error = error;
			ending("error:" + error.getClass().getSimpleName(), socket, state);
		}

		@Override
		public void handleShutdown(Socket socket, String state) {
			ending("shutdown", socket, state);
		}

		@Override
		public void handleTimeout(Socket socket, String state) throws Exception {
			ending("timeout", socket, state);
			this.onTimeout.apply(socket, state);
		}

		private void ending(String callback, Socket socket, String state) {
			this.endState = state;
			this.openAtEnd = socket.isOpen();
			this.callbacks.add(callback);
		}

	}

}
