package dev.thousandisland.reliability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.transport.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The soak: minutes of mixed traffic against a plain and a TLS server, with every kind of
 * misbehaviour the other tests try one at a time going on at once: long-lived chatty clients,
 * connection churn (plain and TLS), slowloris waves, handlers that throw, resets in the middle of
 * a large reply and clients that stop reading. Every interval it samples heap after GC, open
 * descriptors and threads, and at the end it fits a least-squares line through each series: a
 * leak shows as a slope. Descriptors and connection threads are sampled net of the connections
 * open at that instant (clients' and server's), so that churn does not read as growth.
 *
 * <p>Not part of {@code verify}: run it with
 * {@code ./mvnw -pl thousand-island-reliability-tests -Psoak test} (after installing the core and
 * the auto-configuration), {@code -Dsoak.minutes=1} for a short run; 10 minutes by default.
 */
class ReliabilitySoakTest {

	private static final double MIB = 1024 * 1024;

	/** Fitted growth over the whole run above which a series counts as growing. */
	private static final double MAX_HEAP_GROWTH_MIB = 16;

	private static final double MAX_FD_GROWTH = 10;

	private static final double MAX_PLATFORM_THREAD_GROWTH = 4;

	private static final double MAX_CONNECTION_THREAD_GROWTH = 10;

	private static final String PROVOKED = "PROVOKED";

	private static final int SESSION_CACHE_SIZE = 64;

	/** Readings of descriptors and threads per sample. */
	private static final int READINGS = 5;

	private final AtomicBoolean stop = new AtomicBoolean();

	private final AtomicInteger clientSockets = new AtomicInteger();

	private final LongAdder roundTrips = new LongAdder();

	private final LongAdder wellBehavedFailures = new LongAdder();

	private final List<String> failures = new CopyOnWriteArrayList<>();

