package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.transport.Readiness;
import dev.thousandisland.transport.Transport;
import dev.thousandisland.transport.TransportChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No descriptor, thread or connection outlives its client: thousands of connections, one after
 * another and then all at once, leave the server where it started. Thousand Island's own suite
 * has no such test.
 */
class LeakTests {

	/** Descriptors the JDK may open for itself meanwhile (lazily loaded classes, jars). */
	private static final long SLACK = 5;

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void thousandsOfConnectionsLeaveNoConnectionThreadOrDescriptorBehind() throws Exception {
		Queue<Thread> connectionThreads = new ConcurrentLinkedQueue<>();
		Handler<Void> echo = new Handler<>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) {
				connectionThreads.add(Thread.currentThread());
				return Result.continueWith(state);
			}

			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				socket.send(data);
				return Result.continueWith(state);
			}
		};
		long beforeStart = OpenFiles.count();
		Server server = ServerConfig.builder(echo).port(0).bindAddress(InetAddress.getLoopbackAddress()).start();
		try {
			// Warm up, so that whatever the JDK opens once is part of the baseline.
			for (int i = 0; i < 10; i++) {
				echoOneByte(server);
			}
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			long baseline = OpenFiles.count();

			for (int i = 0; i < 10_000; i++) {
				echoOneByte(server);
			}
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			await().atMost(WAIT).until(() -> OpenFiles.count() <= baseline + SLACK);

			int concurrent = 1_000;
			List<TestClient> clients = new ArrayList<>(concurrent);
			try {
				for (int i = 0; i < concurrent; i++) {
					clients.add(TestClient.connect(server));
				}
				await().atMost(WAIT).until(() -> server.activeConnections() == concurrent);
				List<Future<Integer>> replies = new ArrayList<>(concurrent);
				try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
					for (TestClient client : clients) {
						replies.add(executor.submit(() -> {
							client.send(new byte[] { 42 });
							return client.readBytes(1)[0] & 0xff;
						}));
					}
					for (Future<Integer> reply : replies) {
						assertThat(reply.get(30, TimeUnit.SECONDS)).isEqualTo(42);
					}
				}
			}
			finally {
				for (TestClient client : clients) {
					client.close();
				}
			}

			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			assertThat(server.connections()).isEmpty();
			assertThat(connectionThreads).hasSize(10 + 10_000 + concurrent);
			await().atMost(WAIT).until(() -> connectionThreads.stream().noneMatch(Thread::isAlive));
			await().atMost(WAIT).until(() -> OpenFiles.count() <= baseline + SLACK);
		}
		finally {
			server.stop();
		}
		await().atMost(WAIT).until(() -> OpenFiles.count() <= beforeStart + SLACK);
	}

	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void startingAndStoppingServersLeavesNoThreadOrDescriptorBehind() throws Exception {
		Queue<Thread> acceptorThreads = new ConcurrentLinkedQueue<>();
		Transport recording = new Transport() {
			@Override
			public SocketChannel accept(ServerSocketChannel listenSocket) throws IOException {
				acceptorThreads.add(Thread.currentThread());
				return Transport.plain().accept(listenSocket);
			}

			@Override
			public TransportChannel handshake(SocketChannel socket, Readiness readiness, long deadline)
					throws IOException {
				return Transport.plain().handshake(socket, readiness, deadline);
			}

			@Override
			public boolean isSecure() {
				return false;
			}

			@Override
			public String name() {
				return "tcp";
			}
		};
		Handler<Void> echo = new Handler<>() {
			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				socket.send(data);
				return Result.continueWith(state);
			}
		};
		ServerConfig.Builder builder = ServerConfig.builder(echo)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(4)
			.numPollers(2)
			.transport(recording);
		// Warm up, so that whatever the JDK opens once is part of the baseline.
		Server warmUp = builder.name("leak-warm-up").start();
		echoOneByte(warmUp);
		warmUp.stop();
		long baseline = OpenFiles.count();

		for (int i = 0; i < 50; i++) {
			Server server = builder.name("leak-server-" + i).start();
			try (TestClient client = TestClient.connect(server)) {
				assertThat(client.send(new byte[] { 1 }).readBytes(1)).containsExactly(1);
				if (i % 2 == 0) {
					server.suspend();
					server.resume();
				}
			}
			finally {
				server.stop();
			}
		}
		await().atMost(WAIT).until(() -> OpenFiles.count() <= baseline + SLACK);
		await().atMost(WAIT).until(() -> acceptorThreads.stream().noneMatch(Thread::isAlive));
		await().atMost(WAIT).until(() -> Thread.getAllStackTraces()
			.keySet()
			.stream()
			.noneMatch((thread) -> thread.getName().startsWith("leak-")));
	}

	private static void echoOneByte(Server server) throws IOException {
		try (TestClient client = TestClient.connect(server)) {
			client.send(new byte[] { 7 });
			byte[] reply = client.readBytes(1);
			assertThat(reply).containsExactly(7);
		}
	}

}
