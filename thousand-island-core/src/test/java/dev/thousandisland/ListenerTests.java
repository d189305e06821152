package dev.thousandisland;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.Readiness;
import dev.thousandisland.transport.Transport;
import dev.thousandisland.transport.TransportChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Binding and owning the listen sockets: Thousand Island's listener_test. Which listen socket each
 * acceptor uses is observed through a transport that records the socket every accept is called
 * with.
 */
class ListenerTests {

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
	void bindingAPortAnotherServerListensOnFailsWithABindExceptionNamingThePort() throws Exception {
		Server first = start(config(new Echo()));
		int port = first.port();
		assertThatExceptionOfType(BindException.class).isThrownBy(() -> start(config(new Echo()).port(port)))
			.withMessageContaining(":" + port)
			.withMessageContaining("port");
		try (TestClient client = TestClient.connect(first)) {
			assertThat(client.send("still mine").read(10)).isEqualTo("still mine");
		}
	}

	@Test
	void bindingAPortHeldByAnotherSocketFailsWithABindExceptionNamingThePort() throws Exception {
		try (ServerSocket holder = new ServerSocket(0, 1, LOOPBACK)) {
			int port = holder.getLocalPort();
			assertThatExceptionOfType(BindException.class).isThrownBy(() -> start(config(new Echo()).port(port)))
				.withMessageContaining(LOOPBACK.getHostAddress() + ":" + port)
				.withMessageContaining("bindAddress");
		}
	}

	@Test
	void aFailedBindLeavesNoDescriptorOrThreadBehind() throws Exception {
		try (ServerSocket holder = new ServerSocket(0, 1, LOOPBACK)) {
			int port = holder.getLocalPort();
			// Warm up whatever the JDK opens lazily on a first failure.
			assertThatExceptionOfType(BindException.class)
				.isThrownBy(() -> start(config(new Echo()).name("failed-bind-warm-up").port(port)));
			long baseline = OpenFiles.count();
			for (int i = 0; i < 10; i++) {
				String name = "failed-bind-" + i;
				assertThatExceptionOfType(BindException.class)
					.isThrownBy(() -> start(config(new Echo()).name(name).port(port)));
			}
			await().atMost(WAIT).until(() -> OpenFiles.count() <= baseline + 2);
		}
		// Nor a poller thread: the pollers are started before the bind and must be closed after it fails.
		await().atMost(WAIT).until(() -> Thread.getAllStackTraces()
			.keySet()
			.stream()
			.noneMatch((thread) -> thread.getName().startsWith("failed-bind-")));
		assertThat(this.telemetry.count(TelemetryEvent.LISTENER_START)).isZero();
	}

	@Test
	void listenerStartCarriesTheBoundAddressAndPort() throws Exception {
		Server server = start(config(new Echo()).name("metadata"));
		TelemetryEvent start = this.telemetry.named(TelemetryEvent.LISTENER_START).get(0);
		assertThat(this.telemetry.count(TelemetryEvent.LISTENER_START)).isEqualTo(1);
		assertThat(start.metadata()).containsEntry("local_address", LOOPBACK)
			.containsEntry("local_port", server.port())
			.containsEntry("num_listen_sockets", 1)
			.containsEntry("transport", "tcp")
			.containsEntry("server", "metadata")
			.containsEntry("handler", Echo.class.getName());
		assertThat(start.span().kind()).isEqualTo("listener");
		assertThat(start.span().parent()).isNull();
		assertThat(server.listenerInfo()).contains(new InetSocketAddress(LOOPBACK, server.port()));
		server.stop();
		assertThat(this.telemetry.named(TelemetryEvent.LISTENER_STOP)).singleElement().satisfies((stop) -> {
			assertThat(stop.span()).isSameAs(start.span());
			assertThat(stop.measurement("duration")).isPositive();
			assertThat(stop.metadata()).containsEntry("local_port", server.port());
		});
	}

	@Test
	void withoutABindAddressTheServerListensOnEveryInterface() throws Exception {
		Server server = start(ServerConfig.builder(new Echo()).port(0).telemetryListener(this.telemetry));
		InetSocketAddress bound = (InetSocketAddress) server.listenerInfo().orElseThrow();
		assertThat(bound.getAddress().isAnyLocalAddress()).isTrue();
		assertThat(this.telemetry.named(TelemetryEvent.LISTENER_START).get(0).metadata().get("local_address"))
			.isEqualTo(bound.getAddress());
		try (TestClient client = TestClient.connect(LOOPBACK, server.port())) {
			assertThat(client.send("any").read(3)).isEqualTo("any");
		}
	}

