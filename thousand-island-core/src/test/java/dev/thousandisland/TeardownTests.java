package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.thousandisland.telemetry.TelemetryListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Teardown survives anything a telemetry listener or a handler throws, {@link Error}s included: no
 * connection slot leaks, the drain goes on, {@code stop()} returns within its timeout and the server
 * reaches {@link ServerStatus#STOPPED}.
 */
class TeardownTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	/** A drain timeout, and what bounds a stop that has one: the timeout and a generous margin. */
	private static final Duration DRAIN = Duration.ofSeconds(2);

	private static final Duration STOP_BOUND = DRAIN.plus(WAIT);

	private final List<Server> servers = new ArrayList<>();

	private final List<TestClient> clients = new ArrayList<>();

	@AfterEach
	void cleanUp() throws Exception {
		for (TestClient client : this.clients) {
			client.close();
		}
		for (Server server : this.servers) {
			server.stopAsync(Duration.ZERO).get(10, TimeUnit.SECONDS);
		}
	}

	@ParameterizedTest(name = "throwing on {0}, stop with {1} ms to drain")
	@CsvSource({ "every event, 0", "every event, 2000", "connection.stop, 0", "connection.stop, 2000" })
	void aTelemetryListenerThrowingAssertionErrorCannotStopTheServerOrItsDrain(String failOn, long drainMillis)
			throws Exception {
		AtomicInteger thrown = new AtomicInteger();
		TelemetryListener failing = (event) -> {
			if (failOn.equals("every event") || failOn.equals(event.name())) {
				thrown.incrementAndGet();
				throw new AssertionError("listener failed on " + event.name());
			}
		};
		Server server = start(ServerConfig.builder(new Behaving()).telemetryListener(failing));
		TestClient staying = connect(server);
		assertThat(staying.send("one").read(3)).isEqualTo("one");
		try (TestClient leaving = connect(server)) {
			assertThat(leaving.send("two").read(3)).isEqualTo("two");
		}
		await().atMost(WAIT).until(() -> server.activeConnections() == 1);

		stopBounded(server, Duration.ofMillis(drainMillis));

		assertStopped(server);
		assertThat(thrown.get()).as("events the listener threw on").isGreaterThanOrEqualTo(2);
	}

	static Stream<Arguments> callbacksAndErrors() {
		List<Arguments> arguments = new ArrayList<>();
		for (String callback : List.of("initialState", "handleConnection", "handleData", "handleMessage", "handleClose",
				"handleError", "handleTimeout", "handleShutdown")) {
			arguments.add(Arguments.of(callback, "AssertionError"));
			arguments.add(Arguments.of(callback, "StackOverflowError"));
		}
		return arguments.stream();
	}

	@ParameterizedTest(name = "{0} throws {1}")
	@MethodSource("callbacksAndErrors")
	void aHandlerThrowingAnErrorInAnyCallbackLeaksNoSlotAndStopsInTime(String callback, String error)
			throws Exception {
		Supplier<Error> failure = error.equals("AssertionError") ? () -> new AssertionError("handler failed")
				: StackOverflowError::new;
		ErrorInOneCallback handler = new ErrorInOneCallback(callback, failure);
		Server server = start(ServerConfig.builder(handler));
		// Stays until the stop: connection, data, a message, then the shutdown.
		TestClient staying = connect(server);
		staying.send("hello");
		// Ends by itself in each of the other ways.
		TestClient erring = connect(server);
		erring.send("boom");
		TestClient timingOut = connect(server);
		timingOut.send("sleepy");
		TestClient leaving = connect(server);
		leaving.send("bye");
		await().atMost(WAIT).until(() -> handler.reached("handleData") >= 3 || handler.thrown() > 0);
		leaving.close();
		await().atMost(WAIT).until(() -> server.activeConnections() <= 1);
		server.connections().forEach((connection) -> connection.tell("message"));
		await().atMost(WAIT).until(() -> handler.reached("handleMessage") > 0 || server.activeConnections() == 0);

		stopBounded(server, DRAIN);

		assertStopped(server);
		assertThat(handler.thrown()).as("times %s threw", callback).isPositive();
	}

	private void stopBounded(Server server, Duration drain) {
		assertTimeoutPreemptively(STOP_BOUND, () -> server.stop(drain), "stop(" + drain + ") did not return");
	}

	private static void assertStopped(Server server) {
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
		assertThat(server.activeConnections()).isZero();
		assertThat(server.connections()).isEmpty();
	}

	private Server start(ServerConfig.Builder builder) throws IOException {
		Server server = builder.port(0).bindAddress(InetAddress.getLoopbackAddress()).start();
		this.servers.add(server);
		return server;
	}

	private TestClient connect(Server server) throws IOException {
		TestClient client = TestClient.connect(server);
		this.clients.add(client);
		return client;
	}

	/** Echoes. */
	private static final class Behaving implements Handler<Void> {

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

	/**
	 * Throws an {@link Error} from one callback, every time it runs, and otherwise leads each
	 * connection to the ending its first message names: {@code boom} to an error, {@code sleepy}
	 * to a read timeout, anything else on until the client leaves or the server stops.
	 */
	private static final class ErrorInOneCallback implements Handler<String> {

		private final String failing;

		private final Supplier<Error> failure;

		private final Map<String, AtomicInteger> reached = new ConcurrentHashMap<>();

		private final AtomicInteger thrown = new AtomicInteger();

		ErrorInOneCallback(String failing, Supplier<Error> failure) {
			this.failing = failing;
			this.failure = failure;
		}

		int reached(String callback) {
			AtomicInteger count = this.reached.get(callback);
			return (count != null) ? count.get() : 0;
		}

		int thrown() {
			return this.thrown.get();
		}

		private void enter(String callback) {
			this.reached.computeIfAbsent(callback, (name) -> new AtomicInteger()).incrementAndGet();
			if (callback.equals(this.failing)) {
				this.thrown.incrementAndGet();
				throw this.failure.get();
			}
		}

		@Override
		public String initialState() {
			enter("initialState");
			return "";
		}

		@Override
		public Result<String> handleConnection(Socket socket, String state) {
			enter("handleConnection");
			return Result.continueWith(state);
		}

		@Override
		public Result<String> handleData(ByteBuffer data, Socket socket, String state) {
			enter("handleData");
			String text = StandardCharsets.UTF_8.decode(data).toString();
			return switch (text) {
				case "boom" -> throw new IllegalStateException("boom");
				case "sleepy" -> Result.continueWith(state, Duration.ofMillis(100));
				default -> Result.continueWith(state);
			};
		}

		@Override
		public Result<String> handleMessage(Object message, Socket socket, String state) {
			enter("handleMessage");
			return Result.continueWith(state);
		}

		@Override
		public void handleClose(Socket socket, String state) {
			enter("handleClose");
		}

		@Override
		public void handleError(Throwable error, Socket socket, String state) {
			enter("handleError");
		}

		@Override
		public void handleTimeout(Socket socket, String state) {
			enter("handleTimeout");
		}

		@Override
		public void handleShutdown(Socket socket, String state) {
			enter("handleShutdown");
		}

	}

}
