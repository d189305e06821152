package dev.thousandisland.reliability;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerStatus;
import dev.thousandisland.autoconfigure.ThousandIslandServerCustomizer;
import dev.thousandisland.autoconfigure.ThousandIslandServers;
import dev.thousandisland.telemetry.TelemetryEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Closing a Spring Boot application in the middle of heavy traffic: 500 clients in a tight
 * request/response loop against a Handler bean when the context is closed. A graceful shutdown
 * must answer every request the server read before it stopped (the count of requests the server
 * read equals the count of full responses the clients received: none lost), refuse new connects
 * from the moment the close begins, and finish within
 * {@code spring.lifecycle.timeout-per-shutdown-phase}. An immediate shutdown must close every
 * connection at once without anything hanging.
 */
class SpringDrainTests {

	private static final int CLIENTS = 500;

	private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration WAIT = Duration.ofSeconds(60);

	private ConfigurableApplicationContext context;

	private ExecutorService executor;

	private final AtomicBoolean stopClients = new AtomicBoolean();

	@AfterEach
	void cleanUp() throws InterruptedException {
		this.stopClients.set(true);
		if (this.context != null) {
			this.context.close();
		}
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor.awaitTermination(30, TimeUnit.SECONDS);
		}
	}

	/**
	 * Graceful close mid-traffic: the listen socket closes first (connects are refused), every
	 * connection finishes the request it is handling and is then drained, the count of requests
	 * the server read equals the count of full responses the clients received, and the close
	 * takes less than the 10 s phase timeout.
	 */
	@Test
	@Timeout(value = 180, unit = TimeUnit.SECONDS)
	void gracefulCloseAnswersEveryRequestItReadRefusesNewConnectsAndFinishesWithinThePhaseTimeout()
			throws Exception {
		Traffic traffic = startTraffic("thousandisland.shutdown=graceful");
		RpcHandler handler = this.context.getBean(RpcHandler.class);
		SpanAudit audit = this.context.getBean(SpanAudit.class);
		Server server = server();
		int port = server.port();

		long start = System.nanoTime();
		CompletableFuture<Void> closed = CompletableFuture.runAsync(this.context::close);
		AtomicLong probesAccepted = new AtomicLong();
		await().atMost(WAIT).until(() -> refuses(port) || probesAccepted.incrementAndGet() < 0);
		Duration untilRefused = Duration.ofNanos(System.nanoTime() - start);
		closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		Duration closing = Duration.ofNanos(System.nanoTime() - start);
		for (int i = 0; i < 3; i++) {
			assertThat(refuses(port)).as("connects after the close began").isTrue();
		}
		traffic.awaitClients();

		long read = handler.requestsRead.sum();
		long received = traffic.responsesReceived.sum();
		assertThat(closing).as("context close").isLessThan(PHASE_TIMEOUT);
		assertThat(read).as("requests the server read").isGreaterThan(0);
		assertThat(handler.responsesSent.sum()).as("responses the server sent").isEqualTo(read);
		assertThat(received).as("full responses the clients received (lost = read - received)").isEqualTo(read);
		assertThat(traffic.corrupt.sum()).as("responses that did not match their request").isZero();
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
		assertThat(server.activeConnections()).isZero();
		// A probe that connected before the listen socket closed may be a connection of its own.
		assertThat(audit.started()).isBetween((long) CLIENTS, CLIENTS + probesAccepted.get());
		assertThat(audit.countWithReason(TelemetryEvent.CONNECTION_STOP, "shutdown")).isBetween((long) CLIENTS,
				CLIENTS + probesAccepted.get());
		assertThat(audit.countWithError(TelemetryEvent.CONNECTION_STOP, "shutdown_timeout")).isZero();
		audit.assertBalanced();

		String test = "Spring drain under load (graceful)";
		Figures.record(test, "client connections in a request/response loop", CLIENTS);
		Figures.record(test, "requests read by the server / full responses received / lost",
				read + " / " + received + " / " + (read - received));
		Figures.record(test, "time from close() to connects refused (ms)", untilRefused.toMillis());
		Figures.record(test, "context close() took (ms), phase timeout 10 s", closing.toMillis());
	}

	/**
	 * Immediate close mid-traffic: every connection is closed at once without handleShutdown,
	 * every client loop ends (none hangs on a read), and the close returns well within the phase
	 * timeout.
	 */
	@Test
	@Timeout(value = 180, unit = TimeUnit.SECONDS)
	void immediateCloseEndsEveryConnectionAtOnceAndNothingHangs() throws Exception {
		Traffic traffic = startTraffic("thousandisland.shutdown=immediate");
		RpcHandler handler = this.context.getBean(RpcHandler.class);
		SpanAudit audit = this.context.getBean(SpanAudit.class);
		Server server = server();
		int port = server.port();

		long start = System.nanoTime();
		CompletableFuture.runAsync(this.context::close).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		Duration closing = Duration.ofNanos(System.nanoTime() - start);
		assertThat(refuses(port)).isTrue();
		traffic.awaitClients();

		assertThat(closing).as("context close").isLessThan(PHASE_TIMEOUT);
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
		assertThat(server.activeConnections()).isZero();
		assertThat(traffic.corrupt.sum()).isZero();
		assertThat(audit.countWithReason(TelemetryEvent.CONNECTION_STOP, "shutdown")).isZero();
		// Closed without handleShutdown: an immediate stop, not a drain that ran out of time.
		assertThat(audit.countWithReason(TelemetryEvent.CONNECTION_STOP, "shutdown_immediate")).isEqualTo(CLIENTS);
		audit.assertBalanced();
		assertThat(audit.endedCount()).isEqualTo(CLIENTS);

		long read = handler.requestsRead.sum();
		long received = traffic.responsesReceived.sum();
		String test = "Spring drain under load (immediate)";
		Figures.record(test, "requests read by the server / full responses received / cut off",
				read + " / " + received + " / " + (read - received));
		Figures.record(test, "context close() took (ms)", closing.toMillis());
	}

	/** Starts the application and 500 clients, and waits until all of them are in their loop. */
	private Traffic startTraffic(String shutdown) {
		this.context = new SpringApplicationBuilder(RpcApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "logging.level.root=WARN",
					"logging.level.dev.thousandisland.internal.connection.ConnectionLoop=ERROR", "thousandisland.port=0",
					"thousandisland.address=127.0.0.1", "thousandisland.backlog=2048",
					"spring.lifecycle.timeout-per-shutdown-phase=" + PHASE_TIMEOUT.toSeconds() + "s", shutdown)
			.run();
		Server server = server();
		Traffic traffic = new Traffic();
		this.executor = Executors.newVirtualThreadPerTaskExecutor();
		for (int i = 0; i < CLIENTS; i++) {
			traffic.clients.add(this.executor.submit(() -> traffic.run(server.port(), this.stopClients)));
		}
		await().atMost(WAIT).until(() -> server.activeConnections() == CLIENTS);
		RpcHandler handler = this.context.getBean(RpcHandler.class);
		long before = handler.requestsRead.sum();
		await().atMost(WAIT).until(() -> handler.requestsRead.sum() > before + 20 * CLIENTS);
		return traffic;
	}

	private Server server() {
		return this.context.getBean(ThousandIslandServers.class).get("rpc").orElseThrow();
	}

	/** Whether a connect to the port is refused (rather than accepted, or timing out). */
	private static boolean refuses(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(Clients.LOOPBACK, port), 2_000);
			return false;
		}
		catch (ConnectException ex) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** The clients' side: each runs request/response until the server ends its connection. */
	static final class Traffic {

		final List<Future<?>> clients = new ArrayList<>();

		final LongAdder responsesReceived = new LongAdder();

		final LongAdder corrupt = new LongAdder();

		final AtomicLong sequence = new AtomicLong();

		Void run(int port, AtomicBoolean stop) {
			try (Socket socket = Clients.connect(port)) {
				byte[] request = new byte[RpcHandler.REQUEST_SIZE];
				// Bounded: the server ends every connection well before this many round trips.
				for (int i = 0; i < 1_000_000 && !stop.get(); i++) {
					long id = this.sequence.incrementAndGet();
					ByteBuffer.wrap(request).putLong(0, id);
					socket.getOutputStream().write(request);
					byte[] response = socket.getInputStream().readNBytes(RpcHandler.RESPONSE_SIZE);
					if (response.length < RpcHandler.RESPONSE_SIZE) {
						return null;
					}
					if (ByteBuffer.wrap(response).getLong(0) != id) {
						this.corrupt.increment();
					}
					this.responsesReceived.increment();
				}
			}
			catch (IOException ex) {
				// The server closed the connection: the loop is over.
			}
			return null;
		}

		void awaitClients() throws Exception {
			for (Future<?> client : this.clients) {
				client.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			}
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class RpcApplication {

		@Bean
		RpcHandler rpc() {
			return new RpcHandler();
		}

		@Bean
		SpanAudit spanAudit() {
			return SpanAudit.counting();
		}

		@Bean
		ThousandIslandServerCustomizer auditTelemetry(SpanAudit audit) {
			return (name, builder) -> builder.telemetryListener(audit);
		}

	}

	/**
	 * Requests of 64 bytes, responses of 256 starting with the request's first eight bytes, after
	 * 0 to 2 ms of "processing". Counts the requests it has read in full and the responses it sent.
	 */
	static final class RpcHandler implements Handler<ByteBuffer> {

		static final int REQUEST_SIZE = 64;

		static final int RESPONSE_SIZE = 256;

		final LongAdder requestsRead = new LongAdder();

		final LongAdder responsesSent = new LongAdder();

		@Override
		public ByteBuffer initialState() {
			return ByteBuffer.allocate(REQUEST_SIZE);
		}

		@Override
		public Result<ByteBuffer> handleData(ByteBuffer data, dev.thousandisland.Socket socket, ByteBuffer request)
				throws Exception {
			while (data.hasRemaining()) {
				int take = Math.min(data.remaining(), request.remaining());
				request.put(request.position(), data, data.position(), take);
				request.position(request.position() + take);
				data.position(data.position() + take);
				if (!request.hasRemaining()) {
					this.requestsRead.increment();
					int delay = ThreadLocalRandom.current().nextInt(3);
					if (delay > 0) {
						Thread.sleep(delay);
					}
					ByteBuffer response = ByteBuffer.allocate(RESPONSE_SIZE);
					response.putLong(0, request.getLong(0));
					socket.send(response);
					this.responsesSent.increment();
					request.clear();
				}
			}
			return Result.continueWith(request);
		}

	}

}
