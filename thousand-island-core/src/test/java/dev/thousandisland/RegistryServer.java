package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real server for the registry tests, whose handler does what the client asks: {@code close}
 * returns {@link Result#close}, {@code throw} throws, {@code timeout} sets a read timeout of
 * 200 ms on its connection alone, {@code block} sits in the callback until
 * interrupted (so that only a forced close ends it); every accepted connection is handed to the
 * test, after an optional action on the connection's own thread (a registration, say).
 */
final class RegistryServer implements AutoCloseable {

	static final Duration WAIT = Duration.ofSeconds(20);

	private final BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();

	private final List<TestClient> clients = new ArrayList<>();

	private final Server server;

	private RegistryServer(Consumer<Connection> onAccept, Consumer<Connection> onClose,
			Consumer<ServerConfig.Builder> customizer) throws IOException {
		Handler<Void> handler = new Handler<>() {

			@Override
			public Result<Void> handleConnection(Socket socket, Void state) {
				onAccept.accept(socket.connection());
				RegistryServer.this.accepted.add(socket.connection());
				return Result.continueWith(state);
			}

			@Override
			public void handleClose(Socket socket, Void state) {
				onClose.accept(socket.connection());
			}

			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				String command = StandardCharsets.UTF_8.decode(data).toString().trim();
				switch (command) {
					case "close" -> {
						return Result.close(state);
					}
					case "throw" -> throw new IllegalStateException("asked to throw");
					case "block" -> Thread.sleep(WAIT.toMillis());
					case "timeout" -> {
						return Result.continueWithReadTimeout(state, Duration.ofMillis(200));
					}
					default -> {
					}
				}
				return Result.continueWith(state);
			}

		};
		ServerConfig.Builder builder = ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(1);
		customizer.accept(builder);
		this.server = builder.start();
	}

	static RegistryServer start() throws IOException {
		return start((connection) -> {
		}, (builder) -> {
		});
	}

	static RegistryServer start(Consumer<Connection> onAccept, Consumer<ServerConfig.Builder> customizer)
			throws IOException {
		return new RegistryServer(onAccept, (connection) -> {
		}, customizer);
	}

	/** A server that also runs an action in each connection's {@code handleClose}. */
	static RegistryServer startWithClose(Consumer<Connection> onClose) throws IOException {
		return new RegistryServer((connection) -> {
		}, onClose, (builder) -> {
		});
	}

	Server server() {
		return this.server;
	}

	/** Connects a client and returns the server's side of it, once its handler has seen it. */
	Connection connect() throws IOException, InterruptedException {
		this.clients.add(TestClient.connect(this.server));
		Connection connection = this.accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		if (connection == null) {
			throw new IllegalStateException("The server did not accept the client within " + WAIT);
		}
		return connection;
	}

	/** The client of the {@code index}-th connection made, to talk to or close. */
	TestClient client(int index) {
		return this.clients.get(index);
	}

	@Override
	public void close() throws IOException, InterruptedException {
		for (TestClient client : this.clients) {
			client.close();
		}
		// Bounded even if a stop deadlocks, so that one failure cannot hang the suite.
		Thread stopping = Thread.ofVirtual().start(() -> this.server.stop(Duration.ofSeconds(2)));
		stopping.join(WAIT.toMillis());
	}

}
