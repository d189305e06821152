package dev.thousandisland;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.thousandisland.client.Backoff;
import dev.thousandisland.client.ClientConfig;
import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.client.ClientState;
import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.client.ConnectionLostException;
import dev.thousandisland.client.NotConnectedException;
import dev.thousandisland.client.QueueFullException;
import dev.thousandisland.client.RequestTimeoutAction;
import dev.thousandisland.client.RequestTimeoutException;
import dev.thousandisland.framing.FrameTooLargeException;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.framing.FramingException;

import static dev.thousandisland.ScriptedLineServer.line;
import static dev.thousandisland.ScriptedLineServer.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A client connection against this project's own servers over loopback: pipelined requests from
 * many threads, the queue while connecting, and each bad peer of the issue with its defined
 * outcome for the callers and the connection.
 */
class ClientConnectionTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	/** Short waits between attempts, so reconnect tests take milliseconds, not seconds. */
	private static final Backoff FAST = ClientTestPeers.FAST;

	@RegisterExtension
	final ClientTestPeers peers = new ClientTestPeers();

	private final RecordingHandler handler = new RecordingHandler();

	@Test
	void everyCallerOfManyThreadsGetsTheReplyToItsOwnRequest() throws Exception {
		ClientConnection client = client(track(ScriptedLineServer.start(0)).port(), 4096);
		ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
		List<Future<List<String>>> results = new ArrayList<>();
		for (int t = 0; t < 20; t++) {
			int thread = t;
			results.add(callers.submit(() -> {
				List<String> replies = new ArrayList<>();
				for (int i = 0; i < 100; i++) {
					replies.add(text(client.request(line("echo " + thread + ":" + i), WAIT)));
				}
				return replies;
			}));
		}
		for (int t = 0; t < 20; t++) {
			List<String> expected = new ArrayList<>();
			for (int i = 0; i < 100; i++) {
				expected.add(t + ":" + i);
			}
			assertThat(results.get(t).get(30, TimeUnit.SECONDS)).containsExactlyElementsOf(expected);
		}
		callers.close();
		assertThat(this.handler.kinds).containsExactly(ConnectKind.FIRST);
	}

	@Test
	void writesTheNextRequestWithoutWaitingForTheLastReply() throws Exception {
		// The server answers only once it holds three requests: a client waiting for each reply
		// before writing the next would never get one.
		ClientConnection client = client(track(ScriptedLineServer.start(0)).port(), 16);
		List<CompletableFuture<ByteBuffer>> replies = List.of(client.requestAsync(line("batch a"), WAIT),
				client.requestAsync(line("batch b"), WAIT), client.requestAsync(line("batch c"), WAIT));
		assertThat(replies.stream().map(CompletableFuture::join).map(ScriptedLineServer::text)).containsExactly("a",
				"b", "c");
	}

	@Test
	void requestsMadeBeforeTheServerListensWaitInTheQueueAndAreAnsweredOnceItComes() throws Exception {
		int port = freePort();
		ClientConnection client = client(port, 16);
		List<CompletableFuture<ByteBuffer>> early = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			early.add(client.requestAsync(line("echo early " + i), WAIT));
		}
		await().atMost(WAIT).until(() -> this.handler.errors.size() >= 3);
		assertThat(client.state()).isIn(ClientState.CONNECTING, ClientState.BACKING_OFF);
		assertThat(early).noneMatch(CompletableFuture::isDone);
		this.peers.servers.add(ScriptedLineServer.start(port));
		for (int i = 0; i < 5; i++) {
			assertThat(text(early.get(i).get(10, TimeUnit.SECONDS))).isEqualTo("early " + i);
		}
		assertThat(this.handler.kinds).containsExactly(ConnectKind.FIRST);
	}

	@Test
	void aServerRefusingForAWhileGivesTimeoutsThenSuccessWithoutAnyCallHangingPastItsTimeout() throws Exception {
		int port = freePort();
		ClientConnection client = client(port, 1024);
		Duration timeout = Duration.ofMillis(200);
		List<Throwable> failures = new ArrayList<>();
		long serverComesAt = System.nanoTime() + Duration.ofSeconds(2).toNanos();
		String reply = null;
		for (int i = 0; i < 100 && reply == null; i++) {
			if (this.peers.servers.isEmpty() && System.nanoTime() - serverComesAt > 0) {
				this.peers.servers.add(ScriptedLineServer.start(port));
			}
			long start = System.nanoTime();
			try {
				reply = text(client.request(line("echo back"), timeout));
			}
			catch (RequestTimeoutException ex) {
				failures.add(ex);
			}
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WAIT);
		}
		assertThat(reply).isEqualTo("back");
		// While refused, requests time out in the queue; once the server is back one may also time
		// out after it was written, if the loaded machine is slower than the 200 ms.
		assertThat(failures).anySatisfy((ex) -> assertThat(ex).hasMessageContaining("never sent"));
	}

	@Test
	void aFullQueueRefusesAtOnceAndADisabledQueueRefusesWhileNotConnected() throws Exception {
		int port = freePort();
		ClientConnection queueing = client(port, 2);
		queueing.requestAsync(line("echo 1"), WAIT);
		queueing.requestAsync(line("echo 2"), WAIT);
		assertThatExceptionOfType(QueueFullException.class)
			.isThrownBy(() -> queueing.request(line("echo 3"), WAIT))
			.withMessageContaining("queueSize");
		ClientConnection notQueueing = client(port, 0);
		assertThatExceptionOfType(NotConnectedException.class)
			.isThrownBy(() -> notQueueing.request(line("echo 1"), WAIT))
			.withMessageContaining("queueSize is 0");
	}

	@Test
	void requestsThatTimeOutInTheQueueLeaveItSoALongOutageCannotPileThemUp() throws Exception {
		ClientConnection client = client(freePort(), 3);
		for (int round = 0; round < 5; round++) {
			List<CompletableFuture<ByteBuffer>> waiting = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				waiting.add(client.requestAsync(line("echo " + i), Duration.ofMillis(50)));
			}
			for (CompletableFuture<ByteBuffer> request : waiting) {
				assertThat(request).failsWithin(WAIT)
					.withThrowableThat()
					.havingCause()
					.isInstanceOf(RequestTimeoutException.class);
			}
			assertThat(client.queued()).isZero();
			assertThat(client.outstanding()).isZero();
		}
	}

	@Test
	void withDropConnectionASentRequestWithoutAReplyTimesOutAndTheConnectionIsMadeAgain() throws Exception {
		ClientConnection client = start(ClientConfig.builder(Framing.line())
			.tcp(InetAddress.getLoopbackAddress().getHostAddress(), track(ScriptedLineServer.start(0)).port())
			.requestFraming(Framing.line())
			.queueSize(16)
			.backoff(FAST)
			.handler(this.handler)
			.onRequestTimeout(RequestTimeoutAction.DROP_CONNECTION)
			.build());
		assertThat(text(client.request(line("echo before"), WAIT))).isEqualTo("before");
		CompletableFuture<ByteBuffer> behind = client.requestAsync(line("echo behind"), WAIT);
		assertThatExceptionOfType(RequestTimeoutException.class)
			.isThrownBy(() -> client.request(line("ignore"), Duration.ofSeconds(1)))
			.withMessageContaining("dropped and made again");
		await().atMost(WAIT).until(() -> this.handler.timeouts.size() == 1);
		assertThat(text(client.request(line("echo after"), WAIT))).isEqualTo("after");
		assertThat(this.handler.kinds).containsExactly(ConnectKind.FIRST, ConnectKind.RECONNECT);
		// Written before the timed-out one, its reply came first: it was answered, not lost.
		assertThat(text(behind.get(1, TimeUnit.SECONDS))).isEqualTo("behind");
	}

	@Test
	void garbageTheFramingRejectsFailsTheOutstandingAsLostAndTheClientReconnects() throws Exception {
		ClientConfig config = config(track(ScriptedLineServer.start(0)).port(), 16, Framing.line().withMaxFrameSize(64));
		ClientConnection client = start(config);
		assertThatExceptionOfType(ConnectionLostException.class)
			.isThrownBy(() -> client.request(line("garbage"), WAIT))
			.withMessageContaining("may or may not have been executed")
			.withCauseInstanceOf(FrameTooLargeException.class);
		assertThat(text(client.request(line("echo fine"), WAIT))).isEqualTo("fine");
		assertThat(this.handler.errors).anySatisfy((ex) -> assertThat(ex).isInstanceOf(FrameTooLargeException.class));
		assertThat(this.handler.kinds).containsExactly(ConnectKind.FIRST, ConnectKind.RECONNECT);
	}

	@Test
	void moreRepliesThanRequestsIsAProtocolErrorThatDropsTheConnection() throws Exception {
		ClientConnection client = client(track(ScriptedLineServer.start(0)).port(), 16);
		assertThat(text(client.request(line("twice extra"), WAIT))).isEqualTo("extra");
		await().atMost(WAIT).until(() -> this.handler.kinds.size() == 2);
		assertThat(this.handler.errors).singleElement()
			.isInstanceOf(FramingException.class)
			.satisfies((ex) -> assertThat(ex).hasMessageContaining("more replies than requests"));
		assertThat(text(client.request(line("echo next"), WAIT))).isEqualTo("next");
	}

	@Test
	void aServerClosingMidReplyFailsTheRequestAsLostAndTheClientReconnects() throws Exception {
		ClientConnection client = client(track(ScriptedLineServer.start(0)).port(), 16);
		assertThatExceptionOfType(ConnectionLostException.class).isThrownBy(() -> client.request(line("half"), WAIT))
			.withMessageContaining("closed the connection")
			.withCauseInstanceOf(EOFException.class);
		assertThat(text(client.request(line("echo again"), WAIT))).isEqualTo("again");
		assertThat(this.handler.closes).isGreaterThanOrEqualTo(1);
	}

	@Test
	void stopLetsOutstandingRequestsFinishThenRefusesNewOnes() throws Exception {
		ClientConnection client = client(track(ScriptedLineServer.start(0)).port(), 16);
		client.request(line("echo up"), WAIT);
		List<CompletableFuture<ByteBuffer>> slow = List.of(client.requestAsync(line("slow one"), WAIT),
				client.requestAsync(line("slow two"), WAIT));
		assertThat(client.stop(WAIT)).isTrue();
		assertThat(slow.stream().map(CompletableFuture::join).map(ScriptedLineServer::text)).containsExactly("one",
				"two");
		assertThat(client.state()).isEqualTo(ClientState.STOPPED);
		assertThatExceptionOfType(NotConnectedException.class).isThrownBy(() -> client.request(line("echo late"), WAIT))
			.withMessageContaining("stopped");
	}

	@Test
	void stopFailsWhatIsStillOutstandingAtItsDeadline() throws Exception {
		ClientConnection client = client(track(ScriptedLineServer.start(0)).port(), 16);
		client.request(line("echo up"), WAIT);
		CompletableFuture<ByteBuffer> unanswered = client.requestAsync(line("ignore"), WAIT);
		await().atMost(WAIT).until(() -> client.queued() == 0);
		long start = System.nanoTime();
		assertThat(client.stop(Duration.ofMillis(200))).isFalse();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WAIT);
		assertThat(unanswered).failsWithin(Duration.ofSeconds(1))
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(ConnectionLostException.class)
			.withMessageContaining("stopped before the reply came");
	}

	@Test
	void aClientGivesUpAfterMaxAttemptsAndFailsRequestsAsNotConnected() throws Exception {
		ClientConfig config = ClientConfig.builder(Framing.line())
			.tcp("127.0.0.1", freePort())
			.backoff(FAST.withMaxAttempts(3))
			.handler(this.handler)
			.build();
		ClientConnection client = start(config);
		CompletableFuture<ByteBuffer> queued = client.requestAsync(line("echo never"), WAIT);
		await().atMost(WAIT).until(() -> client.state() == ClientState.FAILED);
		assertThat(this.handler.errors).hasSize(3);
		assertThat(queued).failsWithin(Duration.ofSeconds(1))
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(NotConnectedException.class);
		assertThatExceptionOfType(NotConnectedException.class).isThrownBy(() -> client.request(line("echo x"), WAIT))
			.withMessageContaining("gave up")
			.withCauseInstanceOf(IOException.class);
	}

	@Test
	void handleConnectionRequestsGoOutBeforeTheQueuedOnes() throws Exception {
		List<String> greetings = new CopyOnWriteArrayList<>();
		ClientHandler greeter = new ClientHandler() {
			@Override
			public void handleConnection(ClientConnection client, ConnectKind kind) {
				client.requestAsync(line("echo hello " + kind), WAIT).thenAccept((reply) -> greetings.add(text(reply)));
			}
		};
		int port = freePort();
		ClientConfig config = ClientConfig.builder(Framing.line())
			.tcp("127.0.0.1", port)
			.requestFraming(Framing.line())
			.backoff(FAST)
			.handler(greeter)
			.build();
		ClientConnection client = start(config);
		CompletableFuture<ByteBuffer> queued = client.requestAsync(ByteBuffer.wrap("echo queued".getBytes()), WAIT);
		this.peers.servers.add(ScriptedLineServer.start(port));
		assertThat(text(queued.get(10, TimeUnit.SECONDS))).isEqualTo("queued");
		assertThat(greetings).containsExactly("hello FIRST");
	}

	@Test
	void messagesRunOnTheClientsThreadWhereOnlyAsyncRequestsAreAllowed() throws Exception {
		CompletableFuture<String> outcome = new CompletableFuture<>();
		ClientHandler handler = new ClientHandler() {
			@Override
			public void handleMessage(Object message, ClientConnection client) {
				try {
					client.request(line("echo blocked"), WAIT);
					outcome.complete("a blocking request was allowed");
				}
				catch (IllegalStateException ex) {
					client.requestAsync(line("echo " + message), WAIT)
						.thenAccept((reply) -> outcome.complete(Thread.currentThread().getName() + " " + text(reply)));
				}
				catch (Exception ex) {
					outcome.completeExceptionally(ex);
				}
			}
		};
		ClientConfig config = ClientConfig.builder(Framing.line())
			.name("told")
			.tcp("127.0.0.1", track(ScriptedLineServer.start(0)).port())
			.requestFraming(Framing.line())
			.handler(handler)
			.build();
		ClientConnection client = start(config);
		client.tell("hello");
		assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo("thousand-island-client-told hello");
	}

	private ClientConnection client(int port, int queueSize) {
		return start(config(port, queueSize, Framing.line()));
	}

	private ClientConfig config(int port, int queueSize, Framing replies) {
		return ClientConfig.builder(replies)
			.tcp(InetAddress.getLoopbackAddress().getHostAddress(), port)
			.requestFraming(Framing.line())
			.queueSize(queueSize)
			.backoff(FAST)
			.connectTimeout(Duration.ofSeconds(2))
			.handler(this.handler)
			.build();
	}

	private ClientConnection start(ClientConfig config) {
		ClientConnection client = ClientConnection.start(config);
		this.peers.clients.add(client);
		return client;
	}

	private Server track(Server server) {
		this.peers.servers.add(server);
		return server;
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/** Records what the client told its handler. */
	static final class RecordingHandler implements ClientHandler {

		final List<ConnectKind> kinds = new CopyOnWriteArrayList<>();

		final List<Throwable> errors = new CopyOnWriteArrayList<>();

		final List<RequestTimeoutException> timeouts = new CopyOnWriteArrayList<>();

		volatile int closes;

		@Override
		public void handleConnection(ClientConnection client, ConnectKind kind) {
			this.kinds.add(kind);
		}

		@Override
		public void handleError(Throwable error, ClientConnection client) {
			this.errors.add(error);
		}

		@Override
		public void handleTimeout(RequestTimeoutException error, ClientConnection client) {
			this.timeouts.add(error);
		}

		@Override
		public void handleClose(ClientConnection client) {
			this.closes++;
		}

	}

}
