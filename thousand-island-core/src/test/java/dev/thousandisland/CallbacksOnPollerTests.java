package dev.thousandisland;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Deque;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code callbacksOnPoller}: a readable connection is served on its poller's thread, and a
 * callback that waits or blocks there costs the poller's other connections nothing but a moment.
 * Every test runs one poller, so that the connections share it, over real sockets.
 */
class CallbacksOnPollerTests {

	/** Long enough for a connection to hibernate between a reply and the next request. */
	private static final Duration PAUSE = Duration.ofMillis(40);

	private static final int BIG = 16 * 1024 * 1024;

	private final Logger framework = Logger.getLogger("dev.thousandisland");

	private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();

	private final Handler capture = new Handler() {

		@Override
		public void publish(LogRecord record) {
			if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
				CallbacksOnPollerTests.this.warnings.add(record);
			}
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

	};

	private final List<Server> servers = new ArrayList<>();

	private final List<TestClient> clients = new ArrayList<>();

	private final CountDownLatch release = new CountDownLatch(1);

	/** Each callback's command and the name of the thread it ran on, as it was named then. */
	private final Queue<String> calls = new ConcurrentLinkedQueue<>();

	/** The thread each callback ran on, the last one first. */
	private final Deque<Thread> threads = new ConcurrentLinkedDeque<>();

	@BeforeEach
	void captureWarnings() {
		this.framework.addHandler(this.capture);
	}

	@AfterEach
	void stop() throws Exception {
		this.release.countDown();
		for (TestClient client : this.clients) {
			client.close();
		}
		this.servers.forEach((server) -> server.stop(Duration.ofSeconds(2)));
		this.framework.removeHandler(this.capture);
	}

	@Test
	void aReadableConnectionIsServedOnItsPollersThread() throws Exception {
		Server server = start(ServerConfig.DEFAULT_POLLER_CALLBACK_LIMIT);
		TestClient client = connect(server);
		for (int i = 0; i < 10; i++) {
			Thread.sleep(PAUSE);
			client.send("e");
			assertThat(client.read(1)).isEqualTo("e");
		}
		assertThat(this.calls).hasSize(10).allMatch((call) -> call.equals("e on test-poller-0"));
	}

	@Test
	void aCallbackThatBlocksIsMovedOffThePollerAndItsNeighboursGoOn() throws Exception {
		Server server = start(Duration.ofMillis(50));
		TestClient blocker = connect(server);
		TestClient neighbour = connect(server);
		Thread.sleep(PAUSE);
		// The callback waits on a latch, where Thousand Island cannot see it: only the watchdog
		// can free the poller, and the latch opens only once the neighbour has been answered.
		blocker.send("w");
		echoFiveTimes(neighbour);
		this.release.countDown();
		assertThat(blocker.read(1)).isEqualTo("w");
		// The connection that broke the promise is never served on a poller again.
		Thread.sleep(PAUSE);
		blocker.send("e");
		assertThat(blocker.read(1)).isEqualTo("e");
		assertThat(this.calls).first().isEqualTo("w on test-poller-0");
		assertThat(this.calls).last().asString().matches("e on test-connection-\\d+");
		assertThat(this.calls).filteredOn((call) -> call.startsWith("e on")).hasSize(6);
		assertThat(this.warnings).singleElement()
			.satisfies((warning) -> assertThat(warning.getMessage()).contains(Commands.class.getName())
				.contains("pollerCallbackLimit (50 ms)")
				.contains("1 in all"));
	}

