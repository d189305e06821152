package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import dev.thousandisland.internal.listener.Acceptor;
import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No accept failure storms: whatever accept keeps throwing, and in whatever language, the
 * acceptor paces its attempts, logs a few lines rather than one per failure, and serves clients
 * again by itself once the failure stops.
 */
class AcceptBackoffTests {

	private static final int FAILURES = 1_000;

	private static final Duration MAX_BACKOFF = Duration.ofMillis(2);

	private static final Duration WAIT = Duration.ofSeconds(60);

	/** Kept here: java.util.logging holds its loggers weakly, and with them our handler. */
	private final Logger acceptorLog = Logger.getLogger(Acceptor.class.getName());

	private final LineCounter logLines = new LineCounter();

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	private final List<Server> servers = new CopyOnWriteArrayList<>();

	@BeforeEach
	void countLogLines() {
		this.acceptorLog.addHandler(this.logLines);
	}

	@AfterEach
	void cleanUp() throws Exception {
		this.acceptorLog.removeHandler(this.logLines);
		for (Server server : this.servers) {
			server.stopAsync(Duration.ZERO).get(10, TimeUnit.SECONDS);
		}
	}

	static Stream<Arguments> persistentFailures() {
		return Stream.of(failure("EMFILE", () -> new IOException("Too many open files")),
				failure("ENFILE", () -> new IOException("Too many open files in system")),
				failure("ENOBUFS", () -> new IOException("No buffer space available")),
				failure("ENOMEM", () -> new IOException("Cannot allocate memory")),
				failure("EMFILE in German", () -> new IOException("Zu viele offene Dateien")),
				failure("an errno nobody expected", () -> new IOException("Link has been severed")),
				failure("a RuntimeException", () -> new IllegalStateException("transport bug")),
				failure("an Error", () -> new OutOfMemoryError("injected")));
	}

	private static Arguments failure(String name, Supplier<Throwable> failure) {
		return Arguments.of(name, failure);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("persistentFailures")
	void aThousandFailuresInARowArePacedLoggedSparinglyAndRecoveredFrom(String name, Supplier<Throwable> failure)
			throws Exception {
		FaultInjectingTransport transport = new FaultInjectingTransport();
		transport.failNext(FAILURES, failure);
		Server server = start(transport, MAX_BACKOFF);

		await().atMost(WAIT).until(() -> transport.failuresThrown() == FAILURES);
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("served").read(6)).isEqualTo("served");
		}

		// Attempts: from the third failure on, each waits the full maximum pause (the second
		// waits 1 ms), so a thousand cannot take less than this, however fast the machine.
		long least = MAX_BACKOFF.toNanos() * (FAILURES - 2);
		assertThat(Duration.ofNanos(transport.failureSpan()))
			.as("time taken by %d failed accepts (at most one per %s)", FAILURES, MAX_BACKOFF)
			.isGreaterThanOrEqualTo(Duration.ofNanos(least));
		// Log lines: the first failure, one per 10 s while it lasts, the recovery.
		long streakSeconds = TimeUnit.NANOSECONDS.toSeconds(transport.failureSpan());
		assertThat(this.logLines.count()).as("log lines about %d failures", FAILURES)
			.isLessThanOrEqualTo(2 + streakSeconds / 10 + 1);
		assertThat(this.logLines.messages()).last().asString().contains("accepts connections again");
		// Telemetry still counts every failure.
		long events = this.telemetry.events()
			.stream()
			.filter((event) -> event.name().startsWith("acceptor.") && !event.name().equals(TelemetryEvent.ACCEPTOR_START))
			.count();
		assertThat(events).isEqualTo(FAILURES);
	}


	private Server start(Transport transport, Duration maxBackoff) throws IOException {
		Server server = ServerConfig.builder(new Echo())
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(1)
			.transport(transport)
			.maxAcceptBackoff(maxBackoff)
			.telemetryListener(this.telemetry)
			.start();
		this.servers.add(server);
		return server;
	}

	/** Sends back whatever it receives. */
	private static final class Echo implements dev.thousandisland.Handler<Void> {

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

	/** Counts the log records of one logger. */
	private static final class LineCounter extends Handler {

		private final ConcurrentLinkedQueue<String> messages = new ConcurrentLinkedQueue<>();

		@Override
		public void publish(LogRecord record) {
			this.messages.add(record.getMessage());
		}

		long count() {
			return this.messages.size();
		}

		List<String> messages() {
			return List.copyOf(this.messages);
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

	}
}
