package dev.thousandisland;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.thousandisland.ClientConnectionTests.RecordingHandler;
import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.framing.FramingException;
import dev.thousandisland.telemetry.TelemetryEvent;

import static dev.thousandisland.ScriptedLineServer.line;
import static dev.thousandisland.ScriptedLineServer.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Frames the server sends while no request waits for a reply (issue 17): by default a protocol
 * error that drops the connection, with {@code handleFrame} overridden the handler's, in order,
 * while requests before and after still get their own replies.
 */
class ClientPushTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final Backoff FAST = ClientTestPeers.FAST;

	@RegisterExtension
	final ClientTestPeers peers = new ClientTestPeers();

	private final List<TelemetryEvent> events = new CopyOnWriteArrayList<>();

	@Test
	void byDefaultAPushIsAProtocolErrorThatDropsTheConnection() throws Exception {
		RecordingHandler handler = new RecordingHandler();
		ClientConnection client = start(handler);
		assertThat(text(client.request(line("push a b"), WAIT))).isEqualTo("ok");
		await().atMost(WAIT).until(() -> handler.kinds.size() == 2);
		assertThat(handler.errors).singleElement()
			.isInstanceOf(FramingException.class)
			.satisfies((ex) -> assertThat(ex).hasMessageContaining("more replies than requests"));
		assertThat(handler.kinds).containsExactly(ConnectKind.FIRST, ConnectKind.RECONNECT);
		assertThat(disconnectReasons()).containsExactly("protocol_error");
		assertThat(text(client.request(line("echo next"), WAIT))).isEqualTo("next");
	}

	@Test
	void anOverridingHandlerReceivesThePushesInOrderAndRequestsKeepTheirOwnReplies() throws Exception {
		PushHandler handler = new PushHandler(false);
		ClientConnection client = start(handler, "pushed");
		assertThat(text(client.request(line("echo before"), WAIT))).isEqualTo("before");
		assertThat(text(client.request(line("push a b c"), WAIT))).isEqualTo("ok");
		await().atMost(WAIT).until(() -> handler.pushed.size() == 3);
		assertThat(text(client.request(line("echo after"), WAIT))).isEqualTo("after");
		assertThat(text(client.request(line("push d"), WAIT))).isEqualTo("ok");
		await().atMost(WAIT).until(() -> handler.pushed.size() == 4);
		assertThat(text(client.request(line("echo last"), WAIT))).isEqualTo("last");
		assertThat(handler.pushed).containsExactly("a", "b", "c", "d");
		assertThat(handler.threads).containsOnly("thousand-island-client-pushed");
		assertThat(handler.kinds).containsExactly(ConnectKind.FIRST);
		assertThat(handler.errors).isEmpty();
		assertThat(disconnectReasons()).isEmpty();
	}

	@Test
	void aHandleFrameThatThrowsEndsTheConnectionAndHandleErrorGetsWhatItThrew() throws Exception {
		PushHandler handler = new PushHandler(true);
		ClientConnection client = start(handler);
		assertThat(text(client.request(line("push a"), WAIT))).isEqualTo("ok");
		await().atMost(WAIT).until(() -> handler.kinds.size() == 2);
		assertThat(handler.errors).singleElement()
			.isInstanceOf(IllegalStateException.class)
			.satisfies((ex) -> assertThat(ex).hasMessage("refused a"));
		assertThat(disconnectReasons()).containsExactly("handler_error");
		assertThat(text(client.request(line("echo next"), WAIT))).isEqualTo("next");
	}

	private ClientConnection start(ClientHandler handler) throws Exception {
		return start(handler, "client");
	}

	private ClientConnection start(ClientHandler handler, String name) throws Exception {
		Server server = ScriptedLineServer.start(0);
		this.peers.servers.add(server);
		ClientConnection client = ClientConnection.start(ClientConfig.builder(Framing.line())
			.name(name)
			.tcp(InetAddress.getLoopbackAddress().getHostAddress(), server.port())
			.requestFraming(Framing.line())
			.backoff(FAST)
			.connectTimeout(Duration.ofSeconds(2))
			.handler(handler)
			.telemetryListeners(List.of(this.events::add))
			.build());
		this.peers.clients.add(client);
		return client;
	}

	private List<Object> disconnectReasons() {
		return this.events.stream()
			.filter((event) -> event.name().equals(TelemetryEvent.CLIENT_DISCONNECT))
			.map((event) -> event.metadata().get("reason"))
			.toList();
	}

	/** Keeps what the server pushes, or throws on it. */
	static final class PushHandler implements ClientHandler {

		final List<String> pushed = new CopyOnWriteArrayList<>();

		final List<String> threads = new CopyOnWriteArrayList<>();

		final List<ConnectKind> kinds = new CopyOnWriteArrayList<>();

		final List<Throwable> errors = new CopyOnWriteArrayList<>();

		private final boolean refuse;

		PushHandler(boolean refuse) {
			this.refuse = refuse;
		}

		@Override
		public void handleFrame(ByteBuffer frame, ClientConnection client) {
			String pushed = text(frame);
			if (this.refuse) {
				throw new IllegalStateException("refused " + pushed);
			}
			this.threads.add(Thread.currentThread().getName());
			this.pushed.add(pushed);
		}

		@Override
		public void handleConnection(ClientConnection client, ConnectKind kind) {
			this.kinds.add(kind);
		}

		@Override
		public void handleError(Throwable error, ClientConnection client) {
			this.errors.add(error);
		}

	}

}
