package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The mailbox behind {@link Connection#tell}: bounded, and honest about messages that race the
 * connection's end.
 */
class MailboxTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final List<Server> servers = new ArrayList<>();

	@AfterEach
	void stopServers() {
		this.servers.forEach((server) -> server.stop(Duration.ofSeconds(2)));
	}

	@Test
	void tellBeyondTheMailboxCapacityThrowsMailboxFullExceptionAndQueuesNothing() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		List<Object> handled = new CopyOnWriteArrayList<>();
		CompletableFuture<Connection> connection = new CompletableFuture<>();
		Handler<Void> handler = new Handler<>() {

			@Override
			public Result<Void> handleConnection(Socket socket, Void state) throws Exception {
				connection.complete(socket.connection());
				// Busy: told messages pile up in the mailbox meanwhile.
				release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
				return Result.continueWith(state);
			}

			@Override
			public Result<Void> handleMessage(Object message, Socket socket, Void state) {
				handled.add(message);
				return Result.continueWith(state);
			}

		};
		Server server = start(handler, (builder) -> builder.mailboxCapacity(3));
		try (TestClient client = TestClient.connect(server)) {
			Connection busy = connection.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(busy.tell("a")).isTrue();
			assertThat(busy.tell("b")).isTrue();
			assertThat(busy.tell("c")).isTrue();
			assertThatExceptionOfType(MailboxFullException.class).isThrownBy(() -> busy.tell("d"))
				.withMessageContaining("mailboxCapacity")
				.satisfies((ex) -> assertThat(ex.connectionId()).isEqualTo(busy.id()));
			release.countDown();
			await().atMost(WAIT).until(() -> handled.size() == 3);
			assertThat(busy.tell("e")).isTrue();
			await().atMost(WAIT).until(() -> handled.size() == 4);
		}
		assertThat(handled).containsExactly("a", "b", "c", "e");
	}

	@Test
	void rejectsAMailboxCapacityBelowOne() {
		assertThatExceptionOfType(InvalidOptionException.class)
			.isThrownBy(() -> ServerConfig.builder(new Handler<>() {
			}).mailboxCapacity(0).build())
			.withMessageContaining("mailboxCapacity");
	}

	@Test
	void tellNeverReturnsTrueForAMessageToldAfterTheEndBeganThatIsThenDropped() throws Exception {
		Set<Object> handled = ConcurrentHashMap.newKeySet();
		CompletableFuture<Connection> connection = new CompletableFuture<>();
		CompletableFuture<Long> closingStarted = new CompletableFuture<>();
		Handler<Void> handler = new Handler<>() {

			@Override
			public Result<Void> handleConnection(Socket socket, Void state) {
				connection.complete(socket.connection());
				return Result.continueWith(state);
			}

			@Override
			public Result<Void> handleMessage(Object message, Socket socket, Void state) {
				handled.add(message);
				return Result.continueWith(state);
			}

			@Override
			public void handleClose(Socket socket, Void state) throws Exception {
				closingStarted.complete(System.nanoTime());
				// A slow goodbye: messages told meanwhile race the end.
				Thread.sleep(100);
			}

		};
		Server server = start(handler, (builder) -> {
		});
		record Told(int message, long startedAt, boolean accepted) {
		}
		List<Told> told = new CopyOnWriteArrayList<>();
		try (TestClient client = TestClient.connect(server)) {
			Connection target = connection.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			Thread teller = Thread.ofVirtual().start(() -> {
				for (int i = 0; i < 10_000; i++) {
					long startedAt = System.nanoTime();
					boolean accepted = target.tell(i);
					told.add(new Told(i, startedAt, accepted));
					if (!accepted) {
						return;
					}
					try {
						Thread.sleep(1);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			});
			await().atMost(WAIT).until(() -> handled.size() >= 20);
			target.close();
			teller.join(WAIT.toMillis());
		}
		long endBegan = closingStarted.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		assertThat(told).last().satisfies((last) -> assertThat(last.accepted()).isFalse());
		assertThat(told).filteredOn((entry) -> entry.startedAt() > endBegan)
			.allSatisfy((entry) -> assertThat(entry.accepted()).as("tell of %d, started after the end began", entry.message())
				.isFalse());
	}

	private Server start(Handler<?> handler, Consumer<ServerConfig.Builder> customizer) throws IOException {
		ServerConfig.Builder builder = ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(1);
		customizer.accept(builder);
		Server server = builder.start();
		this.servers.add(server);
		return server;
	}

}
