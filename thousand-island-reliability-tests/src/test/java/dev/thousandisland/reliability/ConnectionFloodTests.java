package dev.thousandisland.reliability;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.ServerStatus;
import dev.thousandisland.telemetry.TelemetryEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connection flood: ten times as many clients as the server allows connect at once and stay
 * connected. The limit must hold exactly: the first clients are admitted, every other one is
 * closed after the configured retries with {@code acceptor.spawn_error: too_many_connections},
 * each attempt is accounted for (admitted + rejected == attempted), the server and its acceptors
 * live on, admitted clients keep being served, and once they leave new clients get in again.
 */
class ConnectionFloodTests {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static final byte[] PING = { 'p', 'i', 'n', 'g' };

	static Stream<Limit> limits() {
		return Stream.of(
				new Limit("maxConnections 20 over 4 acceptors", 20,
						(builder) -> builder.numAcceptors(4).maxConnections(20)),
				new Limit("1 acceptor with numConnections 10", 10,
						(builder) -> builder.numAcceptors(1).numConnections(10)));
	}

	/**
	 * Ten times the limit connect at once and stay: exactly the limit is admitted, every other
	 * attempt is closed after one 50 ms retry with {@code too_many_connections}, the admitted
	 * clients keep getting echoes, and once they leave the same number of new clients get in.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("limits")
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void connectionsBeyondTheLimitAreClosedAsConfiguredWhileAdmittedOnesAreServed(Limit limit) throws Exception {
		int attempts = 10 * limit.connections();
		SpanAudit audit = SpanAudit.counting();
		ServerConfig.Builder builder = ServerConfig.builder(new EchoHandler())
			.name("flood")
			.port(0)
			.bindAddress(Clients.LOOPBACK)
			.maxConnectionsRetryCount(1)
			.maxConnectionsRetryWait(Duration.ofMillis(50))
			.telemetryListener(audit);
		Server server = limit.configure().apply(builder).start();
		List<Socket> flood = new ArrayList<>();
		List<Socket> later = new ArrayList<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			long start = System.nanoTime();
			List<Future<Socket>> connecting = new ArrayList<>();
			for (int i = 0; i < attempts; i++) {
				connecting.add(executor.submit(() -> Clients.connect(server.port())));
			}
			for (Future<Socket> socket : connecting) {
				flood.add(socket.get(30, TimeUnit.SECONDS));
			}
			await().atMost(WAIT).until(() -> audit.started() + rejected(audit) == attempts);
			Duration settled = Duration.ofNanos(System.nanoTime() - start);
			assertThat(audit.started()).as("admitted").isEqualTo(limit.connections());
			assertThat(rejected(audit)).as("rejected").isEqualTo(attempts - limit.connections());
			assertThat(audit.count(TelemetryEvent.ACCEPTOR_SPAWN_ERROR)).as("every spawn error is too_many_connections")
				.isEqualTo(rejected(audit));
			assertThat(server.activeConnections()).isEqualTo(limit.connections());

			List<Socket> admitted = new ArrayList<>();
			for (Socket socket : flood) {
				if (probe(socket)) {
					admitted.add(socket);
				}
			}
			assertThat(admitted).as("clients that got an echo").hasSize(limit.connections());
			for (int round = 0; round < 3; round++) {
				List<Future<byte[]>> echoes = new ArrayList<>();
				for (Socket socket : admitted) {
					echoes.add(executor.submit(() -> Clients.roundTrip(socket, PING)));
				}
				for (Future<byte[]> echo : echoes) {
					assertThat(echo.get(30, TimeUnit.SECONDS)).isEqualTo(PING);
				}
			}
			assertThat(server.status()).isEqualTo(ServerStatus.RUNNING);
			assertThat(audit.count(TelemetryEvent.ACCEPTOR_STOP)).as("acceptors that left their loop").isZero();

			flood.forEach(Clients::closeQuietly);
			long closed = System.nanoTime();
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			for (int i = 0; i < limit.connections(); i++) {
				later.add(Clients.connect(server.port()));
			}
			for (Socket socket : later) {
				assertThat(Clients.roundTrip(socket, PING)).isEqualTo(PING);
			}
			Duration recovered = Duration.ofNanos(System.nanoTime() - closed);
			assertThat(rejected(audit)).as("rejected once room was made").isEqualTo(attempts - limit.connections());
			later.forEach(Clients::closeQuietly);
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			audit.assertBalanced();
			assertThat(audit.started()).isEqualTo(2L * limit.connections());

			String test = "flood: " + limit.name();
			Figures.record(test, "attempted / admitted / rejected",
					attempts + " / " + limit.connections() + " / " + (attempts - limit.connections()));
			Figures.record(test, "time until every attempt was admitted or rejected (ms)", settled.toMillis());
			Figures.record(test, "time from the admitted clients leaving to a full set of new clients served (ms)",
					recovered.toMillis());
		}
		finally {
			flood.forEach(Clients::closeQuietly);
			later.forEach(Clients::closeQuietly);
			server.stop(Duration.ZERO);
		}
	}

	private static long rejected(SpanAudit audit) {
		return audit.countWithError(TelemetryEvent.ACCEPTOR_SPAWN_ERROR, "too_many_connections");
	}

	/** Whether the server serves this client: an echo, rather than end of stream or a reset. */
	private static boolean probe(Socket socket) {
		try {
			socket.getOutputStream().write(PING);
			byte[] reply = socket.getInputStream().readNBytes(PING.length);
			return Arrays.equals(reply, PING);
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * A connection limit.
	 * @param name what it is, for the test name
	 * @param connections how many connections it admits
	 * @param configure sets it on a builder
	 */
	record Limit(String name, int connections, UnaryOperator<ServerConfig.Builder> configure) {

		@Override
		public String toString() {
			return this.name;
		}

	}

}
