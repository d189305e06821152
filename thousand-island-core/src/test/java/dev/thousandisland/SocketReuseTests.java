package dev.thousandisland;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Several listen sockets sharing one port with SO_REUSEPORT: Thousand Island's
 * socket_reuse_test, including the port-0 fix (#214) that makes every socket join the port the
 * first one was given.
 */
class SocketReuseTests {

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
	void portZeroWithThreeReusePortSocketsBindsThemAllToTheAdvertisedPort() throws Exception {
		ListenerTests.RecordingTransport transport = new ListenerTests.RecordingTransport();
		Server server = start(ServerConfig.builder(new Echo())
			.port(0)
			.bindAddress(LOOPBACK)
			.numAcceptors(3)
			.numListenSockets(3)
			.reusePort(true)
			.transport(transport)
			.telemetryListener(this.telemetry));
		SocketAddress advertised = server.listenerInfo().orElseThrow();
		assertThat(((InetSocketAddress) advertised).getPort()).isEqualTo(server.port()).isPositive();
		await().atMost(WAIT).until(() -> transport.sockets().size() == 3);
		Set<ServerSocketChannel> sockets = transport.sockets();
		for (ServerSocketChannel socket : sockets) {
			assertThat(socket.getLocalAddress()).isEqualTo(advertised);
		}
		TelemetryEvent start = this.telemetry.named(TelemetryEvent.LISTENER_START).get(0);
		assertThat(start.metadata()).containsEntry("num_listen_sockets", 3)
			.containsEntry("local_port", server.port())
			.containsEntry("local_address", LOOPBACK);
	}

	@ParameterizedTest(name = "{0} listen sockets, {1} acceptors")
	@CsvSource({ "3, 6", "2, 8" })
	void echoesEndToEndThroughSeveralListenSockets(int sockets, int acceptors) throws Exception {
		Server server = start(ServerConfig.builder(new Echo())
			.port(0)
			.bindAddress(LOOPBACK)
			.numAcceptors(acceptors)
			.numListenSockets(sockets)
			.reusePort(true)
			.telemetryListener(this.telemetry));
		int clients = 30;
		List<Future<String>> replies = new ArrayList<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < clients; i++) {
				String text = String.format("hello %02d", i);
				replies.add(executor.submit(() -> {
					try (TestClient client = TestClient.connect(server)) {
						return client.send(text).read(text.length()) + client.send("!").read(1);
					}
				}));
			}
			for (int i = 0; i < clients; i++) {
				assertThat(replies.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(String.format("hello %02d!", i));
			}
		}
		await().atMost(WAIT).until(() -> server.activeConnections() == 0);
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_START)).isEqualTo(clients);
		server.stop();
		assertThat(this.telemetry.named(TelemetryEvent.ACCEPTOR_STOP)).hasSize(acceptors);
	}

	@Test
	void aServerWithSeveralListenSocketsSuspendsAndResumesOnTheSamePort() throws Exception {
		Server server = start(ServerConfig.builder(new Echo())
			.port(0)
			.bindAddress(LOOPBACK)
			.numAcceptors(4)
			.numListenSockets(2)
			.reusePort(true));
		int port = server.port();
		server.suspend();
		server.resume();
		assertThat(server.port()).isEqualTo(port);
		for (int i = 0; i < 10; i++) {
			try (TestClient client = TestClient.connect(server)) {
				assertThat(client.send("again").read(5)).isEqualTo("again");
			}
		}
	}

	@Test
	void severalListenSocketsOnAUnixPathAreRejected(@TempDir Path directory) {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(new Echo())
				.port(0)
				.unixPath(directory.resolve("reuse.sock"))
				.numAcceptors(2)
				.numListenSockets(2)
				.reusePort(true)
				.build())
			.withMessageContaining("numListenSockets (2)")
			.withMessageContaining("Unix");
	}

	private Server start(ServerConfig.Builder builder) throws IOException {
		Server server;
		try {
			server = builder.start();
		}
		catch (BindException ex) {
			if (String.valueOf(ex.getMessage()).contains("not supported")) {
				abort("SO_REUSEPORT is not supported here: " + ex.getMessage());
			}
			throw ex;
		}
		this.servers.add(server);
		return server;
	}

	/** Sends back whatever it receives. */
	private static final class Echo implements Handler<Void> {

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

}