	@Test
	void aSendThatFindsTheSocketFullHandsPollingOffWithoutTheWatchdog() throws Exception {
		// A limit no test outlives: only the send's own hand-off can free the poller.
		Server server = start(Duration.ofHours(1));
		TestClient sender = connect(server);
		TestClient neighbour = connect(server);
		Thread.sleep(PAUSE);
		// 16 MiB that the client does not read yet: the send must wait for room.
		int before = this.threads.size();
		sender.send("b");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.threads.size() > before);
		Thread sending = this.threads.peekFirst();
		echoFiveTimes(neighbour);
		byte[] received = sender.readBytes(BIG);
		assertThat(received).hasSize(BIG);
		for (int i = 0; i < BIG; i += 4093) {
			assertThat(received[i]).isEqualTo(pattern(i));
		}
		// The thread that sent has become the connection's own, and ends when it next waits.
		assertThat(sending.getName()).isEqualTo("test-connection-1");
		await().atMost(Duration.ofSeconds(10)).until(() -> !sending.isAlive());
		// Waiting for room is no broken promise: the connection is served on the poller again.
		sender.send("e");
		assertThat(sender.read(1)).isEqualTo("e");
		assertThat(this.calls).first().isEqualTo("b on test-poller-0");
		assertThat(this.calls).last().isEqualTo("e on test-poller-0");
	}

	@Test
	void aLimitUnderOneMillisecondIsRefusedNamingIt() {
		assertThatThrownBy(() -> ServerConfig.builder(new Commands(this)).pollerCallbackLimit(Duration.ofNanos(10)).build())
			.isInstanceOf(InvalidOptionException.class)
			.hasMessageContaining("pollerCallbackLimit");
	}

	private Server start(Duration limit) throws Exception {
		Server server = ServerConfig.builder(new Commands(this))
			.name("test")
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numPollers(1)
			.callbacksOnPoller(true)
			.pollerCallbackLimit(limit)
			.start();
		this.servers.add(server);
		return server;
	}

	/** Five round trips, each after a pause long enough for the connection to hibernate. */
	private static void echoFiveTimes(TestClient client) throws Exception {
		for (int i = 0; i < 5; i++) {
			Thread.sleep(PAUSE);
			client.send("e");
			assertThat(client.read(1)).isEqualTo("e");
		}
	}

	/** Connects, and waits until the connection's first thread has ended: it hibernates. */
	private TestClient connect(Server server) throws Exception {
		int opened = this.threads.size();
		TestClient client = TestClient.connect(server);
		this.clients.add(client);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.threads.size() > opened);
		awaitHibernation();
		return client;
	}

	/** Waits until the thread of the last callback is no longer serving a connection. */
	private void awaitHibernation() {
		Thread last = this.threads.peekFirst();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> !last.isAlive() || last.getName().contains("-poller-"));
	}

	private static byte pattern(int index) {
		return (byte) (index * 31 + (index >>> 16));
	}

	/**
	 * One byte, one command: {@code e} echoes it, {@code w} waits for the test's latch, then
	 * answers {@code w}; {@code b} sends {@link #BIG} bytes of a pattern.
	 */
	static final class Commands implements dev.thousandisland.Handler<Void> {

		private final CallbacksOnPollerTests test;

		Commands(CallbacksOnPollerTests test) {
			this.test = test;
		}

		@Override
		public Result<Void> handleConnection(Socket socket, Void state) {
			this.test.threads.addFirst(Thread.currentThread());
			return Result.continueWith(state);
		}

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			String command = StandardCharsets.US_ASCII.decode(data).toString();
			this.test.threads.addFirst(Thread.currentThread());
			this.test.calls.add(command + " on " + Thread.currentThread().getName());
			switch (command) {
				case "w" -> {
					if (!this.test.release.await(30, TimeUnit.SECONDS)) {
						throw new IllegalStateException("never released");
					}
					socket.send(ByteBuffer.wrap(new byte[] { 'w' }));
				}
				case "b" -> {
					byte[] bytes = new byte[BIG];
					for (int i = 0; i < BIG; i++) {
						bytes[i] = pattern(i);
					}
					socket.send(ByteBuffer.wrap(bytes));
				}
				default -> socket.send(ByteBuffer.wrap(command.getBytes(StandardCharsets.US_ASCII)));
			}
			return Result.continueWith(state);
		}

	}

}
