package dev.thousandisland;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Listening on a Unix domain socket, which Thousand Island supports but does not test: echo end
 * to end, the socket file's life (stale files removed, live ones and regular files left alone,
 * removed at stop) and the address the server reports.
 */
class UnixSocketTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path directory;

	private Path path;

	private final List<Server> servers = new CopyOnWriteArrayList<>();

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	private final Queue<SocketAddress> remoteAddresses = new ConcurrentLinkedQueue<>();

	@BeforeEach
	void choosePath() {
		this.path = this.directory.resolve("ti.sock");
	}

	@AfterEach
	void stopServers() throws Exception {
		for (Server server : this.servers) {
			server.stopAsync(Duration.ZERO).get(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void echoesOverAUnixDomainSocket() throws Exception {
		Server server = start(this.path);
		try (SocketChannel client = connect(this.path)) {
			for (int i = 0; i < 20; i++) {
				String text = "hello " + i;
				write(client, text);
				assertThat(read(client, text.length())).isEqualTo(text);
			}
		}
		await().atMost(WAIT).until(() -> server.activeConnections() == 0);
		assertThat(this.remoteAddresses).singleElement().isInstanceOf(UnixDomainSocketAddress.class);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).doesNotContainKey("error"));
	}

	@Test
	void servesSeveralUnixClientsAtOnce() throws Exception {
		Server server = start(this.path);
		SocketChannel[] clients = new SocketChannel[10];
		try {
			for (int i = 0; i < clients.length; i++) {
				clients[i] = connect(this.path);
				write(clients[i], "c" + i);
			}
			await().atMost(WAIT).until(() -> server.activeConnections() == clients.length);
			for (int i = 0; i < clients.length; i++) {
				assertThat(read(clients[i], 2)).isEqualTo("c" + i);
			}
		}
		finally {
			for (SocketChannel client : clients) {
				if (client != null) {
					client.close();
				}
			}
		}
	}

	@Test
	void listenerInfoIsTheUnixSocketAddress() throws Exception {
		Server server = start(this.path);
		SocketAddress address = server.listenerInfo().orElseThrow();
		assertThat(address).isInstanceOf(UnixDomainSocketAddress.class);
		assertThat(((UnixDomainSocketAddress) address).getPath()).isEqualTo(this.path);
		assertThat(server.info().localAddress()).isEqualTo(address);
		assertThat(this.telemetry.named(TelemetryEvent.LISTENER_START)).singleElement()
			.satisfies((event) -> assertThat(event.metadata()).containsEntry("unix_path", this.path.toString())
				.doesNotContainKeys("local_address", "local_port"));
	}

	@Test
	void portIsNotDefinedForAUnixServer() throws Exception {
		Server server = start(this.path);
		assertThatIllegalStateException().isThrownBy(server::port).withMessageContaining("no port");
	}

	@Test
	void aStaleSocketFileIsRemovedAtBind() throws Exception {
		try (ServerSocketChannel previous = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			previous.bind(UnixDomainSocketAddress.of(this.path));
		}
		assertThat(this.path).exists();
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> connect(this.path).close());

		start(this.path);
		try (SocketChannel client = connect(this.path)) {
			write(client, "fresh");
			assertThat(read(client, 5)).isEqualTo("fresh");
		}
	}

	@Test
	void aPathAnotherServerListensOnFailsWithABindException() throws Exception {
		Server live = start(this.path);
		assertThatExceptionOfType(BindException.class).isThrownBy(() -> start(this.path))
			.withMessageContaining("unixPath")
			.withMessageContaining(this.path.toString());
		assertThat(this.path).exists();
		assertThat(live.status()).isEqualTo(ServerStatus.RUNNING);
		try (SocketChannel client = connect(this.path)) {
			write(client, "still live");
			assertThat(read(client, 10)).isEqualTo("still live");
		}
	}

	@Test
	void aRegularFileAtThePathIsNotDeletedAndBindingFails() throws Exception {
		Files.writeString(this.path, "precious");
		assertThatExceptionOfType(BindException.class).isThrownBy(() -> start(this.path))
			.withMessageContaining("unixPath")
			.withMessageContaining(this.path.toString());
		assertThat(this.path).isRegularFile().hasContent("precious");
	}

	@Test
	void aDirectoryAtThePathIsNotDeletedAndBindingFails() throws Exception {
		Files.createDirectory(this.path);
		assertThatExceptionOfType(BindException.class).isThrownBy(() -> start(this.path))
			.withMessageContaining("unixPath");
		assertThat(this.path).isDirectory();
	}

	@Test
	void theSocketFileIsRemovedAtStop() throws Exception {
		Server server = start(this.path);
		assertThat(this.path).exists();
		try (SocketChannel client = connect(this.path)) {
			write(client, "bye");
			assertThat(read(client, 3)).isEqualTo("bye");
			server.stop();
			assertThat(read(client, 1)).as("end of stream").isNull();
		}
		assertThat(this.path).doesNotExist();
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
	}

	@Test
	void suspendRemovesTheSocketFileAndResumeListensOnThePathAgain() throws Exception {
		Server server = start(this.path);
		try (SocketChannel existing = connect(this.path)) {
			write(existing, "one");
			assertThat(read(existing, 3)).isEqualTo("one");
			server.suspend();
			assertThat(this.path).doesNotExist();
			assertThat(server.listenerInfo()).isEmpty();
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> connect(this.path).close());
			write(existing, "two");
			assertThat(read(existing, 3)).isEqualTo("two");

			server.resume();
			assertThat(this.path).exists();
			assertThat(server.listenerInfo()).contains(UnixDomainSocketAddress.of(this.path));
			try (SocketChannel fresh = connect(this.path)) {
				write(fresh, "three");
				assertThat(read(fresh, 5)).isEqualTo("three");
			}
		}
	}

	private Server start(Path unixPath) throws IOException {
		Server server = ServerConfig.builder(new Echo(this.remoteAddresses))
			.port(0)
			.unixPath(unixPath)
			.numAcceptors(2)
			.telemetryListener(this.telemetry)
			.start();
		this.servers.add(server);
		return server;
	}

	private static SocketChannel connect(Path path) throws IOException {
		SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
		try {
			channel.connect(UnixDomainSocketAddress.of(path));
		}
		catch (IOException ex) {
			channel.close();
			throw ex;
		}
		return channel;
	}

	private static void write(SocketChannel channel, String text) throws IOException {
		ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
		while (buffer.hasRemaining()) {
			channel.write(buffer);
		}
	}

	/**
	 * Reads exactly {@code length} bytes, or returns {@code null} at end of stream before any;
	 * fails instead of hanging if nothing comes within the wait.
	 */
	private static String read(SocketChannel channel, int length) throws Exception {
		CompletableFuture<String> result = new CompletableFuture<>();
		Thread.ofVirtual().start(() -> {
			try {
				ByteBuffer buffer = ByteBuffer.allocate(length);
				while (buffer.hasRemaining()) {
					if (channel.read(buffer) < 0) {
						break;
					}
				}
				result.complete((buffer.position() == 0) ? null
						: new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
			}
			catch (Throwable ex) {
				result.completeExceptionally(ex);
			}
		});
		try {
			return result.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		catch (java.util.concurrent.TimeoutException ex) {
			channel.close();
			throw ex;
		}
	}

	/** Sends back whatever it receives and records who it talks to. */
	private static final class Echo implements Handler<Void> {

		private final Queue<SocketAddress> remoteAddresses;

		Echo(Queue<SocketAddress> remoteAddresses) {
			this.remoteAddresses = remoteAddresses;
		}

		@Override
		public Result<Void> handleConnection(Socket socket, Void state) {
			this.remoteAddresses.add(socket.remoteAddress());
			return Result.continueWith(state);
		}

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

}