	@Test
	@SuppressWarnings("try") // the resource only scopes the quieter logging
	void mixedChurnAndTrafficForMinutesLeavesHeapDescriptorsAndThreadsFlat() throws Exception {
		double minutes = Double.parseDouble(System.getProperty("soak.minutes", "10"));
		Duration duration = Duration.ofMillis((long) (minutes * 60_000));
		Duration interval = Duration.ofMillis(Math.min(30_000, duration.toMillis() / 10));
		SoakHandler handler = new SoakHandler();
		SpanAudit plainAudit = SpanAudit.counting();
		SpanAudit tlsAudit = SpanAudit.counting();
		TestTls tls = TestTls.get();
		// The JDK caches TLS sessions per SSLContext (20,480 for 24 h by default): bound the server's
		// cache, so that what the samples measure is the server, not the JDK filling its cache. On
		// the client side, a TLS 1.3 client context reused for thousands of connections to one
		// server keeps every session it resumed (each holds the next as a child), whatever its
		// cache size: the clients take a fresh context per connection, as separate clients would.
		SSLContext serverContext = tls.serverContext();
		serverContext.getServerSessionContext().setSessionCacheSize(SESSION_CACHE_SIZE);
		try (ErrorLogCapture errors = ErrorLogCapture.install(); QuietLogs quiet = QuietLogs.connections()) {
			System.getLogger("dev.thousandisland.reliability.soak")
				.log(System.Logger.Level.ERROR, PROVOKED + ": checks that ERROR lines are captured");
			assertThat(errors.all()).as("the capture sees ERROR lines").anyMatch((line) -> line.contains(PROVOKED));

			Server plain = ServerConfig.builder(handler)
				.name("soak")
				.port(0)
				.bindAddress(Clients.LOOPBACK)
				.numAcceptors(4)
				.readTimeout(Duration.ofSeconds(2))
				.sendTimeout(Duration.ofSeconds(1))
				.telemetryListener(plainAudit)
				.start();
			Server secure = ServerConfig.builder(handler)
				.name("soak-tls")
				.port(0)
				.bindAddress(Clients.LOOPBACK)
				.transport(Transport.tls(serverContext))
				.readTimeout(Duration.ofSeconds(2))
				// Generous: client and server share two saturated cores, and a cold JIT makes the
				// first full handshakes slow; handshake timeouts are the slowloris tests' business.
				.handshakeTimeout(Duration.ofSeconds(5))
				.telemetryListener(tlsAudit)
				.start();
			List<Sample> samples = new CopyOnWriteArrayList<>();
			long start = System.nanoTime();
			long deadline = start + duration.toNanos();
			ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
			try (ExecutorService load = Executors.newVirtualThreadPerTaskExecutor()) {
				List<Future<?>> workers = new ArrayList<>();
				for (int i = 0; i < 25; i++) {
					workers.add(load.submit(() -> loop(deadline, true, () -> chat(plainClient(plain)))));
				}
				for (int i = 0; i < 5; i++) {
					workers.add(load.submit(() -> loop(deadline, true, () -> chat(tlsClient(tls, secure)))));
				}
				for (int i = 0; i < 6; i++) {
					workers.add(load.submit(() -> loop(deadline, true, () -> churn(plainClient(plain)))));
				}
				for (int i = 0; i < 2; i++) {
					workers.add(load.submit(() -> loop(deadline, true, () -> churn(tlsClient(tls, secure)))));
				}
				for (int i = 0; i < 2; i++) {
					workers.add(load.submit(() -> loop(deadline, false, () -> slowloris(plain))));
				}
				workers.add(load.submit(() -> loop(deadline, false, () -> provokeException(plain))));
				workers.add(load.submit(() -> loop(deadline, false, () -> resetMidReply(plain))));
				workers.add(load.submit(() -> loop(deadline, false, () -> stopReading(plain))));

				ScheduledFuture<?> sampling = sampler.scheduleAtFixedRate(
						() -> samples.add(sample(start, handler, plain, secure)), interval.toMillis(),
						interval.toMillis(), TimeUnit.MILLISECONDS);
				for (Future<?> worker : workers) {
					worker.get(duration.toSeconds() + 120, TimeUnit.SECONDS);
				}
				sampling.cancel(false);
			}
			finally {
				this.stop.set(true);
				sampler.shutdownNow();
				sampler.awaitTermination(30, TimeUnit.SECONDS);
			}
			await().atMost(Duration.ofSeconds(30))
				.until(() -> plain.activeConnections() == 0 && secure.activeConnections() == 0);
			plain.stop(Duration.ZERO);
			secure.stop(Duration.ZERO);

			Figures.record("soak (" + minutes + " min)", "plain server events", plainAudit);
			Figures.record("soak (" + minutes + " min)", "TLS server events", tlsAudit);
			Figures.record("soak (" + minutes + " min)", "read timeouts of connections that had sent data",
					handler.timeoutsAfterData);
			assertThat(this.failures).as("failures of well-behaved clients").isEmpty();
			assertThat(this.wellBehavedFailures.sum()).isZero();
			assertThat(errors.unexpected((line) -> line.contains(PROVOKED))).as("ERROR log lines").isEmpty();
			plainAudit.assertBalanced();
			tlsAudit.assertBalanced();
			assertThat(samples).as("samples").hasSizeGreaterThanOrEqualTo(5);

			double span = samples.get(samples.size() - 1).minutes() - samples.get(0).minutes();
			double heapSlope = slope(samples, Sample::heapMib);
			double fdSlope = slope(samples, Sample::residualFds);
			double platformSlope = slope(samples, Sample::platformThreads);
			double connectionThreadSlope = slope(samples, Sample::residualConnectionThreads);

			String test = "soak (" + minutes + " min)";
			Figures.record(test, "connections (plain + TLS)", plainAudit.started() + " + " + tlsAudit.started());
			Figures.record(test, "well-behaved round trips", this.roundTrips.sum());
			Figures.record(test, "provoked: exceptions / send timeouts and resets (connection.exception)",
					plainAudit.count("connection.exception"));
			Figures.record(test, "samples (every " + interval.toSeconds() + " s)", samples.size());
			Figures.record(test, "heap after GC first / last (MiB)",
					format(samples.get(0).heapMib()) + " / " + format(samples.get(samples.size() - 1).heapMib()));
			Figures.record(test, "heap slope (MiB/min)", heapSlope);
			Figures.record(test, "residual fds slope (/min)", fdSlope);
			Figures.record(test, "platform threads slope (/min)", platformSlope);
			Figures.record(test, "residual connection threads slope (/min)", connectionThreadSlope);
			samples.forEach((sample) -> Figures.record(test, "sample", sample));

			assertThat(heapSlope * span).as("fitted heap growth over the run (MiB)").isLessThan(MAX_HEAP_GROWTH_MIB);
			assertThat(fdSlope * span).as("fitted descriptor growth over the run").isLessThan(MAX_FD_GROWTH);
			assertThat(platformSlope * span).as("fitted platform thread growth over the run")
				.isLessThan(MAX_PLATFORM_THREAD_GROWTH);
			assertThat(connectionThreadSlope * span).as("fitted connection thread growth over the run")
				.isLessThan(MAX_CONNECTION_THREAD_GROWTH);
		}
	}

