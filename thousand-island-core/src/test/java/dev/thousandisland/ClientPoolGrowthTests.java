package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientPool;
import dev.thousandisland.client.PoolSize;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.telemetry.TelemetryListener;

import static dev.thousandisland.ScriptedLineServer.line;
import static dev.thousandisland.ScriptedLineServer.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A pool that grows from a minimum to a maximum when every member is busy and stops members that
 * stayed idle, against this project's scripted line server: never more members than the maximum,
 * however many callers race, none opened against a peer that is down, never a borrowed member or
 * one with requests in flight stopped.
 */
class ClientPoolGrowthTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final OpenMembers open = new OpenMembers();

	private Server server;

	private ClientPool pool;

	@AfterEach
	void stopEverything() throws InterruptedException {
		if (this.pool != null) {
			this.pool.stop(Duration.ofSeconds(1));
		}
		if (this.server != null) {
			this.server.stop(Duration.ofSeconds(2));
		}
	}

	@Test
	void eachRequestGetsAMemberOfItsOwnUpToTheMaximumThenTheyShare() throws Exception {
		start(PoolSize.growing(1, 4, Duration.ofMinutes(1)));
		// Grown by borrowers first, each of whom waits for its member to connect: requests that
		// grow the pool themselves pipeline onto a busy member when a connect takes longer than
		// the join wait, which a loaded machine can make it (growth by requests has a test below).
		List<ClientPool.Lease> leases = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			leases.add(this.pool.borrow(WAIT));
		}
		for (ClientPool.Lease lease : leases) {
			lease.close();
		}
		List<CompletableFuture<ByteBuffer>> unanswered = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			unanswered.add(this.pool.requestAsync(line("ignore"), WAIT));
		}
		await().atMost(WAIT).until(() -> outstanding() == 4);
		assertThat(this.pool.members()).allSatisfy((member) -> assertThat(member.outstanding()).isEqualTo(1));
		for (int i = 0; i < 2; i++) {
			unanswered.add(this.pool.requestAsync(line("ignore"), WAIT));
		}
		await().atMost(WAIT).until(() -> outstanding() == 6);
		assertThat(names()).containsExactly("grow-0", "grow-1", "grow-2", "grow-3");
		assertThat(this.pool.members())
			.allSatisfy((member) -> assertThat(member.outstanding()).isBetween(1, 2));
		assertThat(this.open.started).hasValue(4);
		assertThat(unanswered).noneMatch(CompletableFuture::isDone);
	}

	@Test
	void growsUnderConcurrentLoadAgainstASlowPeerToTheMaximumAndNeverAbove() throws Exception {
		start(PoolSize.growing(1, 4, Duration.ofMinutes(1)));
		List<String> replies = callConcurrently(8, 2, (caller, round) -> "slow " + caller + "." + round);
		assertThat(replies).hasSize(16).allSatisfy((reply) -> assertThat(reply).matches("\\d\\.\\d"));
		assertThat(names()).containsExactly("grow-0", "grow-1", "grow-2", "grow-3");
		assertThat(this.open.started).hasValue(4);
		assertThat(this.open.peak).hasValue(4);
	}

	@Test
	void membersComingAndGoingUnderManyThreadsNeverExceedTheMaximumNorShareAName() throws Exception {
		start(PoolSize.growing(0, 3, Duration.ofMillis(20)));
		List<String> replies = callConcurrently(16, 25, (caller, round) -> "echo " + caller + "." + round);
		assertThat(replies).hasSize(400).doesNotHaveDuplicates();
		assertThat(this.open.peak.get()).isBetween(1, 3);
		assertThat(this.open.names).isSubsetOf("grow-0", "grow-1", "grow-2");
		assertThat(this.open.clashes).hasValue(0);
	}

	@Test
	void shrinksBackToTheMinimumAfterTheIdleTimeoutAndGrowsAgainUnderTheLowestFreeName() throws Exception {
		start(PoolSize.growing(1, 3, Duration.ofMillis(200)));
		List<ClientPool.Lease> leases = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			leases.add(this.pool.borrow(WAIT));
		}
		assertThat(names()).containsExactly("grow-0", "grow-1", "grow-2");
		assertThat(leases).allSatisfy((lease) -> assertThat(lease.client().isConnected()).isTrue());
		// Given back newest first: the first member is idle for the shortest time, so it stays.
		for (int i = leases.size() - 1; i >= 0; i--) {
			leases.get(i).close();
		}
		await().atMost(WAIT).until(() -> this.pool.members().size() == 1);
		assertThat(names()).containsExactly("grow-0");
		await().atMost(WAIT).until(() -> this.open.stopped.get() == 2);
		assertThat(this.open.peak).hasValue(3);
		assertThat(text(this.pool.request(line("echo still"), WAIT))).isEqualTo("still");
		try (ClientPool.Lease first = this.pool.borrow(WAIT); ClientPool.Lease second = this.pool.borrow(WAIT)) {
			assertThat(names()).containsExactly("grow-0", "grow-1");
			assertThat(text(second.client().request(line("echo again"), WAIT))).isEqualTo("again");
		}
	}

	@Test
	void aBorrowedMemberIsNeverStoppedForIdleness() throws Exception {
		start(PoolSize.growing(0, 2, Duration.ofMillis(100)));
		ClientPool.Lease held = this.pool.borrow(WAIT);
		ClientPool.Lease witness = this.pool.borrow(WAIT);
		assertThat(names()).containsExactly("grow-0", "grow-1");
		// Given back later than the held one was borrowed: idle for less time, stopped all the same.
		witness.close();
		await().atMost(WAIT).until(() -> this.open.stopped.get() == 1);
		assertThat(this.pool.members()).containsExactly(held.client());
		assertThat(text(held.client().request(line("echo mine"), WAIT))).isEqualTo("mine");
		held.close();
		await().atMost(WAIT).until(() -> this.pool.members().isEmpty());
	}

	@Test
	void aMemberWithARequestInFlightIsNeverStoppedForIdleness() throws Exception {
		start(PoolSize.growing(0, 2, Duration.ofMillis(100)));
		ClientPool.Lease first = this.pool.borrow(WAIT);
		ClientPool.Lease second = this.pool.borrow(WAIT);
		ClientConnection busy = first.client();
		first.close();
		second.close();
		// The least busy connected member, the first, takes the request; the peer never answers it.
		CompletableFuture<ByteBuffer> inFlight = this.pool.requestAsync(line("ignore"), WAIT);
		await().atMost(WAIT).until(() -> this.open.stopped.get() == 1);
		assertThat(this.pool.members()).containsExactly(busy);
		assertThat(busy.outstanding()).isEqualTo(1);
		assertThat(busy.isConnected()).isTrue();
		assertThat(inFlight).isNotDone();
	}

	@Test
	void aPoolWhosePeerIsDownDoesNotOpenMoreMembersAgainstIt() throws Exception {
		int port;
		try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = probe.getLocalPort();
		}
		ClientConfig config = ClientConfig.builder(Framing.line())
			.name("grow")
			.tcp(InetAddress.getLoopbackAddress().getHostAddress(), port)
			.backoff(ClientTestPeers.FAST)
			.telemetryListeners(List.of(this.open))
			.build();
		this.pool = ClientPool.start(config, PoolSize.growing(1, 4, Duration.ofMinutes(1)));
		List<CompletableFuture<ByteBuffer>> waiting = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			waiting.add(this.pool.requestAsync(line("echo " + i), Duration.ofMillis(300)));
		}
		for (CompletableFuture<ByteBuffer> request : waiting) {
			assertThatExceptionOfType(ExecutionException.class)
				.isThrownBy(() -> request.get(WAIT.toSeconds(), TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(RequestTimeoutException.class);
		}
		assertThat(names()).containsExactly("grow-0");
		assertThat(this.open.started).hasValue(1);
	}

	@Test
	void aFixedPoolNeitherGrowsNorShrinks() throws Exception {
		start(PoolSize.fixed(2));
		for (int i = 0; i < 6; i++) {
			this.pool.requestAsync(line("ignore"), WAIT);
		}
		await().atMost(WAIT).until(() -> outstanding() == 6);
		assertThat(names()).containsExactly("grow-0", "grow-1");
		assertThat(this.pool.members()).allSatisfy((member) -> assertThat(member.outstanding()).isEqualTo(3));
	}

	@Test
	void invalidSizesAreRefusedNamingTheOption() {
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> PoolSize.growing(-1, 2, Duration.ofSeconds(1)))
			.satisfies((ex) -> assertThat(ex.option()).isEqualTo("minSize"));
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> PoolSize.growing(0, 0, Duration.ofSeconds(1)))
			.satisfies((ex) -> assertThat(ex.option()).isEqualTo("maxSize"));
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> PoolSize.growing(3, 2, Duration.ofSeconds(1)))
			.satisfies((ex) -> assertThat(ex.option()).isEqualTo("maxSize"))
			.withMessageContaining("at least minSize (3)");
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> PoolSize.growing(1, 2, Duration.ZERO))
			.satisfies((ex) -> assertThat(ex.option()).isEqualTo("idleTimeout"));
		assertThatExceptionOfType(InvalidOptionException.class).isThrownBy(() -> PoolSize.fixed(0))
			.satisfies((ex) -> assertThat(ex.option()).isEqualTo("poolSize"));
	}

	/** Callers that start together, each making {@code rounds} requests in turn; returns every reply. */
	private List<String> callConcurrently(int callers, int rounds, RequestText request) throws Exception {
		CountDownLatch go = new CountDownLatch(1);
		List<CompletableFuture<List<String>>> results = new ArrayList<>();
		for (int caller = 0; caller < callers; caller++) {
			int id = caller;
			CompletableFuture<List<String>> result = new CompletableFuture<>();
			results.add(result);
			Thread.ofVirtual().start(() -> {
				try {
					go.await();
					List<String> replies = new ArrayList<>();
					for (int round = 0; round < rounds; round++) {
						replies.add(text(this.pool.request(line(request.text(id, round)), WAIT)));
					}
					result.complete(replies);
				}
				catch (Exception ex) {
					result.completeExceptionally(ex);
				}
			});
		}
		go.countDown();
		List<String> all = new ArrayList<>();
		for (CompletableFuture<List<String>> result : results) {
			all.addAll(result.get(WAIT.toSeconds() * 3, TimeUnit.SECONDS));
		}
		return all;
	}

	private List<String> names() {
		return this.pool.members().stream().map((member) -> member.config().name()).toList();
	}

	private int outstanding() {
		return this.pool.members().stream().mapToInt(ClientConnection::outstanding).sum();
	}

	private void start(PoolSize size) throws IOException {
		this.server = ScriptedLineServer.start(0);
		ClientConfig config = ClientConfig.builder(Framing.line())
			.name("grow")
			.tcp(InetAddress.getLoopbackAddress().getHostAddress(), this.server.port())
			.requestFraming(Framing.line())
			.requestTimeout(WAIT)
			.backoff(ClientTestPeers.FAST)
			.telemetryListeners(List.of(this.open))
			.build();
		this.pool = ClientPool.start(config, size);
		await().atMost(WAIT).until(() -> this.pool.connected() == size.minSize());
	}

	@FunctionalInterface
	private interface RequestText {

		String text(int caller, int round);

	}

	/**
	 * Counts the members open at any moment from their telemetry: a member is open from its
	 * {@code client.start} to its {@code client.stop} (its thread ended). Two open at once under
	 * one name is a clash.
	 */
	private static final class OpenMembers implements TelemetryListener {

		final AtomicInteger started = new AtomicInteger();

		final AtomicInteger stopped = new AtomicInteger();

		final AtomicInteger peak = new AtomicInteger();

		final AtomicInteger clashes = new AtomicInteger();

		final Set<String> names = ConcurrentHashMap.newKeySet();

		private final AtomicInteger open = new AtomicInteger();

		private final Map<String, Boolean> openNames = new ConcurrentHashMap<>();

		@Override
		public void onEvent(TelemetryEvent event) {
			String name = String.valueOf(event.span().metadata().get("name"));
			if (event.name().equals(TelemetryEvent.CLIENT_START)) {
				this.started.incrementAndGet();
				this.names.add(name);
				if (this.openNames.putIfAbsent(name, true) != null) {
					this.clashes.incrementAndGet();
				}
				this.peak.accumulateAndGet(this.open.incrementAndGet(), Math::max);
			}
			else if (event.name().equals(TelemetryEvent.CLIENT_STOP)) {
				// Before the count drops, so that a clash is never missed.
				this.openNames.remove(name);
				this.open.decrementAndGet();
				this.stopped.incrementAndGet();
			}
		}

	}

}
