package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The accept loop survives whatever accept(2) and the handler's start throw at it: Thousand
 * Island's acceptor_test, with failures injected through the {@link Transport} seam, plus the
 * {@code econnaborted} and {@code einval} events its own suite leaves out.
 */
class AcceptorTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final List<Server> servers = new CopyOnWriteArrayList<>();

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	private final FaultInjectingTransport transport = new FaultInjectingTransport();

	@AfterEach
	void stopServers() throws Exception {
		for (Server server : this.servers) {
			server.stopAsync(Duration.ZERO).get(10, TimeUnit.SECONDS);
		}
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource({ "Too many open files, emfile", "Too many open files in system, enfile" })
	void runningOutOfDescriptorsFiveTimesInARowIsSurvivedWithABackOff(String message, String error)
			throws Exception {
		Server server = start(new Echo());
		try (TestClient inFlight = TestClient.connect(server)) {
			assertThat(inFlight.send("before").read(6)).isEqualTo("before");

			this.transport.failNext(5, () -> new IOException(message));
			try (TestClient trigger = TestClient.connect(server)) {
				assertThat(trigger.send("trigger").read(7)).isEqualTo("trigger");
				await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.ACCEPTOR_EMFILE) == 5);
				List<TelemetryEvent> events = this.telemetry.named(TelemetryEvent.ACCEPTOR_EMFILE);
				assertThat(events).allSatisfy((event) -> {
					assertThat(event.metadata()).containsEntry("error", error);
					assertThat(event.span().kind()).isEqualTo("acceptor");
				});
				// Not a spin: pauses of 0, 1, 2 and 4 ms lie between the first failure and the fifth
				// (AcceptBackoffTests covers the pacing of long runs).
				long spread = events.get(4).monotonicTime() - events.get(0).monotonicTime();
				assertThat(Duration.ofNanos(spread)).isGreaterThanOrEqualTo(Duration.ofMillis(7));

				assertThat(inFlight.send("during").read(6)).isEqualTo("during");
				assertThat(trigger.send("again").read(5)).isEqualTo("again");
				try (TestClient after = TestClient.connect(server)) {
					assertThat(after.send("after").read(5)).isEqualTo("after");
				}
			}
			assertThat(inFlight.send("end").read(3)).isEqualTo("end");
		}
		assertAcceptorSurvived();
		assertThat(this.transport.failuresThrown()).isEqualTo(5);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource({ "Software caused connection abort, acceptor.econnaborted, econnaborted",
			"Invalid argument, acceptor.einval, einval" })
	void econnabortedAndEinvalEmitTheirOwnEventsAndAreRetried(String message, String event, String error)
			throws Exception {
		Server server = start(new Echo());
		try (TestClient inFlight = TestClient.connect(server)) {
			assertThat(inFlight.send("before").read(6)).isEqualTo("before");
			this.transport.failNext(3, () -> new IOException(message));
			try (TestClient trigger = TestClient.connect(server)) {
				assertThat(trigger.send("trigger").read(7)).isEqualTo("trigger");
			}
			await().atMost(WAIT).until(() -> this.telemetry.count(event) == 3);
			assertThat(this.telemetry.named(event))
				.allSatisfy((emitted) -> assertThat(emitted.metadata()).containsEntry("error", error));
			try (TestClient after = TestClient.connect(server)) {
				assertThat(after.send("after").read(5)).isEqualTo("after");
			}
			assertThat(inFlight.send("end").read(3)).isEqualTo("end");
		}
		assertThat(this.telemetry.count(TelemetryEvent.ACCEPTOR_EMFILE)).isZero();
		assertThat(this.telemetry.count(TelemetryEvent.ACCEPTOR_ACCEPT_ERROR)).isZero();
		assertAcceptorSurvived();
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "No route to host", "Network is down", "Network is unreachable", "Host is down",
			"Protocol error", "Operation not permitted", "Cannot allocate memory", "No buffer space available",
			"Connection timed out", "Operation not supported" })
	void otherAcceptErrorsAreReportedWithTheirReasonAndRetriedWithoutARestart(String message) throws Exception {
		Server server = start(new Echo());
		try (TestClient inFlight = TestClient.connect(server)) {
			assertThat(inFlight.send("before").read(6)).isEqualTo("before");
			this.transport.failNext(2, () -> new IOException(message));
			try (TestClient trigger = TestClient.connect(server)) {
				assertThat(trigger.send("trigger").read(7)).isEqualTo("trigger");
			}
			await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.ACCEPTOR_ACCEPT_ERROR) == 2);
			assertThat(this.telemetry.named(TelemetryEvent.ACCEPTOR_ACCEPT_ERROR))
				.allSatisfy((event) -> assertThat(event.metadata()).containsEntry("error", message));
			try (TestClient after = TestClient.connect(server)) {
				assertThat(after.send("after").read(5)).isEqualTo("after");
			}
			assertThat(inFlight.send("end").read(3)).isEqualTo("end");
		}
		assertAcceptorSurvived();
	}

	@Test
	void aRuntimeExceptionFromAcceptIsSurvived() throws Exception {
		Server server = start(new Echo());
		try (TestClient inFlight = TestClient.connect(server)) {
			assertThat(inFlight.send("before").read(6)).isEqualTo("before");
			this.transport.failNext(2, () -> new IllegalStateException("transport bug"));
			try (TestClient trigger = TestClient.connect(server)) {
				assertThat(trigger.send("trigger").read(7)).isEqualTo("trigger");
			}
			await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.ACCEPTOR_ACCEPT_ERROR) == 2);
			assertThat(this.telemetry.named(TelemetryEvent.ACCEPTOR_ACCEPT_ERROR))
				.allSatisfy((event) -> assertThat(event.metadata()).containsEntry("error", "transport bug"));
			try (TestClient after = TestClient.connect(server)) {
				assertThat(after.send("after").read(5)).isEqualTo("after");
			}
			assertThat(inFlight.send("end").read(3)).isEqualTo("end");
		}
		assertAcceptorSurvived();
	}

	@Test
	void failuresOnTheFirstAcceptAfterStartAreSurvived() throws Exception {
		this.transport.failNext(3, () -> new IOException("Network is down"));
		Server server = start(new Echo());
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.ACCEPTOR_ACCEPT_ERROR) == 3);
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("hello").read(5)).isEqualTo("hello");
		}
		assertAcceptorSurvived();
	}

	@Test
	void anErrorFromAcceptIsSurvivedByTheSameAcceptor() throws Exception {
		Server server = start(new Echo());
		try (TestClient inFlight = TestClient.connect(server)) {
			assertThat(inFlight.send("before").read(6)).isEqualTo("before");
			this.transport.failNext(1, () -> new Error("injected accept failure"));
			try (TestClient trigger = TestClient.connect(server)) {
				assertThat(trigger.send("trigger").read(7)).isEqualTo("trigger");
			}
			await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.ACCEPTOR_ACCEPT_ERROR) == 1);
			assertThat(this.telemetry.named(TelemetryEvent.ACCEPTOR_ACCEPT_ERROR)).singleElement()
				.satisfies((event) -> assertThat(String.valueOf(event.metadata().get("error")))
					.contains("injected accept failure"));
			assertThat(inFlight.send("after").read(5)).isEqualTo("after");
		}
		assertAcceptorSurvived();
		assertTimeoutPreemptively(WAIT, () -> server.stop());
		assertThat(this.telemetry.count(TelemetryEvent.ACCEPTOR_STOP)).isEqualTo(1);
	}

	@Test
	void aHandlerWhoseInitialStateThrowsSixTimesCostsOnlyThoseConnections() throws Exception {
		AtomicInteger failuresLeft = new AtomicInteger(6);
		Handler<String> handler = new Handler<>() {
			@Override
			public String initialState() {
				if (failuresLeft.getAndDecrement() > 0) {
					throw new IllegalStateException("no state today");
				}
				return "state";
			}

			@Override
			public Result<String> handleData(ByteBuffer data, Socket socket, String state) throws Exception {
				socket.send(data);
				return Result.continueWith(state);
			}
		};
		Server server = start(handler);
		for (int i = 0; i < 6; i++) {
			try (TestClient client = TestClient.connect(server)) {
				assertThat(client.isClosedByServer(Duration.ofSeconds(5))).as("client %d closed", i).isTrue();
			}
		}
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.ACCEPTOR_SPAWN_ERROR) == 6);
		assertThat(this.telemetry.named(TelemetryEvent.ACCEPTOR_SPAWN_ERROR)).allSatisfy((event) -> {
			assertThat(event.span().kind()).isEqualTo("acceptor");
			assertThat(event.metadata()).containsEntry("error", "no state today");
		});
		await().atMost(WAIT).until(() -> server.connections().isEmpty() && server.activeConnections() == 0);
		try (TestClient good = TestClient.connect(server)) {
			assertThat(good.send("works").read(5)).isEqualTo("works");
		}
		assertAcceptorSurvived();
	}

	private Server start(Handler<?> handler) throws IOException {
		Server server = ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(1)
			.transport(this.transport)
			.telemetryListener(this.telemetry)
			.start();
		this.servers.add(server);
		return server;
	}

	/** The one acceptor never left its loop: one start, no stop, one thread for every accept. */
	private void assertAcceptorSurvived() {
		assertThat(this.telemetry.count(TelemetryEvent.ACCEPTOR_START)).isEqualTo(1);
		assertThat(this.telemetry.count(TelemetryEvent.ACCEPTOR_STOP)).isZero();
		assertThat(this.transport.acceptingThreads()).hasSize(1);
	}

	/** Sends back whatever it receives. */
	private static final class Echo implements Handler<Void> {

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

}
