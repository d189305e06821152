package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.thousandisland.telemetry.Span;
import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Telemetry over real loopback connections: one start and one stop (or exception) per span on
 * every path that ends a connection, the measurements and metadata of each event, and the span
 * tree listener → acceptor → connection → handler spans.
 */
class TelemetryTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final int CONNECTIONS = 20;

	private final List<Server> servers = new ArrayList<>();

	private final List<TestClient> clients = new ArrayList<>();

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	@AfterEach
	void closeClientsAndStopServers() throws IOException {
		for (TestClient client : this.clients) {
			client.close();
		}
		for (Server server : this.servers) {
			server.stop(Duration.ofSeconds(2));
		}
	}

	@Test
	void aClientCloseEndsEachConnectionWithOneCleanStop() throws Exception {
		AtomicInteger closes = new AtomicInteger();
		Server server = start(new Handler<Void>() {
			@Override
			public void handleClose(Socket socket, Void state) {
				closes.incrementAndGet();
			}
		});
		connect(server, CONNECTIONS);
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_READY) == CONNECTIONS);
		for (TestClient client : this.clients) {
			client.close();
		}
		Map<Long, TelemetryEvent> ends = awaitEnds(server, CONNECTIONS);
		assertThat(ends.values()).allSatisfy((end) -> {
			assertThat(end.name()).isEqualTo(TelemetryEvent.CONNECTION_STOP);
			assertThat(end.metadata()).doesNotContainKey("error");
		});
		assertThat(closes).hasValue(CONNECTIONS);
	}

	@Test
	void aCloseResultEndsEachConnectionWithOneCleanStop() throws Exception {
		AtomicInteger closes = new AtomicInteger();
		Server server = start(new Handler<Void>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) {
				return Result.close(state);
			}

			@Override
			public void handleClose(Socket socket, Void state) {
				closes.incrementAndGet();
			}
		});
		connect(server, CONNECTIONS);
		assertAllClientsClosedByServer();
		Map<Long, TelemetryEvent> ends = awaitEnds(server, CONNECTIONS);
		assertThat(ends.values()).allSatisfy((end) -> {
			assertThat(end.name()).isEqualTo(TelemetryEvent.CONNECTION_STOP);
			assertThat(end.metadata()).doesNotContainKey("error");
		});
		assertThat(closes).hasValue(CONNECTIONS);
	}

	@Test
	void anErrorResultEndsEachConnectionWithOneStopCarryingTheError() throws Exception {
		AtomicInteger errors = new AtomicInteger();
		Server server = start(new Handler<Void>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) {
				return Result.error(new IOException("nope"), state);
			}

			@Override
			public void handleError(Throwable error, Socket socket, Void state) {
				errors.incrementAndGet();
			}
		}, (builder) -> builder.silentTerminateOnError(true));
		connect(server, CONNECTIONS);
		assertAllClientsClosedByServer();
		Map<Long, TelemetryEvent> ends = awaitEnds(server, CONNECTIONS);
		assertThat(ends.values()).allSatisfy((end) -> {
			assertThat(end.name()).isEqualTo(TelemetryEvent.CONNECTION_STOP);
			assertThat(String.valueOf(end.metadata().get("error"))).contains("nope");
			assertThat(end.measurements()).containsEntry("send_oct", 0L)
				.containsEntry("send_cnt", 0L)
				.containsEntry("recv_oct", 0L)
				.containsEntry("recv_cnt", 0L);
		});
		assertThat(errors).hasValue(CONNECTIONS);
	}

	@Test
	void aThrownExceptionEndsEachConnectionWithOneExceptionEventInsteadOfAStop() throws Exception {
		AtomicInteger errors = new AtomicInteger();
		Server server = start(new Handler<Void>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) {
				throw new IllegalStateException("boom");
			}

			@Override
			public void handleError(Throwable error, Socket socket, Void state) {
				if (error instanceof IllegalStateException && "boom".equals(error.getMessage())) {
					errors.incrementAndGet();
				}
			}
		});
		connect(server, CONNECTIONS);
		assertAllClientsClosedByServer();
		Map<Long, TelemetryEvent> ends = awaitEnds(server, CONNECTIONS);
		assertThat(ends.values()).allSatisfy((end) -> {
			assertThat(end.name()).isEqualTo(TelemetryEvent.CONNECTION_EXCEPTION);
			assertThat(end.metadata().get("exception")).isInstanceOf(IllegalStateException.class);
			assertThat(String.valueOf(end.metadata().get("error"))).contains("boom");
			assertThat(end.measurements()).containsKeys("duration", "send_oct", "send_cnt", "recv_oct", "recv_cnt");
		});
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_STOP)).isZero();
		assertThat(errors).hasValue(CONNECTIONS);
	}

	@Test
	void aReadTimeoutEndsEachConnectionWithOneStopCarryingTimeout() throws Exception {
		AtomicInteger timeouts = new AtomicInteger();
		Server server = start(new Handler<Void>() {
			@Override
			public void handleTimeout(Socket socket, Void state) {
				timeouts.incrementAndGet();
			}
		}, (builder) -> builder.readTimeout(Duration.ofMillis(150)));
		connect(server, CONNECTIONS);
		assertAllClientsClosedByServer();
		Map<Long, TelemetryEvent> ends = awaitEnds(server, CONNECTIONS);
		assertThat(ends.values()).allSatisfy((end) -> {
			assertThat(end.name()).isEqualTo(TelemetryEvent.CONNECTION_STOP);
			assertThat(end.metadata()).containsEntry("error", "timeout");
		});
		assertThat(timeouts).hasValue(CONNECTIONS);
	}

	@Test
	void aServerShutdownEndsEachConnectionThroughHandleShutdownWithOneCleanStop() throws Exception {
		AtomicInteger shutdowns = new AtomicInteger();
		Server server = start(new Handler<Void>() {
			@Override
			public void handleShutdown(Socket socket, Void state) throws Exception {
				socket.send("GOODBYE".getBytes(StandardCharsets.US_ASCII));
				shutdowns.incrementAndGet();
			}
		});
		connect(server, CONNECTIONS);
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_READY) == CONNECTIONS);
		server.stop();
		for (TestClient client : this.clients) {
			assertThat(client.read(7)).isEqualTo("GOODBYE");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		Map<Long, TelemetryEvent> ends = awaitEnds(server, CONNECTIONS);
		assertThat(ends.values()).allSatisfy((end) -> {
			assertThat(end.name()).isEqualTo(TelemetryEvent.CONNECTION_STOP);
			assertThat(end.metadata()).doesNotContainKey("error");
			assertThat(end.measurements()).containsEntry("send_oct", 7L).containsEntry("send_cnt", 1L);
		});
		assertThat(shutdowns).hasValue(CONNECTIONS);
	}

	@Test
	void aConnectionStillOpenAtTheShutdownTimeoutIsClosedWithOneStopCarryingShutdownTimeout() throws Exception {
		CountDownLatch shutdownsLeft = new CountDownLatch(CONNECTIONS);
		Server server = start(new Handler<Void>() {
			@Override
			public void handleShutdown(Socket socket, Void state) throws Exception {
				try {
					Thread.sleep(Duration.ofSeconds(20));
				}
				finally {
					shutdownsLeft.countDown();
				}
			}
		}, (builder) -> builder.shutdownTimeout(Duration.ofMillis(300)));
		connect(server, CONNECTIONS);
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_READY) == CONNECTIONS);
		server.stop();
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
		assertAllClientsClosedByServer();
		// The handlers still blocked in handleShutdown leave it when interrupted; nothing they do
		// afterwards may emit a second end event.
		assertThat(shutdownsLeft.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		Map<Long, TelemetryEvent> ends = awaitEnds(server, CONNECTIONS);
		assertThat(ends.values()).allSatisfy((end) -> {
			assertThat(end.name()).isEqualTo(TelemetryEvent.CONNECTION_STOP);
			assertThat(end.metadata()).containsEntry("error", "shutdown_timeout");
		});
	}

	@Test
	void closingAConnectionFromOutsideEndsItWithOneCleanStop() throws Exception {
		AtomicInteger closes = new AtomicInteger();
		Server server = start(new Handler<Void>() {
			@Override
			public void handleClose(Socket socket, Void state) {
				closes.incrementAndGet();
			}
		});
		connect(server, CONNECTIONS);
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_READY) == CONNECTIONS);
		assertThat(server.connections()).hasSize(CONNECTIONS);
		server.connections().forEach(Connection::close);
		assertAllClientsClosedByServer();
		Map<Long, TelemetryEvent> ends = awaitEnds(server, CONNECTIONS);
		assertThat(ends.values()).allSatisfy((end) -> {
			assertThat(end.name()).isEqualTo(TelemetryEvent.CONNECTION_STOP);
			assertThat(end.metadata()).doesNotContainKey("error");
		});
		await().atMost(WAIT).until(() -> closes.get() == CONNECTIONS);
	}

	@Test
	void anInitialStateThatThrowsEmitsASpawnErrorAndNoConnectionSpan() throws Exception {
		AtomicInteger callbacks = new AtomicInteger();
		Server server = start(new Handler<Object>() {
			@Override
			public Object initialState() {
				throw new IllegalStateException("no state");
			}

			@Override
			public Result<Object> handleConnection(Socket socket, Object state) {
				callbacks.incrementAndGet();
				return Result.continueWith(state);
			}

			@Override
			public void handleError(Throwable error, Socket socket, Object state) {
				callbacks.incrementAndGet();
			}

			@Override
			public void handleClose(Socket socket, Object state) {
				callbacks.incrementAndGet();
			}
		});
		connect(server, CONNECTIONS);
		assertAllClientsClosedByServer();
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.ACCEPTOR_SPAWN_ERROR) == CONNECTIONS);
		await().atMost(WAIT).until(() -> server.activeConnections() == 0);
		assertThat(this.telemetry.named(TelemetryEvent.ACCEPTOR_SPAWN_ERROR)).allSatisfy((event) -> {
			assertThat(event.span().kind()).isEqualTo("acceptor");
			assertThat(String.valueOf(event.metadata().get("error"))).contains("no state");
		});
		server.stop();
		assertThat(this.telemetry.events()).noneMatch((event) -> event.name().startsWith("connection."));
		assertThat(callbacks).hasValue(0);
	}

	@Test
	void connectionStartCarriesTheClientAddressAndTheAcceptTime() throws Exception {
		Handler<Void> handler = new Handler<>() {
		};
		Server server = start(handler, (builder) -> builder.name("telemetry-test"));
		TestClient client = connect(server, 1).get(0);
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_READY) == 1);
		TelemetryEvent start = this.telemetry.named(TelemetryEvent.CONNECTION_START).get(0);
		assertThat(start.metadata()).containsEntry("remote_address", client.socket().getLocalAddress())
			.containsEntry("remote_port", client.socket().getLocalPort())
			.containsEntry("server", "telemetry-test")
			.containsEntry("handler", handler.getClass().getName())
			.containsEntry("transport", "tcp")
			.containsEntry("connection_id", server.connections().get(0).id());
		assertThat(start.monotonicTime()).isEqualTo(start.span().startTime());
		assertThat(start.span().kind()).isEqualTo("connection");
		assertThat(start.span().parent().kind()).isEqualTo("acceptor");
		assertThat(start.measurements()).isEmpty();
		client.close();
		TelemetryEvent stop = awaitEnds(server, 1).values().iterator().next();
		assertThat(stop.metadata()).containsAllEntriesOf(start.metadata());
	}

	@Test
	void readyFiresAfterStartAndBeforeHandleConnection() throws Exception {
		CompletableFuture<List<String>> seenByHandleConnection = new CompletableFuture<>();
		Server server = start(new Handler<Void>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) {
				seenByHandleConnection.complete(eventNamesOf(socket.telemetrySpan()));
				return Result.close(state);
			}
		});
		connect(server, 1);
		assertThat(get(seenByHandleConnection)).containsExactly(TelemetryEvent.CONNECTION_START,
				TelemetryEvent.CONNECTION_READY);
		awaitEnds(server, 1);
		TelemetryEvent start = this.telemetry.named(TelemetryEvent.CONNECTION_START).get(0);
		TelemetryEvent ready = this.telemetry.named(TelemetryEvent.CONNECTION_READY).get(0);
		assertThat(ready.span()).isSameAs(start.span());
		assertThat(ready.monotonicTime()).isGreaterThanOrEqualTo(start.monotonicTime());
		assertThat(this.telemetry.events()).containsSubsequence(start, ready,
				this.telemetry.named(TelemetryEvent.CONNECTION_STOP).get(0));
	}

	@Test
	void stopMeasuresTheBytesSentAndReceivedAndTheDuration() throws Exception {
		Server server = start(new Handler<Void>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) throws Exception {
				socket.send("HELLO".getBytes(StandardCharsets.US_ASCII));
				return Result.continueWith(state);
			}
		});
		TestClient client = connect(server, 1).get(0);
		assertThat(client.read(5)).isEqualTo("HELLO");
		client.close();
		TelemetryEvent stop = awaitEnds(server, 1).values().iterator().next();
		TelemetryEvent start = this.telemetry.named(TelemetryEvent.CONNECTION_START).get(0);
		assertThat(stop.name()).isEqualTo(TelemetryEvent.CONNECTION_STOP);
		assertThat(stop.measurements()).containsEntry("send_oct", 5L)
			.containsEntry("send_cnt", 1L)
			.containsEntry("recv_oct", 0L)
			.containsEntry("recv_cnt", 0L);
		assertThat(stop.measurement("duration")).isPositive()
			.isEqualTo(stop.monotonicTime() - start.monotonicTime());
	}

	@Test
	void receiveAndSendEventsCarryByteCountsButNoPayloadByDefault() throws Exception {
		Server server = start(new PingPongHandler());
		pingPong(server);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_RECV)).singleElement()
			.satisfies((event) -> assertThat(event.measurements()).isEqualTo(Map.of("bytes", 4L)));
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_ASYNC_RECV)).singleElement()
			.satisfies((event) -> assertThat(event.measurements()).isEqualTo(Map.of("bytes", 5L)));
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_SEND)).extracting(TelemetryEvent::measurements)
			.containsExactly(Map.of("bytes", 4L), Map.of("bytes", 5L));
	}

	@Test
	void receiveAndSendEventsCarryACopyOfThePayloadWhenEnabled() throws Exception {
		Server server = start(new PingPongHandler(), (builder) -> builder.telemetryPayloads(true));
		pingPong(server);
		TelemetryEvent recv = this.telemetry.named(TelemetryEvent.CONNECTION_RECV).get(0);
		assertThat(recv.measurement("bytes")).isEqualTo(4);
		assertThat((byte[]) recv.measurements().get("data")).isEqualTo(ascii("ping"));
		TelemetryEvent asyncRecv = this.telemetry.named(TelemetryEvent.CONNECTION_ASYNC_RECV).get(0);
		assertThat(asyncRecv.measurement("bytes")).isEqualTo(5);
		assertThat((byte[]) asyncRecv.measurements().get("data")).isEqualTo(ascii("hello"));
		List<TelemetryEvent> sends = this.telemetry.named(TelemetryEvent.CONNECTION_SEND);
		assertThat(sends).hasSize(2);
		assertThat(sends.get(0).measurement("bytes")).isEqualTo(4);
		assertThat((byte[]) sends.get(0).measurements().get("data")).as("a gathering send's buffers, joined")
			.isEqualTo(ascii("pong"));
		assertThat(sends.get(1).measurement("bytes")).isEqualTo(5);
		assertThat((byte[]) sends.get(1).measurements().get("data")).isEqualTo(ascii("hello"));
	}

	@Test
	void listenerAndAcceptorSpansReportTheirAddressAndTheConnectionsEachAcceptorTook() throws Exception {
		int acceptors = 3;
		int connections = 9;
		Server server = start(new Handler<Void>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) {
				return Result.close(state);
			}
		}, (builder) -> builder.numAcceptors(acceptors));
		int port = server.port();
		connect(server, connections);
		assertAllClientsClosedByServer();
		awaitEnds(server, connections);
		server.stop();

		TelemetryEvent listenerStart = this.telemetry.named(TelemetryEvent.LISTENER_START).get(0);
		assertThat(this.telemetry.named(TelemetryEvent.LISTENER_START)).hasSize(1);
		assertThat(listenerStart.metadata()).containsEntry("local_address", InetAddress.getLoopbackAddress())
			.containsEntry("local_port", port);
		Span listener = listenerStart.span();
		assertThat(listener.kind()).isEqualTo("listener");
		assertThat(listener.parent()).isNull();
		assertThat(this.telemetry.named(TelemetryEvent.LISTENER_STOP)).singleElement().satisfies((stop) -> {
			assertThat(stop.span()).isSameAs(listener);
			assertThat(stop.measurement("duration")).isPositive();
		});

		List<TelemetryEvent> acceptorStarts = this.telemetry.named(TelemetryEvent.ACCEPTOR_START);
		List<TelemetryEvent> acceptorStops = this.telemetry.named(TelemetryEvent.ACCEPTOR_STOP);
		assertThat(acceptorStarts).hasSize(acceptors)
			.allSatisfy((start) -> assertThat(start.span().parent()).isSameAs(listener));
		assertThat(acceptorStarts).extracting((start) -> start.metadata().get("acceptor_id"))
			.containsExactlyInAnyOrder(0, 1, 2);
		assertThat(acceptorStops).hasSize(acceptors);
		assertThat(acceptorStops).extracting(TelemetryEvent::span)
			.containsExactlyInAnyOrderElementsOf(acceptorStarts.stream().map(TelemetryEvent::span).toList());

		List<TelemetryEvent> connectionStarts = this.telemetry.named(TelemetryEvent.CONNECTION_START);
		assertThat(connectionStarts).hasSize(connections)
			.allSatisfy((start) -> assertThat(start.span().parent().parent()).isSameAs(listener));
		Map<Span, Long> acceptedBy = connectionStarts.stream()
			.collect(Collectors.groupingBy((start) -> start.span().parent(), Collectors.counting()));
		long total = 0;
		for (TelemetryEvent stop : acceptorStops) {
			assertThat(stop.measurement("connections")).as("connections of %s", stop.span())
				.isEqualTo(acceptedBy.getOrDefault(stop.span(), 0L));
			total += stop.measurement("connections");
		}
		assertThat(total).isEqualTo(connections);
	}

	@Test
	void aTelemetryListenerThatThrowsDoesNotBreakConnections() throws Exception {
		AtomicInteger failures = new AtomicInteger();
		Server server = ServerConfig.builder(new Handler<Void>() {
			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				socket.send(data);
				return Result.continueWith(state);
			}
		})
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.telemetryListener((event) -> {
				failures.incrementAndGet();
				throw new IllegalStateException("listener failed on " + event.name());
			})
			.telemetryListener(this.telemetry)
			.start();
		this.servers.add(server);
		for (TestClient client : connect(server, 5)) {
			client.send("echo me");
			assertThat(client.read(7)).isEqualTo("echo me");
			client.close();
		}
		awaitEnds(server, 5);
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_SEND)).isEqualTo(5);
		assertThat(failures.get()).as("the failing listener saw every event the recorder saw")
			.isEqualTo(this.telemetry.events().size());
	}

	@Test
	void aSpanStartedUnderTheConnectionSpanEmitsItsStartAndStopExactlyOnce() throws Exception {
		CompletableFuture<List<Boolean>> ends = new CompletableFuture<>();
		CompletableFuture<Span> requestSpan = new CompletableFuture<>();
		Server server = start(new Handler<Void>() {
			@Override
			public Result<Void> handleConnection(Socket socket, Void state) throws Exception {
				Span request = socket.telemetrySpan().startChild("request", Map.of("path", "/index"));
				requestSpan.complete(request);
				request.event("body", Map.of("bytes", 3L), Map.of());
				socket.send("hey".getBytes(StandardCharsets.US_ASCII));
				ends.complete(List.of(request.stop(Map.of("status", 200L), null), request.stop(Map.of(), "again"),
						request.exception(Map.of(), new IllegalStateException("late"))));
				return Result.close(state);
			}
		});
		TestClient client = connect(server, 1).get(0);
		assertThat(client.read(3)).isEqualTo("hey");
		assertThat(get(ends)).containsExactly(true, false, false);
		awaitEnds(server, 1);
		Span request = get(requestSpan);
		Span connection = this.telemetry.named(TelemetryEvent.CONNECTION_START).get(0).span();
		assertThat(request.parent()).isSameAs(connection);
		assertThat(request.kind()).isEqualTo("request");
		assertThat(request.isEnded()).isTrue();

		TelemetryEvent start = this.telemetry.named("request.start").get(0);
		TelemetryEvent body = this.telemetry.named("request.body").get(0);
		TelemetryEvent stop = this.telemetry.named("request.stop").get(0);
		assertThat(this.telemetry.named("request.start")).hasSize(1);
		assertThat(this.telemetry.named("request.stop")).hasSize(1);
		assertThat(this.telemetry.named("request.exception")).isEmpty();
		assertThat(List.of(start, body, stop)).allSatisfy((event) -> assertThat(event.span()).isSameAs(request));
		assertThat(start.metadata()).containsEntry("path", "/index");
		assertThat(start.monotonicTime()).isEqualTo(request.startTime());
		assertThat(body.measurements()).containsEntry("bytes", 3L);
		assertThat(stop.metadata()).containsEntry("path", "/index").doesNotContainKey("error");
		assertThat(stop.measurements()).containsEntry("status", 200L);
		assertThat(stop.measurement("duration")).isEqualTo(stop.monotonicTime() - request.startTime());
		assertThat(this.telemetry.events()).containsSubsequence(
				this.telemetry.named(TelemetryEvent.CONNECTION_START).get(0), start, body, stop,
				this.telemetry.named(TelemetryEvent.CONNECTION_STOP).get(0));
	}

	private Server start(Handler<?> handler) throws IOException {
		return start(handler, (builder) -> {
		});
	}

	private Server start(Handler<?> handler, Consumer<ServerConfig.Builder> customizer) throws IOException {
		ServerConfig.Builder builder = ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(4)
			.shutdownTimeout(Duration.ofSeconds(5))
			.telemetryListener(this.telemetry);
		customizer.accept(builder);
		Server server = builder.start();
		this.servers.add(server);
		return server;
	}

	private List<TestClient> connect(Server server, int count) throws IOException {
		List<TestClient> connected = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			TestClient client = TestClient.connect(server);
			this.clients.add(client);
			connected.add(client);
		}
		return connected;
	}

	private void assertAllClientsClosedByServer() throws IOException {
		for (TestClient client : this.clients) {
			assertThat(client.isClosedByServer(WAIT)).as("client closed by the server").isTrue();
		}
	}

	/**
	 * Waits until {@code count} connections have ended and the server counts none, then checks
	 * that every connection emitted exactly one start and exactly one stop or exception, on the
	 * same span.
	 * @return each connection's end event, by connection id
	 */
	private Map<Long, TelemetryEvent> awaitEnds(Server server, int count) {
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP)
				+ this.telemetry.count(TelemetryEvent.CONNECTION_EXCEPTION) >= count);
		await().atMost(WAIT).until(() -> server.activeConnections() == 0);
		Map<Long, List<TelemetryEvent>> starts = byConnectionId(this.telemetry.named(TelemetryEvent.CONNECTION_START));
		List<TelemetryEvent> endEvents = new ArrayList<>(this.telemetry.named(TelemetryEvent.CONNECTION_STOP));
		endEvents.addAll(this.telemetry.named(TelemetryEvent.CONNECTION_EXCEPTION));
		Map<Long, List<TelemetryEvent>> ends = byConnectionId(endEvents);
		assertThat(starts).as("connection.start events by connection_id").hasSize(count);
		assertThat(starts.values()).as("connection.start events of one connection").allSatisfy((events) ->
				assertThat(events).hasSize(1));
		assertThat(ends.keySet()).as("connections that ended").isEqualTo(starts.keySet());
		assertThat(ends.values()).as("connection.stop and connection.exception events of one connection")
			.allSatisfy((events) -> assertThat(events).hasSize(1));
		Map<Long, TelemetryEvent> result = new HashMap<>();
		ends.forEach((id, events) -> {
			assertThat(events.get(0).span()).isSameAs(starts.get(id).get(0).span());
			result.put(id, events.get(0));
		});
		return result;
	}

	private static Map<Long, List<TelemetryEvent>> byConnectionId(List<TelemetryEvent> events) {
		return events.stream().collect(Collectors.groupingBy((event) -> (Long) event.metadata().get("connection_id")));
	}

	/** The names of the events recorded so far for one span. */
	private List<String> eventNamesOf(Span span) {
		return this.telemetry.events()
			.stream()
			.filter((event) -> event.span() == span)
			.map(TelemetryEvent::name)
			.toList();
	}

	/** Client: "ping", then "hello". Server: recv(4), a gathering send of "po" + "ng", then echoes data. */
	private void pingPong(Server server) throws Exception {
		TestClient client = connect(server, 1).get(0);
		client.send("ping");
		assertThat(client.read(4)).isEqualTo("pong");
		client.send("hello");
		assertThat(client.read(5)).isEqualTo("hello");
		client.close();
		awaitEnds(server, 1);
	}

	private static <T> T get(CompletableFuture<T> future) throws Exception {
		return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	private static final class PingPongHandler implements Handler<Void> {

		@Override
		public Result<Void> handleConnection(Socket socket, Void state) throws Exception {
			socket.recv(4);
			socket.send(ByteBuffer.wrap(ascii("po")), ByteBuffer.wrap(ascii("ng")));
			return Result.continueWith(state);
		}

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

}
