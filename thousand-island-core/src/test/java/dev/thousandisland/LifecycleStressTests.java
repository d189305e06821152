package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.thousandisland.internal.connection.BufferPool;
import dev.thousandisland.transport.Transport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A seeded, randomized lifecycle test: round after round, a server (plain or TLS, hibernating or
 * not, one or two pollers) gets a few dozen clients, each playing a script chosen from the seed
 * (data, partial frames, {@code recv} inside callbacks, sends and {@code tell}s from other threads,
 * closes from outside, send and read timeouts, pauses long enough to hibernate, STARTTLS), while the
 * server is suspended and resumed, and is then stopped with or without a timeout in the middle of it
 * all. {@link LifecycleInvariants} checks the lifecycle as it happens; every frame carries its
 * client's tag, checked by the handler and by the client; descriptors, threads and pooled buffers
 * are checked at the end.
 *
 * <p>The seed decides every operation (timing still varies); it is printed at the start and in the
 * failure message. {@code -Dstress.seed=N} replays a seed, {@code -Dstress.duration=5m} runs longer
 * (the default, 25 s of rounds, keeps the test method near 30 s). See docs/stress-test.md.
 *
 * <p>Runs in every build; tagged {@code stress} so that it can also be selected on its own.
 */
@Tag("stress")
class LifecycleStressTests {

	private static final Duration DEFAULT_DURATION = Duration.ofSeconds(25);

	private static final Duration SEND_TIMEOUT = Duration.ofMillis(300);

	/** How much longer than its timeout {@code stop} may take before it counts as late. */
	private static final Duration STOP_GRACE = Duration.ofSeconds(5);

	/** Descriptors the JDK may open for itself meanwhile (lazily loaded classes, jars). */
	private static final long DESCRIPTOR_SLACK = 16;

	private final TestCertificates certificates = TestCertificates.get();

	private final StressViolations violations = new StressViolations();

	@Test
	void lifecycleInvariantsHoldUnderRandomInterleavings() {
		long seed = Long.getLong("stress.seed", ThreadLocalRandom.current().nextLong());
		Duration duration = duration(System.getProperty("stress.duration", DEFAULT_DURATION.toSeconds() + "s"));
		System.out.println("LifecycleStressTests: seed " + seed + ", " + duration.toSeconds() + " s of rounds");
		long started = System.nanoTime();
		int[] totals;
		FrameworkLog log = FrameworkLog.watch(this.violations);
		try {
			totals = assertTimeoutPreemptively(duration.plusMinutes(5), () -> run(seed, duration));
		}
		finally {
			log.close();
		}
		System.out.println("LifecycleStressTests: seed " + seed + ", " + totals[0] + " rounds, " + totals[1]
				+ " connections in " + (System.nanoTime() - started) / 1_000_000 + " ms, " + this.violations.total()
				+ " violation(s)");
		if (!this.violations.isEmpty()) {
			System.out.println("LifecycleStressTests: every violation of seed " + seed + ":\n" + this.violations.list());
		}
		assertThat(this.violations.isEmpty())
			.as(() -> "Lifecycle invariants broken with seed " + seed + " (replay with -Dstress.seed=" + seed + "):"
					+ this.violations.describe())
			.isTrue();
	}

	/** Runs rounds until the duration is spent; returns the number of rounds and of connections. */
	private int[] run(long seed, Duration duration) throws Exception {
		long end = System.nanoTime() + duration.toNanos();
		int rounds = 0;
		int connections = 0;
		long baseline = -1;
		do {
			connections += round(seed, rounds);
			rounds++;
			if (baseline < 0) {
				// After the first round, so that whatever the JDK opens once (its I/O pollers, jars)
				// is counted in.
				baseline = OpenFiles.count();
			}
		}
		while (System.nanoTime() - end < 0);
		checkDescriptors(baseline);
		checkPlatformThreads();
		return new int[] { rounds, connections };
	}

	/** One round: a server, its clients, suspensions, the stop, and the checks of a stopped server. */
	private int round(long seed, int round) throws Exception {
		StressRoundPlan plan = StressRoundPlan.choose(new Random(mix(seed, round, -1)));
		String name = "seed " + seed + " round " + round + " " + plan;
		LifecycleInvariants invariants = new LifecycleInvariants(this.violations, "round " + round);
		StressHelpers helpers = new StressHelpers("stress-helper-" + round);
		Server server = start(plan, round, invariants, helpers);
		try {
			return play(plan, name, server, invariants, helpers, seed, round);
		}
		finally {
			// Whatever went wrong, leave no server behind for the next round or test.
			server.stopAsync(Duration.ZERO);
		}
	}