	@Test
	void oneListenSocketIsSharedByEveryAcceptor() throws Exception {
		RecordingTransport transport = new RecordingTransport();
		Server server = start(config(new Echo()).numAcceptors(4).transport(transport));
		await().atMost(WAIT).until(() -> transport.socketByAcceptor().size() == 4);
		assertThat(new HashSet<>(transport.socketByAcceptor().values())).hasSize(1);
		echoThroughManyConnections(server, 10);
	}

	@ParameterizedTest(name = "{0} listen sockets, {1} acceptors")
	@CsvSource({ "2, 5", "3, 3", "3, 7", "4, 8" })
	void acceptorsAreAssignedListenSocketsRoundRobin(int sockets, int acceptors) throws Exception {
		RecordingTransport transport = new RecordingTransport();
		Server server = start(config(new Echo()).numListenSockets(sockets)
			.numAcceptors(acceptors)
			.reusePort(true)
			.transport(transport));
		await().atMost(WAIT).until(() -> transport.socketByAcceptor().size() == acceptors);
		Map<Integer, ServerSocketChannel> socketByAcceptor = transport.socketByAcceptor();
		assertThat(new HashSet<>(socketByAcceptor.values())).hasSize(sockets);
		for (int i = 0; i < acceptors; i++) {
			for (int j = 0; j < acceptors; j++) {
				assertThat(socketByAcceptor.get(i) == socketByAcceptor.get(j))
					.as("acceptors %d and %d share a socket", i, j)
					.isEqualTo(i % sockets == j % sockets);
			}
		}
		for (ServerSocketChannel socket : socketByAcceptor.values()) {
			assertThat(socket.getLocalAddress()).isEqualTo(server.listenerInfo().orElseThrow());
		}
		assertThat(this.telemetry.named(TelemetryEvent.LISTENER_START).get(0).metadata())
			.containsEntry("num_listen_sockets", sockets);

		// The kernel spreads connections over the sockets by a hash of the client's port: enough
		// connections reach every socket, and each is answered only if some acceptor serves it.
		echoThroughManyConnections(server, 40);
		server.stop();
		Map<Integer, Long> acceptedBySocket = new ConcurrentHashMap<>();
		for (TelemetryEvent stop : this.telemetry.named(TelemetryEvent.ACCEPTOR_STOP)) {
			int acceptor = (Integer) stop.metadata().get("acceptor_id");
			acceptedBySocket.merge(acceptor % sockets, stop.measurement("connections"), Long::sum);
		}
		assertThat(acceptedBySocket).hasSize(sockets);
		assertThat(acceptedBySocket.values()).allSatisfy((count) -> assertThat(count).isPositive());
		assertThat(acceptedBySocket.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(40);
	}

	private void echoThroughManyConnections(Server server, int connections) throws IOException {
		List<TestClient> clients = new ArrayList<>();
		try {
			for (int i = 0; i < connections; i++) {
				clients.add(TestClient.connect(server));
			}
			for (int i = 0; i < connections; i++) {
				String text = String.format("%03d", i);
				assertThat(clients.get(i).send(text).read(3)).isEqualTo(text);
			}
		}
		finally {
			for (TestClient client : clients) {
				client.close();
			}
		}
	}

	private ServerConfig.Builder config(Handler<?> handler) {
		return ServerConfig.builder(handler).port(0).bindAddress(LOOPBACK).telemetryListener(this.telemetry);
	}

	private Server start(ServerConfig.Builder builder) throws IOException {
		Server server = builder.start();
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

	/**
	 * The plain transport, recording which listen socket each acceptor accepts on. Acceptor
	 * threads are named {@code <server>-acceptor-<index>}.
	 */
	static final class RecordingTransport implements Transport {

		private final Map<Integer, ServerSocketChannel> socketByAcceptor = new ConcurrentHashMap<>();

		private final Set<ServerSocketChannel> sockets = ConcurrentHashMap.newKeySet();

		Map<Integer, ServerSocketChannel> socketByAcceptor() {
			return Map.copyOf(this.socketByAcceptor);
		}

		Set<ServerSocketChannel> sockets() {
			return Set.copyOf(this.sockets);
		}

		@Override
		public SocketChannel accept(ServerSocketChannel listenSocket) throws IOException {
			String name = Thread.currentThread().getName();
			int acceptor = Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
			ServerSocketChannel previous = this.socketByAcceptor.putIfAbsent(acceptor, listenSocket);
			if (previous != null && previous != listenSocket) {
				throw new IllegalStateException("Acceptor " + acceptor + " switched listen sockets");
			}
			this.sockets.add(listenSocket);
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

	}

}