	/** Runs one kind of client over and over until the deadline (or a bounded number of times). */
	private Void loop(long deadline, boolean wellBehaved, Step step) {
		for (int i = 0; i < 10_000_000 && !this.stop.get() && System.nanoTime() - deadline < 0; i++) {
			try {
				step.run();
			}
			catch (Exception | AssertionError ex) {
				if (wellBehaved) {
					this.wellBehavedFailures.increment();
					if (this.failures.size() < 20) {
						this.failures.add(ex.toString());
					}
				}
			}
		}
		return null;
	}

	private Socket plainClient(Server server) throws IOException {
		Socket socket = Clients.connect(server.port());
		this.clientSockets.incrementAndGet();
		return socket;
	}

	private Socket tlsClient(TestTls tls, Server server) throws IOException {
		Socket socket = Clients.connectTls(tls.clientContext(), server.port());
		this.clientSockets.incrementAndGet();
		return socket;
	}

	private void close(Socket socket) {
		Clients.closeQuietly(socket);
		this.clientSockets.decrementAndGet();
	}

	/** Up to 200 echoes of 16 B to 4 KiB on one connection. */
	private void chat(Socket socket) throws IOException {
		long last = System.nanoTime();
		int i = 0;
		try {
			int rounds = 1 + ThreadLocalRandom.current().nextInt(200);
			for (; i < rounds && !this.stop.get(); i++) {
				byte[] payload = new byte[16 + ThreadLocalRandom.current().nextInt(4080)];
				ThreadLocalRandom.current().nextBytes(payload);
				if (!Arrays.equals(Clients.roundTrip(socket, payload), payload)) {
					throw new IOException("Echo differs from what was sent");
				}
				this.roundTrips.increment();
				last = System.nanoTime();
			}
		}
		catch (IOException ex) {
			throw new IOException(ex.getMessage() + " (" + socket.getClass().getSimpleName() + " from port "
					+ socket.getLocalPort() + ", round " + i + ", " + (System.nanoTime() - last) / 1_000_000
					+ " ms after the last echo)", ex);
		}
		finally {
			close(socket);
		}
	}

	/** One echo, then close. */
	private void churn(Socket socket) throws IOException {
		try {
			byte[] payload = "churn".getBytes(StandardCharsets.US_ASCII);
			if (!Arrays.equals(Clients.roundTrip(socket, payload), payload)) {
				throw new IOException("Echo differs from what was sent");
			}
			this.roundTrips.increment();
		}
		finally {
			close(socket);
		}
	}

	/** Ten connections that say nothing, until the read timeout (2 s) closes them. */
	private void slowloris(Server server) throws IOException {
		List<Socket> idle = new ArrayList<>();
		try {
			for (int i = 0; i < 10; i++) {
				idle.add(plainClient(server));
			}
			for (Socket socket : idle) {
				Clients.awaitClosed(socket, Duration.ofSeconds(10));
			}
		}
		finally {
			idle.forEach(this::close);
		}
	}

	private void provokeException(Server server) throws IOException {
		Socket socket = plainClient(server);
		try {
			socket.getOutputStream().write(SoakHandler.THROW);
			Clients.awaitClosed(socket, Duration.ofSeconds(10));
		}
		finally {
			close(socket);
		}
	}

	private void resetMidReply(Server server) throws IOException {
		Socket socket = plainClient(server);
		try {
			socket.setSoLinger(true, 0);
			socket.getOutputStream().write(SoakHandler.BULK);
			socket.getInputStream().readNBytes(64 * 1024);
		}
		finally {
			close(socket);
		}
	}

	/** Asks for a large reply and reads none of it for longer than the send timeout. */
	private void stopReading(Server server) throws IOException {
		Socket socket = plainClient(server);
		try {
			socket.getOutputStream().write(SoakHandler.BULK);
			// A client thread, not the test's: this is the misbehaviour itself.
			LockSupport.parkNanos(Duration.ofMillis(1500).toNanos());
		}
		finally {
			close(socket);
		}
	}

