package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.FramedSocket;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.telemetry.TelemetryListener;

/**
 * A real server whose connections drive a {@link PubSub} from lines their clients send, and write
 * every message they receive to their socket as a line {@code m <message>}: what the PubSub tests
 * read with {@link PubSubClient}. Commands and their acknowledgements:
 * <ul>
 * <li>{@code sub T} / {@code unsub T}: {@code +sub true|false}, {@code +unsub true|false}
 * <li>{@code pub T text}: {@code broadcastFrom}, answered {@code +pub <delivered>}
 * <li>{@code lpub T text}: {@code localBroadcastFrom}, answered {@code +lpub <delivered>}
 * <li>{@code hold}: answered {@code +hold}, then the connection's thread waits for
 * {@link #release} (its mailbox fills meanwhile)
 * <li>{@code close}, {@code error}, {@code throw}: the connection ends by {@code Result.close},
 * {@code Result.error} or an exception
 * </ul>
 */
final class PubSubTestServer implements AutoCloseable {

	static final Duration WAIT = Duration.ofSeconds(20);

	private final Server server;

	private final CountDownLatch release = new CountDownLatch(1);

	private PubSubTestServer(PubSub pubsub, int mailboxCapacity, Duration readTimeout, TelemetryListener listener)
			throws IOException {
		ServerConfig.Builder builder = ServerConfig.builder(Framing.line().handler(new LineHandler(pubsub, this.release)))
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(1)
			.mailboxCapacity(mailboxCapacity);
		if (readTimeout != null) {
			builder.readTimeout(readTimeout);
		}
		if (listener != null) {
			builder.telemetryListener(listener);
		}
		this.server = builder.start();
	}

	static PubSubTestServer start(PubSub pubsub, int mailboxCapacity) throws IOException {
		return new PubSubTestServer(pubsub, mailboxCapacity, null, null);
	}

	static PubSubTestServer start(PubSub pubsub, int mailboxCapacity, Duration readTimeout) throws IOException {
		return new PubSubTestServer(pubsub, mailboxCapacity, readTimeout, null);
	}

	Server server() {
		return this.server;
	}

	PubSubClient connect() throws IOException {
		return PubSubClient.connect(this.server);
	}

	/** Lets every held connection go on. */
	void release() {
		this.release.countDown();
	}

	/**
	 * The server's connection for a client, found by the client's local port; waits for the
	 * server to have accepted it.
	 */
	Connection connectionOf(PubSubClient client) {
		int port = client.localPort();
		return org.awaitility.Awaitility.await()
			.atMost(WAIT)
			.until(() -> this.server.connections()
				.stream()
				.filter((connection) -> connection.remoteAddress() instanceof java.net.InetSocketAddress address
						&& address.getPort() == port)
				.findFirst(), java.util.Optional::isPresent)
			.get();
	}

	List<Connection> connections() {
		return List.copyOf(this.server.connections());
	}

	@Override
	public void close() {
		this.release.countDown();
		this.server.stop(Duration.ofSeconds(2));
	}

	private record LineHandler(PubSub pubsub, CountDownLatch release) implements FramedHandler<Void> {

		@Override
		public Result<Void> handleFrame(ByteBuffer frame, FramedSocket socket, Void state) throws Exception {
			String line = StandardCharsets.UTF_8.decode(frame).toString();
			String[] parts = line.split(" ", 3);
			Connection self = socket.connection();
			switch (parts[0]) {
				case "sub" -> reply(socket, "+sub " + this.pubsub.subscribe(self, parts[1]));
				case "unsub" -> reply(socket, "+unsub " + this.pubsub.unsubscribe(self, parts[1]));
				case "pub" -> reply(socket, "+pub " + this.pubsub.broadcastFrom(self, parts[1], parts[2]));
				case "lpub" -> reply(socket, "+lpub " + this.pubsub.localBroadcastFrom(self, parts[1], parts[2]));
				case "hold" -> {
					reply(socket, "+hold");
					this.release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
				}
				case "close" -> {
					return Result.close(state);
				}
				case "error" -> {
					return Result.error(new IllegalStateException("asked to fail"), state);
				}
				case "throw" -> throw new IllegalStateException("asked to throw");
				default -> reply(socket, "+unknown " + line);
			}
			return Result.continueWith(state);
		}

		@Override
		public Result<Void> handleMessage(Object message, FramedSocket socket, Void state) throws Exception {
			String text = (message instanceof byte[] bytes) ? "bytes:" + new String(bytes, StandardCharsets.UTF_8)
					: String.valueOf(message);
			reply(socket, "m " + text);
			return Result.continueWith(state);
		}

		private static void reply(FramedSocket socket, String line) throws IOException {
			socket.send((line + "\n").getBytes(StandardCharsets.UTF_8));
		}

	}

}
