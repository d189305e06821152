package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code hibernateAfter}: a connection with nothing to do gives up its virtual thread and keeps
 * everything else, and data, a told message, its read deadline or the server's shutdown bring it
 * back on a new thread. Every test runs over real sockets and checks the threads themselves.
 */
class HibernationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	private final List<Server> servers = new ArrayList<>();

	@AfterEach
	void stopServers() {
		for (Server server : this.servers) {
			server.stop(Duration.ofSeconds(2));
		}
	}

	@Test
	void idleConnectionsGiveUpTheirThreadsAndComeBackWithTheirState() throws Exception {
		Counter counter = new Counter();
		Server server = start(counter, Duration.ZERO, ServerConfig.NO_TIMEOUT);
		List<TestClient> clients = new ArrayList<>();
		try {
			Set<Thread> firstThreads = connectAndHibernate(server, counter, 200, clients);
			// Every connection is still open, and not one holds a thread.
			assertThat(server.activeConnections()).isEqualTo(200);
			counter.threads.clear();
			for (TestClient client : clients) {
				client.send("b");
			}
			// The count is the handler's state: it outlived the threads that held it.
			for (TestClient client : clients) {
				assertThat(client.read(2)).isEqualTo("2\n");
			}
			assertThat(counter.threads).allMatch(Thread::isVirtual).doesNotContainAnyElementsOf(firstThreads);
		}
		finally {
			for (TestClient client : clients) {
				client.close();
			}
		}
		await().atMost(WAIT).until(() -> server.activeConnections() == 0);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).hasSize(200)
			.allSatisfy((event) -> assertThat(event.metadata()).containsEntry("reason", "peer_closed"));
	}

	@Test
	void aToldMessageWakesAHibernatingConnection() throws Exception {
		Counter counter = new Counter();
		Server server = start(counter, Duration.ZERO, ServerConfig.NO_TIMEOUT);
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("a").read(2)).isEqualTo("1\n");
			Thread first = counter.threads.iterator().next();
			await().atMost(WAIT).until(() -> !first.isAlive());
			assertThat(counter.connection.get().tell("hello")).isTrue();
			assertThat(client.read(6)).isEqualTo("hello\n");
			assertThat(counter.messageThread.get()).isNotSameAs(first);
		}
	}

	@Test
	void theReadDeadlinePassesWhileHibernating() throws Exception {
		Counter counter = new Counter();
		Server server = start(counter, Duration.ZERO, Duration.ofMillis(200));
		try (TestClient client = TestClient.connect(server)) {
			// Taken before sending: the server starts the new deadline after the data came, so the
			// timeout is at least 200 ms after this; a time taken after the client read the answer
			// could be later than the server's start of the deadline on a busy machine.
			long sent = System.nanoTime();
			assertThat(client.send("a").read(2)).isEqualTo("1\n");
			// handleTimeout says goodbye on the open socket, then the connection closes.
			assertThat(client.readToEnd()).isEqualTo("timeout\n");
			assertThat(counter.timeoutAt.get() - sent).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
		}
		await().atMost(WAIT).until(() -> server.activeConnections() == 0);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("reason", "read_timeout"));
	}

	@Test
	void aConnectionKeepsItsThreadForHibernateAfterThenLetsItGo() throws Exception {
		Counter counter = new Counter();
		Server server = start(counter, Duration.ofMillis(300), ServerConfig.NO_TIMEOUT);
		try (TestClient client = TestClient.connect(server)) {
			long sent = System.nanoTime();
			assertThat(client.send("a").read(2)).isEqualTo("1\n");
			Thread first = counter.threads.iterator().next();
			// Less than hibernateAfter has passed since the data came: the thread still waits.
			assertThat(first.isAlive() || System.nanoTime() - sent >= Duration.ofMillis(300).toNanos()).isTrue();
			await().atMost(WAIT).until(() -> !first.isAlive());
			assertThat(System.nanoTime() - sent).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
			assertThat(client.send("b").read(2)).isEqualTo("2\n");
		}
	}

	@Test
	void stopDrainsHibernatingConnectionsThroughHandleShutdown() throws Exception {
		Counter counter = new Counter();
		Server server = start(counter, Duration.ZERO, ServerConfig.NO_TIMEOUT);
		List<TestClient> clients = new ArrayList<>();
		try {
			connectAndHibernate(server, counter, 50, clients);
			server.stop(Duration.ofSeconds(30));
			for (TestClient client : clients) {
				assertThat(client.readToEnd()).isEqualTo("shutdown\n");
			}
		}
		finally {
			for (TestClient client : clients) {
				client.close();
			}
		}
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).hasSize(50)
			.allSatisfy((event) -> assertThat(event.metadata()).containsEntry("reason", "shutdown"));
	}

	@Test
	void aConnectionClosedFromOutsideWhileHibernatingEndsOnce() throws Exception {
		Counter counter = new Counter();
		Server server = start(counter, Duration.ZERO, ServerConfig.NO_TIMEOUT);
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("a").read(2)).isEqualTo("1\n");
			Thread first = counter.threads.iterator().next();
			await().atMost(WAIT).until(() -> !first.isAlive());
			counter.connection.get().close();
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		await().atMost(WAIT).until(() -> server.activeConnections() == 0);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("reason", "closed"));
		assertThat(counter.closes).hasValue(1);
	}

	/**
	 * Opens {@code count} connections into {@code clients}, has each answered once, and waits
	 * until the threads that answered them have ended.
	 * @return those threads
	 */
	private static Set<Thread> connectAndHibernate(Server server, Counter counter, int count, List<TestClient> clients)
			throws IOException {
		for (int i = 0; i < count; i++) {
			clients.add(TestClient.connect(server).send("a"));
		}
		for (TestClient client : clients) {
			assertThat(client.read(2)).isEqualTo("1\n");
		}
		Set<Thread> threads = Set.copyOf(counter.threads);
		await().atMost(WAIT).until(() -> threads.stream().noneMatch(Thread::isAlive));
		return threads;
	}

	private Server start(Handler<?> handler, Duration hibernateAfter, Duration readTimeout) throws IOException {
		Server server = ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.hibernateAfter(hibernateAfter)
			.readTimeout(readTimeout)
			.telemetryListener(this.telemetry)
			.start();
		this.servers.add(server);
		return server;
	}

	private static ByteBuffer line(String text) {
		return ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.US_ASCII));
	}

	/**
	 * Answers each read with how many reads the connection has had, counted in the handler's
	 * state; records the threads its callbacks ran on.
	 */
	static final class Counter implements Handler<Integer> {

		final Set<Thread> threads = ConcurrentHashMap.newKeySet();

		final AtomicReference<Connection> connection = new AtomicReference<>();

		final AtomicReference<Thread> messageThread = new AtomicReference<>();

		final AtomicLong timeoutAt = new AtomicLong();

		final AtomicLong closes = new AtomicLong();

		@Override
		public Integer initialState() {
			return 0;
		}

		@Override
		public Result<Integer> handleConnection(Socket socket, Integer count) {
			this.connection.set(socket.connection());
			return Result.continueWith(count);
		}

		@Override
		public Result<Integer> handleData(ByteBuffer data, Socket socket, Integer count) throws IOException {
			this.threads.add(Thread.currentThread());
			int next = count + 1;
			socket.send(line(Integer.toString(next)));
			return Result.continueWith(next);
		}

		@Override
		public Result<Integer> handleMessage(Object message, Socket socket, Integer count) throws IOException {
			this.messageThread.set(Thread.currentThread());
			socket.send(line(message.toString()));
			return Result.continueWith(count);
		}

		@Override
		public void handleTimeout(Socket socket, Integer count) throws IOException {
			this.timeoutAt.set(System.nanoTime());
			socket.send(line("timeout"));
		}

		@Override
		public void handleShutdown(Socket socket, Integer count) throws IOException {
			socket.send(line("shutdown"));
		}

		@Override
		public void handleClose(Socket socket, Integer count) {
			this.closes.incrementAndGet();
		}

	}

}