	private Sample sample(long start, SoakHandler handler, Server plain, Server secure) {
		double minutes = (System.nanoTime() - start) / 60e9;
		// Forget the threads of ended connections first: a dead thread still holds its connection.
		handler.threads.removeIf((thread) -> !thread.isAlive());
		double heap = JvmStats.heapAfterGc() / MIB;
		// Descriptors and threads of connections that are opening or closing at the instant of a
		// reading are noise either way (a closed socket's descriptor is released only when the
		// poller next selects; counters move just before or after the descriptors): take a few
		// readings and keep the median.
		long[] residualFds = new long[READINGS];
		int[] residualThreads = new int[READINGS];
		long fds = 0;
		int active = 0;
		for (int i = 0; i < READINGS; i++) {
			if (i > 0) {
				LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
			}
			handler.threads.removeIf((thread) -> !thread.isAlive());
			int threads = handler.threads.size();
			active = plain.activeConnections() + secure.activeConnections();
			int clients = this.clientSockets.get();
			fds = JvmStats.openFds();
			residualFds[i] = fds - clients - active;
			residualThreads[i] = threads - active;
		}
		Arrays.sort(residualFds);
		Arrays.sort(residualThreads);
		return new Sample(minutes, heap, residualFds[READINGS / 2], JvmStats.platformThreads(),
				residualThreads[READINGS / 2], fds, active);
	}

	/** The least-squares slope of a series against time, per minute. */
	static double slope(List<Sample> samples, ToDoubleFunction<Sample> value) {
		double meanX = samples.stream().mapToDouble(Sample::minutes).average().orElse(0);
		double meanY = samples.stream().mapToDouble(value).average().orElse(0);
		double numerator = 0;
		double denominator = 0;
		for (Sample sample : samples) {
			double dx = sample.minutes() - meanX;
			numerator += dx * (value.applyAsDouble(sample) - meanY);
			denominator += dx * dx;
		}
		return (denominator == 0) ? 0 : numerator / denominator;
	}

	private static String format(double value) {
		return String.format(Locale.ROOT, "%.1f", value);
	}

	@FunctionalInterface
	private interface Step {

		void run() throws Exception;

	}

	/**
	 * One sample.
	 * @param minutes since the load started
	 * @param heapMib heap in use after GC
	 * @param residualFds open descriptors minus the connections open at that moment (both ends), the
	 * median of a few readings
	 * @param platformThreads live platform threads
	 * @param residualConnectionThreads live connection threads minus live connections, the median of a
	 * few readings
	 * @param fds open descriptors
	 * @param connections live connections on both servers
	 */
	record Sample(double minutes, double heapMib, long residualFds, int platformThreads,
			int residualConnectionThreads, long fds, int connections) {

		@Override
		public String toString() {
			return String.format(Locale.ROOT,
					"t=%.2fmin heap=%.1fMiB fds=%d (residual %d) platformThreads=%d connections=%d"
							+ " (residual threads %d)",
					this.minutes, this.heapMib, this.fds, this.residualFds, this.platformThreads, this.connections,
					this.residualConnectionThreads);
		}

	}

	/** Echoes; throws on {@code THROW}; answers {@code BULK} with 4 MiB. */
	static final class SoakHandler implements Handler<long[]> {

		static final byte[] THROW = "THROW".getBytes(StandardCharsets.US_ASCII);

		static final byte[] BULK = "BULK".getBytes(StandardCharsets.US_ASCII);

		private static final ByteBuffer MEBIBYTE = ByteBuffer.allocateDirect(1024 * 1024).asReadOnlyBuffer();

		final Set<Thread> threads = ConcurrentHashMap.newKeySet();

		/** Read timeouts of connections that had sent data, by client port: what the server saw. */
		final Map<Integer, String> timeoutsAfterData = new ConcurrentHashMap<>();

		@Override
		public long[] initialState() {
			this.threads.add(Thread.currentThread());
			return new long[1];
		}

		@Override
		public void handleTimeout(dev.thousandisland.Socket socket, long[] lastData) {
			if (lastData[0] != 0 && socket.remoteAddress() instanceof InetSocketAddress remote
					&& this.timeoutsAfterData.size() < 100) {
				this.timeoutsAfterData.put(remote.getPort(),
						"read timeout " + (System.nanoTime() - lastData[0]) / 1_000_000 + " ms after its last data");
			}
		}

		@Override
		public Result<long[]> handleData(ByteBuffer data, dev.thousandisland.Socket socket, long[] state)
				throws Exception {
			state[0] = System.nanoTime();
			if (data.equals(ByteBuffer.wrap(THROW))) {
				throw new IllegalStateException(PROVOKED + " failure");
			}
			if (data.equals(ByteBuffer.wrap(BULK))) {
				for (int i = 0; i < 4; i++) {
					socket.send(MEBIBYTE.duplicate());
				}
				return Result.continueWith(state);
			}
			socket.send(data);
			return Result.continueWith(state);
		}

	}

}
