package dev.thousandisland.reliability;

import java.lang.ref.WeakReference;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.telemetry.TelemetryEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Handlers with bugs: one that throws, one that never returns from a callback (and ignores
 * interrupts), one that holds a megabyte per connection. A faulty connection must cost only
 * itself: the other clients of the same server are served throughout, a stuck connection is
 * closed at the shutdown deadline so that {@code stop()} returns, and what a closed connection
 * held is garbage once it is gone.
 */
class FaultyHandlerTests {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static final int GOOD_CLIENTS = 100;

	/**
	 * A handler that throws on every connection with an odd id (it tells each client its id first,
	 * so that the client knows which it is): 100 clients on odd ids see their connection end with
	 * nothing but end of stream, while 100 on even ids get every echo.
	 */
	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	@SuppressWarnings("try") // the resource only scopes the quieter logging
	void aHandlerThatThrowsOnHalfTheConnectionsEndsOnlyThoseWhileTheOthersAreServed() throws Exception {
		ThrowingHandler handler = new ThrowingHandler();
		SpanAudit audit = SpanAudit.counting();
		Server server = start(handler, audit, Duration.ofSeconds(15));
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
				QuietLogs quiet = QuietLogs.connections()) {
			List<Future<Outcome>> outcomes = new ArrayList<>();
			for (int i = 0; i < 2 * GOOD_CLIENTS; i++) {
				outcomes.add(executor.submit(() -> {
					try (Socket socket = Clients.connect(server.port())) {
						long id = ByteBuffer.wrap(socket.getInputStream().readNBytes(Long.BYTES)).getLong();
						byte[] payload = random(1024);
						if (id % 2 == 0) {
							for (int round = 0; round < 3; round++) {
								assertThat(Clients.roundTrip(socket, payload)).isEqualTo(payload);
							}
							return new Outcome(id, true, new byte[0]);
						}
						socket.getOutputStream().write(payload);
						Clients.Closure closure = Clients.awaitClosed(socket, Duration.ofSeconds(10));
						assertThat(closure.closed()).isTrue();
						return new Outcome(id, false, closure.received());
					}
				}));
			}
			int served = 0;
			int failed = 0;
			for (Future<Outcome> future : outcomes) {
				Outcome outcome = future.get(60, TimeUnit.SECONDS);
				if (outcome.served()) {
					served++;
				}
				else {
					failed++;
					assertThat(outcome.received()).as("bytes a client got from a handler that threw").isEmpty();
				}
			}
			assertThat(served).isEqualTo(GOOD_CLIENTS);
			assertThat(failed).isEqualTo(GOOD_CLIENTS);
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			assertThat(audit.count(TelemetryEvent.CONNECTION_EXCEPTION)).isEqualTo(GOOD_CLIENTS);
			assertThat(audit.countWithError(TelemetryEvent.CONNECTION_EXCEPTION, "IllegalStateException"))
				.isEqualTo(GOOD_CLIENTS);
			assertThat(audit.countWithReason(TelemetryEvent.CONNECTION_STOP, "peer_closed")).isEqualTo(GOOD_CLIENTS);
			assertThat(handler.errors).hasSize(GOOD_CLIENTS).allMatch(IllegalStateException.class::isInstance);
			audit.assertBalanced();
			Figures.record("faulty handler: throws on odd ids", "connections served / ended by the exception",
					served + " / " + failed);
		}
		finally {
			server.stop(Duration.ZERO);
		}
	}

	/**
	 * A handler that blocks forever in handleData for clients that say BLOCK, parking in a loop
	 * that ignores interrupts until the test lets it go. While ten connections are stuck, 100
	 * clients get their echo; stopping the server with a 500 ms shutdown timeout then returns,
	 * every stuck connection having been force-closed with exactly one {@code connection.stop}
	 * whose error is {@code shutdown_timeout}, while the idle good ones drained normally.
	 */
	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void connectionsStuckInACallbackAreForceClosedAtTheShutdownDeadlineAndStopReturns() throws Exception {
		int stuckClients = 10;
		StuckHandler handler = new StuckHandler();
		SpanAudit audit = SpanAudit.recording();
		Duration shutdownTimeout = Duration.ofMillis(500);
		Server server = start(handler, audit, shutdownTimeout);
		List<Socket> stuck = new ArrayList<>();
		List<Socket> good = new ArrayList<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < stuckClients; i++) {
				Socket socket = Clients.connect(server.port());
				stuck.add(socket);
				socket.getOutputStream().write(StuckHandler.BLOCK);
			}
			await().atMost(WAIT).until(() -> handler.stuck.size() == stuckClients);
			for (int i = 0; i < GOOD_CLIENTS; i++) {
				good.add(Clients.connect(server.port()));
			}
			List<Future<?>> echoes = new ArrayList<>();
			for (Socket socket : good) {
				echoes.add(executor.submit(() -> {
					byte[] payload = random(512);
					for (int round = 0; round < 3; round++) {
						assertThat(Clients.roundTrip(socket, payload)).isEqualTo(payload);
					}
					return null;
				}));
			}
			for (Future<?> echo : echoes) {
				echo.get(60, TimeUnit.SECONDS);
			}
			assertThat(handler.stuck).hasSize(stuckClients).allMatch(Thread::isAlive);

			long start = System.nanoTime();
			CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop);
			stopped.get(30, TimeUnit.SECONDS);
			Duration stopping = Duration.ofNanos(System.nanoTime() - start);
			assertThat(stopping).as("stop() waited for the shutdown deadline before forcing")
				.isGreaterThanOrEqualTo(shutdownTimeout.minusMillis(50));
			assertThat(server.activeConnections()).isZero();

			Map<Long, List<TelemetryEvent>> stuckStops = new ConcurrentHashMap<>();
			for (TelemetryEvent event : audit.named(TelemetryEvent.CONNECTION_STOP)) {
				Long id = (Long) event.metadata().get("connection_id");
				if (handler.stuckIds.contains(id)) {
					stuckStops.computeIfAbsent(id, (k) -> new ArrayList<>()).add(event);
				}
			}
			assertThat(stuckStops).hasSize(stuckClients);
			stuckStops.forEach((id, stops) -> {
				assertThat(stops).as("stop events of stuck connection %d", id).hasSize(1);
				assertThat(stops.get(0).metadata()).containsEntry("error", "shutdown_timeout")
					.containsEntry("reason", "shutdown_timeout");
			});
			assertThat(audit.count(TelemetryEvent.CONNECTION_EXCEPTION)).isZero();
			assertThat(audit.countWithReason(TelemetryEvent.CONNECTION_STOP, "shutdown")).isEqualTo(GOOD_CLIENTS);
			for (Socket socket : stuck) {
				assertThat(Clients.awaitClosed(socket, Duration.ofSeconds(10)).closed()).as("stuck client").isTrue();
			}
			for (Socket socket : good) {
				assertThat(Clients.awaitClosed(socket, Duration.ofSeconds(10)).closed()).as("good client").isTrue();
			}

			// The stuck threads ignored the interrupt; once let go they must end without a second stop.
			handler.release();
			await().atMost(WAIT).until(() -> JvmStats.alive(handler.stuck) == 0);
			audit.assertBalanced();
			assertThat(audit.named(TelemetryEvent.CONNECTION_STOP)).hasSize(stuckClients + GOOD_CLIENTS);
			Figures.record("faulty handler: blocks forever", "stuck connections / good clients served meanwhile",
					stuckClients + " / " + GOOD_CLIENTS);
			Figures.record("faulty handler: blocks forever", "stop() took with shutdownTimeout 500 ms (ms)",
					stopping.toMillis());
			Figures.record("faulty handler: blocks forever", "events after a forced stop, once released",
					audit.lateEvents().size());
		}
		finally {
			handler.release();
			stuck.forEach(Clients::closeQuietly);
			good.forEach(Clients::closeQuietly);
			server.stop(Duration.ZERO);
		}
	}

	/**
	 * A handler whose state holds a 1 MiB array per connection: 100 clients are served
	 * concurrently while the server holds 100 MiB for them, and once they have gone every array
	 * is collectable and the heap after GC is back near where it started.
	 */
	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void memoryHeldForEachConnectionIsReleasedWhenTheConnectionsClose() throws Exception {
		HoardingHandler handler = new HoardingHandler();
		SpanAudit audit = SpanAudit.counting();
		Server server = start(handler, audit, Duration.ofSeconds(15));
		List<Socket> clients = new ArrayList<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			try (Socket warmUp = Clients.connect(server.port())) {
				Clients.roundTrip(warmUp, new byte[] { 1 });
			}
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			long baseline = JvmStats.heapAfterGc();
			for (int i = 0; i < GOOD_CLIENTS; i++) {
				clients.add(Clients.connect(server.port()));
			}
			List<Future<?>> echoes = new ArrayList<>();
			for (Socket socket : clients) {
				echoes.add(executor.submit(() -> {
					byte[] payload = random(2048);
					for (int round = 0; round < 3; round++) {
						assertThat(Clients.roundTrip(socket, payload)).isEqualTo(payload);
					}
					return null;
				}));
			}
			for (Future<?> echo : echoes) {
				echo.get(60, TimeUnit.SECONDS);
			}
			assertThat(server.activeConnections()).isEqualTo(GOOD_CLIENTS);
			long holding = JvmStats.heapAfterGc();
			assertThat(holding - baseline).as("heap held by %d connections", GOOD_CLIENTS)
				.isGreaterThan(90L * HoardingHandler.SIZE);

			clients.forEach(Clients::closeQuietly);
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
				JvmStats.heapAfterGc();
				return handler.hoards.stream().allMatch((hoard) -> hoard.get() == null);
			});
			long after = JvmStats.heapAfterGc();
			assertThat(after - baseline).as("heap after the connections closed, above the baseline")
				.isLessThan(32L * HoardingHandler.SIZE);
			audit.assertBalanced();
			Figures.record("faulty handler: holds 1 MiB per connection", "heap after GC: before / with "
					+ GOOD_CLIENTS + " connections / after they closed (MiB)",
					String.format("%.1f / %.1f / %.1f", JvmStats.mib(baseline), JvmStats.mib(holding),
							JvmStats.mib(after)));
		}
		finally {
			clients.forEach(Clients::closeQuietly);
			server.stop(Duration.ZERO);
		}
	}

	private static Server start(Handler<?> handler, SpanAudit audit, Duration shutdownTimeout) throws Exception {
		return ServerConfig.builder(handler)
			.name("faulty")
			.port(0)
			.bindAddress(Clients.LOOPBACK)
			.shutdownTimeout(shutdownTimeout)
			.telemetryListener(audit)
			.start();
	}

	private static byte[] random(int length) {
		byte[] bytes = new byte[length];
		ThreadLocalRandom.current().nextBytes(bytes);
		return bytes;
	}

	/**
	 * What one client saw.
	 * @param id its connection id
	 * @param served whether it got its echoes
	 * @param received what it received before the end, if it was not served
	 */
	record Outcome(long id, boolean served, byte[] received) {
	}

	/** Tells each client its connection id, then echoes on even ids and throws on odd ones. */
	static final class ThrowingHandler implements Handler<Long> {

		final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();

		@Override
		public Result<Long> handleConnection(dev.thousandisland.Socket socket, Long state) throws Exception {
			long id = socket.connection().id();
			socket.send(ByteBuffer.allocate(Long.BYTES).putLong(0, id));
			return Result.continueWith(id);
		}

		@Override
		public Result<Long> handleData(ByteBuffer data, dev.thousandisland.Socket socket, Long id) throws Exception {
			if (id % 2 != 0) {
				throw new IllegalStateException("Deliberate failure on connection " + id);
			}
			socket.send(data);
			return Result.continueWith(id);
		}

		@Override
		public void handleError(Throwable error, dev.thousandisland.Socket socket, Long id) {
			this.errors.add(error);
		}

	}

	/** Blocks forever in handleData on {@code BLOCK}, ignoring interrupts; echoes anything else. */
	static final class StuckHandler implements Handler<Void> {

		static final byte[] BLOCK = "BLOCK".getBytes(StandardCharsets.US_ASCII);

		final Queue<Thread> stuck = new ConcurrentLinkedQueue<>();

		final Set<Long> stuckIds = ConcurrentHashMap.newKeySet();

		private volatile boolean released;

		@Override
		public Result<Void> handleData(ByteBuffer data, dev.thousandisland.Socket socket, Void state)
				throws Exception {
			if (!data.equals(ByteBuffer.wrap(BLOCK))) {
				socket.send(data);
				return Result.continueWith(state);
			}
			this.stuckIds.add(socket.connection().id());
			this.stuck.add(Thread.currentThread());
			while (!this.released) {
				LockSupport.park(this);
				// Ignore interrupts, as a badly written handler would.
				Thread.interrupted();
			}
			return Result.continueWith(state);
		}

		void release() {
			this.released = true;
			this.stuck.forEach(LockSupport::unpark);
		}

	}

	/** Allocates and holds 1 MiB for each connection, in its state; echoes. */
	static final class HoardingHandler implements Handler<byte[]> {

		/** Just under 1 MiB, so that G1 keeps each in one 1 MiB region rather than two. */
		static final int SIZE = 1024 * 1024 - 1024;

		final Queue<WeakReference<byte[]>> hoards = new ConcurrentLinkedQueue<>();

		private final AtomicInteger connections = new AtomicInteger();

		@Override
		public byte[] initialState() {
			byte[] hoard = new byte[SIZE];
			hoard[this.connections.incrementAndGet() % SIZE] = 1;
			this.hoards.add(new WeakReference<>(hoard));
			return hoard;
		}

		@Override
		public Result<byte[]> handleData(ByteBuffer data, dev.thousandisland.Socket socket, byte[] hoard)
				throws Exception {
			socket.send(data);
			return Result.continueWith(hoard);
		}

	}

}
