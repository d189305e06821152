package dev.thousandisland;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The whole server over real loopback sockets: Thousand Island's server_test (concurrency,
 * connection limits, suspend and resume, status and info, shutdown and draining), plus the drain
 * ordering and stop timeout that its own suite leaves out.
 */
class ServerTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private final List<Server> servers = new CopyOnWriteArrayList<>();

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	@AfterEach
	void stopServers() throws Exception {
		for (Server server : this.servers) {
			server.stopAsync(Duration.ZERO).get(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void servesManyConcurrentConnections() throws Exception {
		Server server = start(config(new Echo()));
		int clients = 50;
		CountDownLatch connected = new CountDownLatch(clients);
		CountDownLatch go = new CountDownLatch(1);
		List<Future<List<String>>> replies = new ArrayList<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < clients; i++) {
				int client = i;
				replies.add(executor.submit(() -> {
					try (TestClient connection = TestClient.connect(server)) {
						connected.countDown();
						awaitLatch(go);
						List<String> received = new ArrayList<>();
						for (int message = 0; message < 10; message++) {
							String text = String.format("%03d-%02d;", client, message);
							received.add(connection.send(text).read(text.length()));
						}
						return received;
					}
				}));
			}
			awaitLatch(connected);
			await().atMost(WAIT).until(() -> server.activeConnections() == clients);
			go.countDown();
			for (int i = 0; i < clients; i++) {
				List<String> expected = new ArrayList<>();
				for (int message = 0; message < 10; message++) {
					expected.add(String.format("%03d-%02d;", i, message));
				}
				assertThat(replies.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(expected);
			}
		}
		await().atMost(WAIT).until(() -> server.activeConnections() == 0);
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_START)).isEqualTo(clients);
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_STOP)).isEqualTo(clients);
	}

	@Test
	void aClientBeyondNumConnectionsIsQueuedUntilAConnectionCloses() throws Exception {
		Server server = start(config(new Echo()).numAcceptors(1)
			.numConnections(1)
			.maxConnectionsRetryCount(100)
			.maxConnectionsRetryWait(Duration.ofMillis(100)));
		TestClient first = TestClient.connect(server);
		try (TestClient second = TestClient.connect(server)) {
			assertThat(first.send("first").read(5)).isEqualTo("first");
			second.send("second");
			second.socket().setSoTimeout(300);
			assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> second.read(6));
			assertThat(server.activeConnections()).isEqualTo(1);
			assertThat(server.connections()).hasSize(1);
			first.close();
			second.socket().setSoTimeout((int) WAIT.toMillis());
			assertThat(second.read(6)).isEqualTo("second");
			assertThat(second.send("again").read(5)).isEqualTo("again");
			assertThat(server.connections()).hasSize(1);
		}
		finally {
			first.close();
		}
		assertThat(this.telemetry.count(TelemetryEvent.ACCEPTOR_SPAWN_ERROR)).isZero();
	}

	@Test
	void aQueuedClientIsClosedWhenNoRoomFreesUpWithinTheRetryWindow() throws Exception {
		Server server = start(config(new Echo()).numAcceptors(1)
			.numConnections(1)
			.maxConnectionsRetryCount(2)
			.maxConnectionsRetryWait(Duration.ofMillis(100)));
		try (TestClient first = TestClient.connect(server)) {
			assertThat(first.send("first").read(5)).isEqualTo("first");
			try (TestClient second = TestClient.connect(server)) {
				assertThat(second.isClosedByServer(Duration.ofSeconds(5))).isTrue();
			}
			await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.ACCEPTOR_SPAWN_ERROR) == 1);
			TelemetryEvent spawnError = this.telemetry.named(TelemetryEvent.ACCEPTOR_SPAWN_ERROR).get(0);
			assertThat(spawnError.metadata()).containsEntry("error", "too_many_connections");
			assertThat(spawnError.span().kind()).isEqualTo("acceptor");
			assertThat(first.send("still here").read(10)).isEqualTo("still here");
			assertThat(server.activeConnections()).isEqualTo(1);
		}
		await().atMost(WAIT).until(() -> server.activeConnections() == 0);
		try (TestClient third = TestClient.connect(server)) {
			assertThat(third.send("third").read(5)).isEqualTo("third");
		}
		assertThat(this.telemetry.count(TelemetryEvent.ACCEPTOR_SPAWN_ERROR)).isEqualTo(1);
		assertThat(this.telemetry.count(TelemetryEvent.ACCEPTOR_STOP)).isZero();
	}

	@Test
	void withARetryCountOfZeroAClientBeyondTheLimitIsClosedWithoutWaiting() throws Exception {
		Server server = start(config(new Echo()).numAcceptors(1)
			.numConnections(1)
			.maxConnectionsRetryCount(0)
			.maxConnectionsRetryWait(Duration.ofSeconds(30)));
		try (TestClient first = TestClient.connect(server)) {
			assertThat(first.send("first").read(5)).isEqualTo("first");
			try (TestClient second = TestClient.connect(server)) {
				// A 30 s wait would outlast this check: the retry count alone decides.
				assertThat(second.isClosedByServer(Duration.ofSeconds(5))).isTrue();
			}
			await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.ACCEPTOR_SPAWN_ERROR) == 1);
			assertThat(first.send("alive").read(5)).isEqualTo("alive");
		}
	}

	@Test
	void maxConnectionsHoldsExactlyTheCapAcrossAcceptorsAndRejectsTheRest() throws Exception {
		int cap = 3;
		Server server = start(config(new Echo()).numAcceptors(4)
			.maxConnections(cap)
			.maxConnectionsRetryCount(2)
			.maxConnectionsRetryWait(Duration.ofMillis(100)));
		List<TestClient> admitted = new ArrayList<>();
		List<TestClient> rejected = new ArrayList<>();
		try {
			for (int i = 0; i < cap; i++) {
				TestClient client = TestClient.connect(server);
				admitted.add(client);
				assertThat(client.send("in" + i).read(3)).isEqualTo("in" + i);
			}
			assertThat(server.activeConnections()).isEqualTo(cap);
			for (int i = 0; i < 3; i++) {
				rejected.add(TestClient.connect(server));
			}
			for (TestClient client : rejected) {
				assertThat(client.isClosedByServer(Duration.ofSeconds(5))).isTrue();
			}
			await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.ACCEPTOR_SPAWN_ERROR) == 3);
			assertThat(this.telemetry.named(TelemetryEvent.ACCEPTOR_SPAWN_ERROR))
				.allSatisfy((event) -> assertThat(event.metadata()).containsEntry("error", "too_many_connections"));
			assertThat(server.activeConnections()).isEqualTo(cap);
			assertThat(server.connections()).hasSize(cap);
			for (int i = 0; i < cap; i++) {
				assertThat(admitted.get(i).send("ok" + i).read(3)).isEqualTo("ok" + i);
			}
			admitted.remove(0).close();
			await().atMost(WAIT).until(() -> server.activeConnections() == cap - 1);
			TestClient late = TestClient.connect(server);
			admitted.add(late);
			assertThat(late.send("late").read(4)).isEqualTo("late");
			assertThat(server.activeConnections()).isEqualTo(cap);
		}
		finally {
			closeAll(admitted);
			closeAll(rejected);
		}
	}

	@Test
	void connectionsTracksOpensAndCloses() throws Exception {
		Server server = start(config(new Echo()));
		assertThat(server.connections()).isEmpty();
		List<TestClient> clients = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				TestClient client = TestClient.connect(server);
				clients.add(client);
				assertThat(client.send("x").read(1)).isEqualTo("x");
			}
			await().atMost(WAIT).until(() -> server.connections().size() == 3);
			List<Connection> connections = server.connections();
			assertThat(connections).extracting(Connection::id).doesNotHaveDuplicates();
			assertThat(connections).extracting(Connection::state).containsOnly(Connection.State.OPEN);
			assertThat(connections).allSatisfy((connection) -> assertThat(connection.acceptedAt()).isNotNull());
			assertThat(remoteAddresses(server)).isEqualTo(localAddresses(clients));

			TestClient leaving = clients.remove(1);
			leaving.close();
			await().atMost(WAIT).until(() -> server.connections().size() == 2);
			assertThat(remoteAddresses(server)).isEqualTo(localAddresses(clients));
			assertThat(server.activeConnections()).isEqualTo(2);
		}
		finally {
			closeAll(clients);
		}
		await().atMost(WAIT).until(() -> server.connections().isEmpty());
		assertThat(server.activeConnections()).isZero();
	}

	@Test
	void suspendRefusesNewConnectsWhileExistingConnectionsKeepWorkingAndResumeKeepsAPortZeroServersPort()
			throws Exception {
		Server server = start(config(new Echo()));
		int port = server.port();
		try (TestClient existing = TestClient.connect(server)) {
			assertThat(existing.send("before").read(6)).isEqualTo("before");

			server.suspend();
			assertThat(server.status()).isEqualTo(ServerStatus.SUSPENDED);
			assertThat(server.listenerInfo()).isEmpty();
			assertThat(server.info().localAddress()).isNull();
			assertThat(server.info().status()).isEqualTo(ServerStatus.SUSPENDED);
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> TestClient.connect(LOOPBACK, port));
			assertThat(existing.send("during").read(6)).isEqualTo("during");
			assertThat(server.port()).isEqualTo(port);

			server.resume();
			assertThat(server.status()).isEqualTo(ServerStatus.RUNNING);
			assertThat(server.port()).isEqualTo(port);
			assertThat(server.listenerInfo()).contains(new InetSocketAddress(LOOPBACK, port));
			try (TestClient fresh = TestClient.connect(LOOPBACK, port)) {
				assertThat(fresh.send("after").read(5)).isEqualTo("after");
			}
			assertThat(existing.send("still").read(5)).isEqualTo("still");
		}
	}

	@Test
	void resumeListensAgainOnAFixedPort() throws Exception {
		int port;
		try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
			port = probe.getLocalPort();
		}
		Server server = start(config(new Echo()).port(port));
		assertThat(server.port()).isEqualTo(port);
		server.suspend();
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> TestClient.connect(LOOPBACK, port));
		server.resume();
		try (TestClient client = TestClient.connect(LOOPBACK, port)) {
			assertThat(client.send("back").read(4)).isEqualTo("back");
		}
		assertThat(server.listenerInfo()).contains(new InetSocketAddress(LOOPBACK, port));
	}

	@Test
	void aResumeThatCannotBindLeavesTheServerSuspendedAndCanBeRetried() throws Exception {
		Server server = start(config(new Echo()));
		int port = server.port();
		try (TestClient existing = TestClient.connect(server)) {
			assertThat(existing.send("one").read(3)).isEqualTo("one");
			server.suspend();
			try (ServerSocket squatter = new ServerSocket()) {
				squatter.setReuseAddress(true);
				squatter.bind(new InetSocketAddress(LOOPBACK, port));
				assertThatExceptionOfType(java.net.BindException.class).isThrownBy(server::resume)
					.withMessageContaining(":" + port);
				assertThat(server.status()).isEqualTo(ServerStatus.SUSPENDED);
				assertThat(server.listenerInfo()).isEmpty();
				assertThat(existing.send("two").read(3)).isEqualTo("two");
			}
			server.resume();
			assertThat(server.status()).isEqualTo(ServerStatus.RUNNING);
			assertThat(server.port()).isEqualTo(port);
			try (TestClient fresh = TestClient.connect(server)) {
				assertThat(fresh.send("three").read(5)).isEqualTo("three");
			}
			assertThat(existing.send("four").read(4)).isEqualTo("four");
		}
	}

	@Test
	void suspendAndResumeAreIdempotent() throws Exception {
		Server server = start(config(new Echo()));
		server.resume();
		assertThat(server.status()).isEqualTo(ServerStatus.RUNNING);
		server.suspend();
		server.suspend();
		assertThat(server.status()).isEqualTo(ServerStatus.SUSPENDED);
		server.resume();
		server.resume();
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("ok").read(2)).isEqualTo("ok");
		}
	}

	@Test
	void statusAndInfoFollowTheLifecycle() throws Exception {
		Server server = start(config(new Echo()));
		SocketAddress address = server.listenerInfo().orElseThrow();
		assertThat(server.status()).isEqualTo(ServerStatus.RUNNING);
		assertThat(server.info()).isEqualTo(new ServerInfo(ServerStatus.RUNNING, address, 0));

		TestClient first = TestClient.connect(server);
		TestClient second = TestClient.connect(server);
		try {
			assertThat(first.send("1").read(1)).isEqualTo("1");
			assertThat(second.send("2").read(1)).isEqualTo("2");
			await().atMost(WAIT).until(() -> server.info().activeConnections() == 2);
			assertThat(server.info()).isEqualTo(new ServerInfo(ServerStatus.RUNNING, address, 2));

			server.suspend();
			assertThat(server.status()).isEqualTo(ServerStatus.SUSPENDED);
			assertThat(server.info()).isEqualTo(new ServerInfo(ServerStatus.SUSPENDED, null, 2));
		}
		finally {
			first.close();
			second.close();
		}
		await().atMost(WAIT).until(() -> server.info().activeConnections() == 0);
		assertThat(server.info()).isEqualTo(new ServerInfo(ServerStatus.SUSPENDED, null, 0));

		server.resume();
		assertThat(server.info()).isEqualTo(new ServerInfo(ServerStatus.RUNNING, address, 0));

		CompletableFuture<Void> stopped = server.stopAsync(Duration.ofSeconds(10));
		// With nothing to drain STOPPING may already be over; statusIsStoppingWhileConnectionsDrain
		// holds it open.
		assertThat(server.status()).isIn(ServerStatus.STOPPING, ServerStatus.STOPPED);
		assertThat(server.info().localAddress()).isNull();
		stopped.get(10, TimeUnit.SECONDS);
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
		assertThat(server.info()).isEqualTo(new ServerInfo(ServerStatus.STOPPED, null, 0));
		assertThat(server.listenerInfo()).isEmpty();
	}

	@Test
	void statusIsStoppingWhileConnectionsDrainAndSuspendOrResumeAreRefused() throws Exception {
		CountDownLatch shuttingDown = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Server server = start(config(new Echo() {
			@Override
			public void handleShutdown(Socket socket, Void state) throws Exception {
				shuttingDown.countDown();
				release.await(10, TimeUnit.SECONDS);
			}
		}));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("x").read(1)).isEqualTo("x");
			CompletableFuture<Void> stopped = server.stopAsync(Duration.ofSeconds(10));
			assertThat(server.status()).isEqualTo(ServerStatus.STOPPING);
			assertThat(server.info().status()).isEqualTo(ServerStatus.STOPPING);
			assertThat(server.info().localAddress()).isNull();
			awaitLatch(shuttingDown);
			assertThat(stopped).isNotDone();
			assertThat(server.status()).isEqualTo(ServerStatus.STOPPING);
			assertThat(server.activeConnections()).isEqualTo(1);
			assertThatIllegalStateException().isThrownBy(server::suspend).withMessageContaining("stopping");
			assertThatIllegalStateException().isThrownBy(server::resume).withMessageContaining("stopping");
			release.countDown();
			stopped.get(10, TimeUnit.SECONDS);
			assertThat(client.isClosedByServer(Duration.ofSeconds(5))).isTrue();
		}
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
		assertThatIllegalStateException().isThrownBy(server::suspend).withMessageContaining("stopped");
		assertThatIllegalStateException().isThrownBy(server::resume).withMessageContaining("stopped");
	}

	@Test
	void stopRefusesNewConnectsAtOnceButLetsAnInFlightRequestFinish() throws Exception {
		CountDownLatch inFlight = new CountDownLatch(1);
		CountDownLatch proceed = new CountDownLatch(1);
		AtomicInteger shutdowns = new AtomicInteger();
		Server server = start(config(new Handler<Void>() {
			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				inFlight.countDown();
				proceed.await(10, TimeUnit.SECONDS);
				socket.send(data);
				return Result.continueWith(state);
			}

			@Override
			public void handleShutdown(Socket socket, Void state) {
				shutdowns.incrementAndGet();
			}
		}));
		int port = server.port();
		try (TestClient client = TestClient.connect(server)) {
			client.send("ping");
			awaitLatch(inFlight);
			CompletableFuture<Void> stopped = server.stopAsync(Duration.ofSeconds(10));
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> TestClient.connect(LOOPBACK, port));
			assertThat(stopped).isNotDone();
			proceed.countDown();
			assertThat(client.read(4)).isEqualTo("ping");
			assertThat(client.isClosedByServer(Duration.ofSeconds(5))).isTrue();
			stopped.get(10, TimeUnit.SECONDS);
		}
		assertThat(shutdowns).hasValue(1);
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
	}

	@Test
	void stopWaitsForAHandlerThatSleepsInHandleDataToReply() throws Exception {
		CountDownLatch inFlight = new CountDownLatch(1);
		Server server = start(config(new Handler<Void>() {
			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				inFlight.countDown();
				Thread.sleep(300);
				socket.send(data);
				return Result.continueWith(state);
			}
		}));
		try (TestClient client = TestClient.connect(server)) {
			client.send("slow");
			awaitLatch(inFlight);
			server.stop();
			assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
			assertThat(client.readToEnd()).isEqualTo("slow");
		}
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).doesNotContainKey("error"));
	}

	@Test
	void handleShutdownCanSayGoodbye() throws Exception {
		Server server = start(config(new Goodbye()));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("hi").read(2)).isEqualTo("hi");
			server.stop();
			assertThat(client.readToEnd()).isEqualTo("GOODBYE");
		}
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).doesNotContainKey("error"));
	}

	@Test
	void stopWorksAfterSuspendAndResume() throws Exception {
		Server server = start(config(new Goodbye()));
		server.suspend();
		server.resume();
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("hi").read(2)).isEqualTo("hi");
			server.stop();
			assertThat(client.readToEnd()).isEqualTo("GOODBYE");
		}
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
		assertThat(server.activeConnections()).isZero();
	}

	@Test
	void stopWorksWhileSuspended() throws Exception {
		Server server = start(config(new Goodbye()));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("hi").read(2)).isEqualTo("hi");
			server.suspend();
			server.stop();
			assertThat(client.readToEnd()).isEqualTo("GOODBYE");
		}
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
	}

	@Test
	void connectionsStillBusyAtTheShutdownTimeoutAreForceClosedAndStopReturns() throws Exception {
		CountDownLatch busy = new CountDownLatch(1);
		AtomicInteger shutdowns = new AtomicInteger();
		Queue<Thread> threads = new ConcurrentLinkedQueue<>();
		Server server = start(config(new Handler<Void>() {
			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				threads.add(Thread.currentThread());
				busy.countDown();
				new CountDownLatch(1).await(30, TimeUnit.SECONDS);
				return Result.continueWith(state);
			}

			@Override
			public void handleShutdown(Socket socket, Void state) {
				shutdowns.incrementAndGet();
			}
		}).shutdownTimeout(Duration.ofMillis(500)));
		try (TestClient client = TestClient.connect(server)) {
			client.send("x");
			awaitLatch(busy);
			long started = System.nanoTime();
			assertTimeoutPreemptively(WAIT, () -> server.stop());
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(450));
			assertThat(client.isClosedByServer(Duration.ofSeconds(5))).isTrue();
		}
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
		assertThat(server.activeConnections()).isZero();
		assertThat(server.connections()).isEmpty();
		assertThat(shutdowns).hasValue(0);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("error", "shutdown_timeout"));
		await().atMost(WAIT).until(() -> threads.stream().noneMatch(Thread::isAlive));
	}

	@Test
	void stopAsyncReturnsAFutureThatCompletesAfterTheDrain() throws Exception {
		CountDownLatch shuttingDown = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		Server server = start(config(new Echo() {
			@Override
			public void handleShutdown(Socket socket, Void state) throws Exception {
				shuttingDown.countDown();
				release.await(10, TimeUnit.SECONDS);
				socket.send("BYE".getBytes(StandardCharsets.UTF_8));
			}
		}));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("x").read(1)).isEqualTo("x");
			CompletableFuture<Void> stopped = server.stopAsync(Duration.ofSeconds(10));
			awaitLatch(shuttingDown);
			assertThat(stopped).isNotDone();
			assertThat(server.awaitTermination(Duration.ZERO)).isFalse();
			release.countDown();
			stopped.get(10, TimeUnit.SECONDS);
			assertThat(client.readToEnd()).isEqualTo("BYE");
		}
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
		assertThat(server.awaitTermination(Duration.ZERO)).isTrue();
	}

	@Test
	void aSecondStopAsyncWithZeroTimeoutWhileDrainingClosesTheRestAtOnce() throws Exception {
		CountDownLatch shuttingDown = new CountDownLatch(1);
		Server server = start(config(new Echo() {
			@Override
			public void handleShutdown(Socket socket, Void state) throws Exception {
				shuttingDown.countDown();
				new CountDownLatch(1).await(30, TimeUnit.SECONDS);
			}
		}));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("x").read(1)).isEqualTo("x");
			CompletableFuture<Void> first = server.stopAsync(Duration.ofSeconds(30));
			awaitLatch(shuttingDown);
			assertThat(first).isNotDone();
			CompletableFuture<Void> second = server.stopAsync(Duration.ZERO);
			second.get(5, TimeUnit.SECONDS);
			first.get(5, TimeUnit.SECONDS);
			assertThat(client.isClosedByServer(Duration.ofSeconds(5))).isTrue();
		}
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("error", "shutdown_timeout"));
	}

	@Test
	void aLaterLongerStopTimeoutDoesNotPostponeTheDeadline() throws Exception {
		CountDownLatch shuttingDown = new CountDownLatch(1);
		Server server = start(config(new Echo() {
			@Override
			public void handleShutdown(Socket socket, Void state) throws Exception {
				shuttingDown.countDown();
				new CountDownLatch(1).await(30, TimeUnit.SECONDS);
			}
		}));
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("x").read(1)).isEqualTo("x");
			CompletableFuture<Void> first = server.stopAsync(Duration.ofMillis(300));
			awaitLatch(shuttingDown);
			CompletableFuture<Void> second = server.stopAsync(Duration.ofSeconds(60));
			// Had the deadline moved to 60 s, the handler would hold the server for 30 s.
			second.get(10, TimeUnit.SECONDS);
			first.get(1, TimeUnit.SECONDS);
			assertThat(client.isClosedByServer(Duration.ofSeconds(5))).isTrue();
		}
	}

	@Test
	void stopWithZeroTimeoutClosesConnectionsWithoutAnyClosingCallback() throws Exception {
		ClosingCallbacks callbacks = new ClosingCallbacks();
		Server server = start(config(callbacks));
		try (TestClient first = TestClient.connect(server); TestClient second = TestClient.connect(server)) {
			assertThat(first.send("1").read(1)).isEqualTo("1");
			assertThat(second.send("2").read(1)).isEqualTo("2");
			server.stop(Duration.ZERO);
			assertThat(first.isClosedByServer(Duration.ofSeconds(5))).isTrue();
			assertThat(second.isClosedByServer(Duration.ofSeconds(5))).isTrue();
		}
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
		assertThat(server.activeConnections()).isZero();
		assertThat(callbacks.shutdowns).hasValue(0);
		assertThat(callbacks.closes).hasValue(0);
		assertThat(callbacks.errors).hasValue(0);
		assertThat(callbacks.timeouts).hasValue(0);
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_STOP)).isEqualTo(2);
	}

	@Test
	void drainSignalsEveryConnectionAtOnceAcrossManyAcceptors() throws Exception {
		int connections = 40;
		CountDownLatch allSignalled = new CountDownLatch(connections);
		Queue<Boolean> sawEveryone = new ConcurrentLinkedQueue<>();
		Server server = start(config(new Echo() {
			@Override
			public void handleShutdown(Socket socket, Void state) throws Exception {
				allSignalled.countDown();
				// Completes only if every connection is in handleShutdown at the same time.
				sawEveryone.add(allSignalled.await(5, TimeUnit.SECONDS));
			}
		}).numAcceptors(8).shutdownTimeout(Duration.ofSeconds(8)));
		List<TestClient> clients = new ArrayList<>();
		try {
			for (int i = 0; i < connections; i++) {
				TestClient client = TestClient.connect(server);
				clients.add(client);
				assertThat(client.send("x").read(1)).isEqualTo("x");
			}
			await().atMost(WAIT).until(() -> server.activeConnections() == connections);
			assertTimeoutPreemptively(Duration.ofSeconds(20), () -> server.stop());
			for (TestClient client : clients) {
				assertThat(client.isClosedByServer(Duration.ofSeconds(5))).isTrue();
			}
		}
		finally {
			closeAll(clients);
		}
		assertThat(sawEveryone).hasSize(connections).containsOnly(true);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP))
			.allSatisfy((event) -> assertThat(event.metadata()).doesNotContainKey("error"));
	}

	@Test
	void startAndStopEmitListenerAndAcceptorEvents() throws Exception {
		Server server = start(config(new Echo()).numAcceptors(3));
		server.stop();
		assertThat(this.telemetry.named(TelemetryEvent.LISTENER_START)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("local_port", server.port()));
		TelemetryEvent listenerStop = this.telemetry.named(TelemetryEvent.LISTENER_STOP).get(0);
		assertThat(this.telemetry.count(TelemetryEvent.LISTENER_STOP)).isEqualTo(1);
		assertThat(listenerStop.measurement("duration")).isPositive();
		List<TelemetryEvent> acceptorStarts = this.telemetry.named(TelemetryEvent.ACCEPTOR_START);
		assertThat(acceptorStarts).extracting((event) -> event.metadata().get("acceptor_id"))
			.containsExactlyInAnyOrder(0, 1, 2);
		assertThat(acceptorStarts).allSatisfy((event) -> assertThat(event.span().parent()).isSameAs(listenerStop.span()));
		List<TelemetryEvent> acceptorStops = this.telemetry.named(TelemetryEvent.ACCEPTOR_STOP);
		assertThat(acceptorStops).hasSize(3).allSatisfy((event) -> {
			assertThat(event.measurements()).containsEntry("connections", 0L);
			assertThat(event.measurement("duration")).isPositive();
			assertThat(event.metadata()).doesNotContainKey("error");
		});
		assertThat(acceptorStops).extracting((event) -> event.metadata().get("acceptor_id"))
			.containsExactlyInAnyOrder(0, 1, 2);
	}

	@Test
	void acceptorStopEventsCountTheConnectionsAccepted() throws Exception {
		Server server = start(config(new Echo()).numAcceptors(3));
		for (int i = 0; i < 5; i++) {
			try (TestClient client = TestClient.connect(server)) {
				assertThat(client.send("x").read(1)).isEqualTo("x");
			}
		}
		server.stop();
		List<TelemetryEvent> acceptorStops = this.telemetry.named(TelemetryEvent.ACCEPTOR_STOP);
		assertThat(acceptorStops).hasSize(3);
		assertThat(acceptorStops.stream().mapToLong((event) -> event.measurement("connections")).sum()).isEqualTo(5);
	}

	@Test
	void suspendStopsTheListenerAndAcceptorsAndResumeStartsThemAgain() throws Exception {
		Server server = start(config(new Echo()).numAcceptors(2));
		server.suspend();
		assertThat(this.telemetry.count(TelemetryEvent.LISTENER_STOP)).isEqualTo(1);
		assertThat(this.telemetry.count(TelemetryEvent.ACCEPTOR_STOP)).isEqualTo(2);
		server.resume();
		assertThat(this.telemetry.count(TelemetryEvent.LISTENER_START)).isEqualTo(2);
		// Each acceptor emits its start on its own thread, as it begins to accept.
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.ACCEPTOR_START) == 4);
		server.stop();
		assertThat(this.telemetry.count(TelemetryEvent.LISTENER_STOP)).isEqualTo(2);
		assertThat(this.telemetry.count(TelemetryEvent.ACCEPTOR_STOP)).isEqualTo(4);
	}

	@Test
	void severalIndependentServersRunInOneJvm() throws Exception {
		List<Server> started = new ArrayList<>();
		for (String name : List.of("a", "b", "c")) {
			started.add(start(config(new Prefix(name)).name("server-" + name)));
		}
		assertThat(started).extracting(Server::port).doesNotHaveDuplicates();
		List<TestClient> clients = new ArrayList<>();
		try {
			for (Server server : started) {
				TestClient client = TestClient.connect(server);
				clients.add(client);
				String name = server.config().name().substring("server-".length());
				assertThat(client.send("x").read(2)).isEqualTo(name + "x");
			}
			assertThat(started).allSatisfy((server) -> assertThat(server.activeConnections()).isEqualTo(1));

			Server first = started.get(0);
			first.stop();
			assertThat(clients.get(0).isClosedByServer(Duration.ofSeconds(5))).isTrue();
			assertThatExceptionOfType(ConnectException.class)
				.isThrownBy(() -> TestClient.connect(LOOPBACK, first.port()));
			assertThat(clients.get(1).send("y").read(2)).isEqualTo("by");
			assertThat(clients.get(2).send("z").read(2)).isEqualTo("cz");
			assertThat(started.get(1).status()).isEqualTo(ServerStatus.RUNNING);
			assertThat(started.get(2).status()).isEqualTo(ServerStatus.RUNNING);
		}
		finally {
			closeAll(clients);
		}
	}

	@Test
	void awaitTerminationReturnsOnceTheServerHasStopped() throws Exception {
		Server server = start(config(new Echo()));
		assertThat(server.awaitTermination(Duration.ofMillis(50))).isFalse();
		CompletableFuture<Void> waiter = new CompletableFuture<>();
		Thread.ofVirtual().start(() -> {
			try {
				server.awaitTermination();
				waiter.complete(null);
			}
			catch (Throwable ex) {
				waiter.completeExceptionally(ex);
			}
		});
		assertThat(waiter).isNotDone();
		server.stop();
		waiter.get(10, TimeUnit.SECONDS);
		assertThat(server.awaitTermination(Duration.ZERO)).isTrue();
	}

	@Test
	void stopIsIdempotent() throws Exception {
		Server server = start(config(new Echo()));
		server.stop();
		server.stop();
		server.stop(Duration.ZERO);
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
		assertThat(server.stopAsync(Duration.ofSeconds(1))).isDone();
	}

	private ServerConfig.Builder config(Handler<?> handler) {
		return ServerConfig.builder(handler).port(0).bindAddress(LOOPBACK).telemetryListener(this.telemetry);
	}

	private Server start(ServerConfig.Builder builder) throws IOException {
		Server server = builder.start();
		this.servers.add(server);
		return server;
	}

	private static Set<SocketAddress> remoteAddresses(Server server) {
		return server.connections().stream().map(Connection::remoteAddress).collect(Collectors.toSet());
	}

	private static Set<SocketAddress> localAddresses(List<TestClient> clients) {
		Set<SocketAddress> addresses = new HashSet<>();
		clients.forEach((client) -> addresses.add(client.socket().getLocalSocketAddress()));
		return addresses;
	}

	private static void awaitLatch(CountDownLatch latch) throws InterruptedException {
		assertThat(latch.await(10, TimeUnit.SECONDS)).as("latch released in time").isTrue();
	}

	private static void closeAll(List<TestClient> clients) throws IOException {
		for (TestClient client : clients) {
			client.close();
		}
	}

	/** Sends back whatever it receives. */
	private static class Echo implements Handler<Void> {

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

	/** Echoes, and says GOODBYE when the server stops. */
	private static final class Goodbye extends Echo {

		@Override
		public void handleShutdown(Socket socket, Void state) throws Exception {
			socket.send("GOODBYE".getBytes(StandardCharsets.UTF_8));
		}

	}

	/** Echoes with a prefix, to tell servers apart. */
	private static final class Prefix extends Echo {

		private final byte[] prefix;

		Prefix(String prefix) {
			this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
		}

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(ByteBuffer.wrap(this.prefix), data);
			return Result.continueWith(state);
		}

	}

	/** Echoes and counts every closing callback. */
	private static final class ClosingCallbacks extends Echo {

		final AtomicInteger shutdowns = new AtomicInteger();

		final AtomicInteger closes = new AtomicInteger();

		final AtomicInteger errors = new AtomicInteger();

		final AtomicInteger timeouts = new AtomicInteger();

		@Override
		public void handleShutdown(Socket socket, Void state) {
			this.shutdowns.incrementAndGet();
		}

		@Override
		public void handleClose(Socket socket, Void state) {
			this.closes.incrementAndGet();
		}

		@Override
		public void handleError(Throwable error, Socket socket, Void state) {
			this.errors.incrementAndGet();
		}

		@Override
		public void handleTimeout(Socket socket, Void state) {
			this.timeouts.incrementAndGet();
		}

	}

}