	/** Plays a round on its started server: clients, suspensions, the stop, and the checks. */
	private int play(StressRoundPlan plan, String name, Server server, LifecycleInvariants invariants,
			StressHelpers helpers, long seed, int round) throws Exception {
		AtomicBoolean stopping = new AtomicBoolean();
		StressClient.Target target = new StressClient.Target(server.port(),
				plan.secure() ? this.certificates.clientContext() : null, this.certificates.clientContext(), SEND_TIMEOUT,
				stopping::get, invariants);
		List<Thread> clients = new ArrayList<>();
		for (int i = 0; i < plan.clients(); i++) {
			int tag = round * 1000 + i;
			StressScript script = StressScript.generate(new Random(mix(seed, round, i)), tag, plan.secure(),
					plan.roundMillis());
			invariants.client(script);
			clients.add(Thread.ofVirtual().name("stress-client-" + tag).start(new StressClient(script, target)));
		}
		long start = System.nanoTime();
		suspendAndResume(server, plan, invariants);
		stopping.set(true);
		long stopAt = System.nanoTime();
		stop(server, plan, invariants);
		long stoppedAt = System.nanoTime();
		awaitClients(clients, invariants);
		for (Thread helper : helpers.awaitAll(Duration.ofSeconds(10))) {
			invariants.fail("helper thread never ended", -1, helper + " " + List.of(helper.getStackTrace()));
		}
		long joinedAt = System.nanoTime();
		invariants.checkStopped(server, Duration.ofSeconds(5));
		invariants.checkThreadsEnded(Duration.ofSeconds(10));
		checkPool(server, invariants);
		System.out.println("LifecycleStressTests: " + name + ": " + invariants.connections() + " connections, "
				+ this.violations.total() + " violation(s) so far; ran " + millis(start, stopAt) + " ms, stop took "
				+ millis(stopAt, stoppedAt) + " ms, clients ended " + millis(stoppedAt, joinedAt) + " ms later, checks "
				+ millis(joinedAt, System.nanoTime()) + " ms");
		return invariants.connections();
	}

	private Server start(StressRoundPlan plan, int round, LifecycleInvariants invariants, StressHelpers helpers)
			throws IOException {
		StressHandler handler = new StressHandler(invariants, helpers,
				Transport.tls(this.certificates.serverContext()));
		ServerConfig.Builder builder = ServerConfig.builder(handler)
			.name("stress-" + round)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numPollers(plan.numPollers())
			.readTimeout(Duration.ofSeconds(10))
			.handshakeTimeout(Duration.ofSeconds(5))
			.sendTimeout(SEND_TIMEOUT)
			// A small send buffer keeps the flood that makes a send time out small.
			.socketOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024)
			.silentTerminateOnError(true)
			.telemetryListener(invariants);
		if (plan.secure()) {
			builder.transport(Transport.tls(this.certificates.serverContext()));
		}
		if (plan.hibernateAfter() != null) {
			builder.hibernateAfter(plan.hibernateAfter());
		}
		return builder.start();
	}

	/** Suspends and resumes the server as planned, then waits out the round. */
	private static void suspendAndResume(Server server, StressRoundPlan plan, LifecycleInvariants invariants)
			throws InterruptedException {
		long start = System.nanoTime();
		for (StressRoundPlan.Suspension suspension : plan.suspensions()) {
			sleepUntil(start, suspension.atMillis());
			server.suspend();
			sleepUntil(start, suspension.atMillis() + suspension.forMillis());
			try {
				server.resume();
			}
			catch (IOException ex) {
				invariants.fail("resume failed", -1, ex.toString());
			}
		}
		sleepUntil(start, plan.roundMillis());
	}

	/**
	 * Stops the server, maybe bringing the deadline forward with a second, immediate stop; a stop
	 * that overruns its timeout is a violation, one that hangs ends the run.
	 */
	private static void stop(Server server, StressRoundPlan plan, LifecycleInvariants invariants) throws Exception {
		Duration timeout = plan.stopTimeout();
		long start = System.nanoTime();
		CompletableFuture<Void> stopped = server.stopAsync(timeout);
		if (plan.hurryMillis() >= 0) {
			Thread.sleep(plan.hurryMillis());
			server.stopAsync(Duration.ZERO);
		}
		try {
			stopped.get(timeout.plus(STOP_GRACE).plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			invariants.fail("stop hung", -1, "stop(" + timeout.toMillis() + " ms) had not returned after "
					+ timeout.plus(STOP_GRACE).plusSeconds(10).toMillis() + " ms; "
					+ server.activeConnections() + " active connection(s)");
			try {
				server.stopAsync(Duration.ZERO).get(20, TimeUnit.SECONDS);
			}
			catch (TimeoutException again) {
				throw new IllegalStateException("stop(0) hung too; the run cannot go on", again);
			}
			return;
		}
		catch (ExecutionException ex) {
			invariants.fail("stop failed", -1, ex.getCause().toString());
		}
		long tookMillis = (System.nanoTime() - start) / 1_000_000;
		if (tookMillis > timeout.plus(STOP_GRACE).toMillis()) {
			invariants.fail("stop overran its timeout", -1, "stop(" + timeout.toMillis() + " ms) took " + tookMillis
					+ " ms");
		}
	}

	/**
	 * Waits for the clients. Once stop has returned every connection is closed, so a client still
	 * running 5 s later is one whose connection the server neither served nor closed; it is
	 * reported, then interrupted (which closes its socket) rather than left to its read timeout.
	 */
	private static void awaitClients(List<Thread> clients, LifecycleInvariants invariants) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		for (Thread client : clients) {
			client.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
		}
		for (Thread client : clients) {
			if (client.isAlive()) {
				int tag = Integer.parseInt(client.getName().substring("stress-client-".length()));
				invariants.clientFail("connection left open after stop", tag, "still connected 5 s after stop returned, in "
						+ List.of(client.getStackTrace()).stream().skip(8).limit(6).toList());
				client.interrupt();
			}
		}
		for (Thread client : clients) {
			client.join(Duration.ofSeconds(30));
			if (client.isAlive()) {
				invariants.fail("client never finished", -1, client.getName());
			}
		}
	}

	private static void checkPool(Server server, LifecycleInvariants invariants) throws InterruptedException {
		BufferPool pool = server.tree().connections().buffers();
		int outstanding = pool.outstanding();
		// A thread that took a buffer but never ran a callback is not among those awaited: give it
		// a moment to hand the buffer back.
		for (int i = 0; i < 30 && outstanding != 0; i++) {
			Thread.sleep(100);
			outstanding = pool.outstanding();
		}
		if (outstanding != 0) {
			invariants.fail("pooled buffers not given back", -1, outstanding
					+ " pooled buffer(s) out after the server stopped and its connection threads ended");
		}
	}

	private void checkDescriptors(long baseline) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
		long open = OpenFiles.count();
		while (open > baseline + DESCRIPTOR_SLACK && System.nanoTime() - deadline < 0) {
			Thread.sleep(100);
			open = OpenFiles.count();
		}
		if (open > baseline + DESCRIPTOR_SLACK) {
			this.violations.add("descriptor leak", open + " descriptors open after the last round, " + baseline
					+ " after the first");
		}
	}

	/** Platform threads (acceptors and pollers before JDK 25) are listed by the JVM: none may remain. */
	private void checkPlatformThreads() throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		List<Thread> left;
		do {
			left = Thread.getAllStackTraces().keySet().stream().filter((t) -> t.getName().startsWith("stress-")).toList();
			if (!left.isEmpty()) {
				Thread.sleep(100);
			}
		}
		while (!left.isEmpty() && System.nanoTime() - deadline < 0);
		for (Thread thread : left) {
			this.violations.add("thread leak", thread.getName() + " still alive after its server stopped");
		}
	}

	/** Reads {@code 90s}, {@code 5m}, {@code 1h} or an ISO-8601 duration such as {@code PT5M}. */
	private static Duration duration(String text) {
		String trimmed = text.trim().toUpperCase(java.util.Locale.ROOT);
		return Duration.parse(trimmed.startsWith("P") ? trimmed : "PT" + trimmed);
	}

	private static long millis(long from, long to) {
		return (to - from) / 1_000_000;
	}

	private static void sleepUntil(long start, int millis) throws InterruptedException {
		long remaining = start + TimeUnit.MILLISECONDS.toNanos(millis) - System.nanoTime();
		if (remaining > 0) {
			TimeUnit.NANOSECONDS.sleep(remaining);
		}
	}

	/** A seed for one part of one round, independent of every other part's. */
	private static long mix(long seed, int round, int part) {
		long h = seed;
		for (long value : new long[] { round, part }) {
			h = (h ^ value) * 0x9E3779B97F4A7C15L;
			h ^= h >>> 29;
		}
		return h;
	}

}
