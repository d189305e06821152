package dev.thousandisland;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.FramedSocket;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.framing.FramingException;
import dev.thousandisland.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Framed handlers over real sockets: frames the handler keeps, blocking reads that share the
 * connection's buffered bytes, gathering sends, TLS and STARTTLS.
 */
class FramedHandlerTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final TestCertificates certificates = TestCertificates.get();

	private final List<Server> servers = new ArrayList<>();

	@AfterEach
	void stopServers() {
		this.servers.forEach((server) -> server.stop(Duration.ofSeconds(2)));
	}

	@Test
	void framesKeptAfterTheCallbackStayIntactUnderCheckedLentBuffers() throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(true);
		Server server = start(Framing.line().handler(handler), Transport.plain(), DataBuffers.LENT_CHECKED);
		try (TestClient client = TestClient.connect(server)) {
			for (int i = 0; i < 20; i++) {
				client.send("first " + i + "\nsecond " + i + "\n");
				String expected = "first " + i + "\nsecond " + i + "\n";
				assertThat(client.read(expected.length())).isEqualTo(expected);
			}
		}
		assertThat(handler.keptFrames).hasSize(40);
		for (int i = 0; i < 20; i++) {
			assertThat(text(handler.keptFrames.get(2 * i))).isEqualTo("first " + i);
			assertThat(text(handler.keptFrames.get(2 * i + 1))).isEqualTo("second " + i);
			assertThat(handler.keptFrames.get(2 * i).hasArray()).isTrue();
		}
	}

	@Test
	void recvFrameTakesTheFramesAlreadyBufferedBeforeReadingTheSocket() throws Exception {
		FramedHandler<Void> handler = (frame, socket, state) -> {
			if (text(frame).equals("sum")) {
				int total = 0;
				for (int i = 0; i < 3; i++) {
					total += Integer.parseInt(text(socket.recvFrame(WAIT)));
				}
				socket.sendLine("total " + total);
			}
			else {
				socket.sendLine("frame " + text(frame));
			}
			return Result.continueWith(state);
		};
		Server server = start(Framing.line().handler(handler), Transport.plain(), DataBuffers.LENT);
		try (TestClient client = TestClient.connect(server)) {
			// Two numbers come with "sum" in one read, the third later; "after" follows at once.
			client.send("sum\n1\n2\n");
			Thread.sleep(100);
			client.send("3\nafter\n");
			assertThat(client.read("total 6\nframe after\n".length())).isEqualTo("total 6\nframe after\n");
		}
	}

	@Test
	void framesLeftBufferedByRecvFrameInHandleConnectionAreDeliveredWithoutNewData() throws Exception {
		FramedHandler<String> handler = new FramedHandler<>() {

			@Override
			public Result<String> handleConnection(FramedSocket socket, String state) throws Exception {
				return Result.continueWith(text(socket.recvFrame(WAIT)));
			}

			@Override
			public Result<String> handleFrame(ByteBuffer frame, FramedSocket socket, String greeting) throws Exception {
				socket.sendLine(greeting + ", " + text(frame));
				return Result.continueWith(greeting);
			}

		};
		Server server = start(Framing.line().handler(handler), Transport.plain(), DataBuffers.OWNED);
		try (TestClient client = TestClient.connect(server)) {
			client.send("hello\nworld\nagain\n");
			assertThat(client.read("hello, world\nhello, again\n".length()))
				.isEqualTo("hello, world\nhello, again\n");
		}
	}

	@Test
	void messagesToldToTheConnectionReachHandleMessageWithTheFramedSocket() throws Exception {
		CompletableFuture<Connection> connected = new CompletableFuture<>();
		FramedHandler<Void> handler = new FramedHandler<>() {

			@Override
			public Result<Void> handleConnection(FramedSocket socket, Void state) {
				connected.complete(socket.connection());
				return Result.continueWith(state);
			}

			@Override
			public Result<Void> handleFrame(ByteBuffer frame, FramedSocket socket, Void state) throws Exception {
				socket.sendLine("frame " + text(frame));
				return Result.continueWith(state);
			}

			@Override
			public Result<Void> handleMessage(Object message, FramedSocket socket, Void state) throws Exception {
				socket.sendLine("message " + message);
				return Result.continueWith(state);
			}

		};
		Server server = start(Framing.crlf().handler(handler), Transport.plain(), DataBuffers.OWNED);
		try (TestClient client = TestClient.connect(server)) {
			client.send("a\r\n");
			assertThat(client.read("frame a\r\n".length())).isEqualTo("frame a\r\n");
			assertThat(connected.get(WAIT.toSeconds(), TimeUnit.SECONDS).tell("ping")).isTrue();
			assertThat(client.read("message ping\r\n".length())).isEqualTo("message ping\r\n");
		}
	}

	@Test
	void readTimeoutSetByAnEarlierFrameOfTheSameReadStillApplies() throws Exception {
		RecordingFramedHandler recorder = new RecordingFramedHandler(false);
		FramedHandler<Void> handler = new FramedHandler<>() {

			@Override
			public Result<Void> handleFrame(ByteBuffer frame, FramedSocket socket, Void state) throws Exception {
				recorder.handleFrame(frame, socket, state);
				return text(frame).equals("short") ? Result.continueWith(state, Duration.ofMillis(200))
						: Result.continueWith(state);
			}

			@Override
			public void handleTimeout(FramedSocket socket, Void state) {
				recorder.handleTimeout(socket, state);
			}

		};
		// The server's own read timeout is far longer than the test may wait.
		Server server = ServerConfig.builder(Framing.line().handler(handler))
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.readTimeout(Duration.ofMinutes(10))
			.start();
		this.servers.add(server);
		try (TestClient client = TestClient.connect(server)) {
			client.send("short\nplain\n");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		assertThat(recorder.timedOut.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
		assertThat(recorder.frames).containsExactly("short", "plain");
	}

	@Test
	void rawRecvServesBufferedBytesFirst() throws Exception {
		// A header line announces a raw body, as HTTP's Content-Length does.
		FramedHandler<Void> handler = (frame, socket, state) -> {
			int length = Integer.parseInt(text(frame));
			socket.sendLine("body " + text(socket.recv(length)));
			return Result.continueWith(state);
		};
		Server server = start(Framing.line().handler(handler), Transport.plain(), DataBuffers.OWNED);
		try (TestClient client = TestClient.connect(server)) {
			client.send("10\nabc");
			Thread.sleep(100);
			client.send("defghij5\nvwxyz");
			assertThat(client.read("body abcdefghij\nbody vwxyz\n".length())).isEqualTo("body abcdefghij\nbody vwxyz\n");
		}
	}

	@Test
	void lengthPrefixedEchoSendsHeaderAndPayloadInOneWrite() throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(true);
		Server server = start(Framing.lengthPrefixed(2).handler(handler), Transport.plain(), DataBuffers.OWNED);
		try (TestClient client = TestClient.connect(server)) {
			byte[] big = "b".repeat(40_000).getBytes(StandardCharsets.US_ASCII);
			client.send(ByteBuffer.allocate(2 + 5 + 2 + big.length).putShort((short) 5).put("small".getBytes(
					StandardCharsets.US_ASCII)).putShort((short) big.length).put(big).array());
			assertThat(client.readBytes(2)).containsExactly(0, 5);
			assertThat(client.read(5)).isEqualTo("small");
			assertThat(ByteBuffer.wrap(client.readBytes(2)).getShort() & 0xFFFF).isEqualTo(big.length);
			assertThat(client.read(big.length)).isEqualTo("b".repeat(40_000));
			// One Socket.send per frame, header and payload together. The count is taken after the write
			// returns, so the client can have read the bytes a moment before it moves: wait for it.
			await().atMost(WAIT).untilAsserted(() -> assertThat(server.connections())
				.singleElement()
				.satisfies((connection) -> assertThat(connection.stats().sendCnt()).isEqualTo(2)));
		}
	}

	@Test
	void lineEchoOverTls() throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(true);
		Server server = start(Framing.crlf().handler(handler), Transport.tls(this.certificates.serverContext()),
				DataBuffers.OWNED);
		try (SSLSocket tls = (SSLSocket) this.certificates.clientContext().getSocketFactory().createSocket()) {
			tls.connect(server.listenerInfo().orElseThrow(), (int) WAIT.toMillis());
			tls.setSoTimeout((int) WAIT.toMillis());
			tls.getOutputStream().write("one\r\ntw".getBytes(StandardCharsets.US_ASCII));
			tls.getOutputStream().flush();
			tls.getOutputStream().write("o\r\n".getBytes(StandardCharsets.US_ASCII));
			BufferedReader lines = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII));
			assertThat(lines.readLine()).isEqualTo("one");
			assertThat(lines.readLine()).isEqualTo("two");
		}
		assertThat(handler.frames).containsExactly("one", "two");
	}

	@Test
	void startTlsAfterALineNegotiationCarriesOnWithLinesOverTls() throws Exception {
		Server server = start(Framing.line().handler(startTlsHandler()), Transport.plain(), DataBuffers.OWNED);
		try (java.net.Socket plain = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
			plain.setSoTimeout((int) WAIT.toMillis());
			plain.getOutputStream().write("hello\nSTARTTLS\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(readLine(plain)).isEqualTo("plain hello");
			assertThat(readLine(plain)).isEqualTo("OK begin TLS");
			try (SSLSocket tls = (SSLSocket) this.certificates.clientContext()
				.getSocketFactory()
				.createSocket(plain, "localhost", server.port(), true)) {
				tls.setSoTimeout((int) WAIT.toMillis());
				tls.getOutputStream().write("secret\n".getBytes(StandardCharsets.US_ASCII));
				BufferedReader lines = new BufferedReader(new InputStreamReader(tls.getInputStream(),
						StandardCharsets.US_ASCII));
				assertThat(lines.readLine()).isEqualTo("tls secret");
			}
		}
	}

	@Test
	void startTlsWithBytesAlreadyBufferedAfterItEndsWithAClearError() throws Exception {
		CompletableFuture<Throwable> error = new CompletableFuture<>();
		FramedHandler<Void> startTls = startTlsHandler();
		FramedHandler<Void> handler = new FramedHandler<>() {

			@Override
			public Result<Void> handleFrame(ByteBuffer frame, FramedSocket socket, Void state) throws Exception {
				return startTls.handleFrame(frame, socket, state);
			}

			@Override
			public void handleError(Throwable failure, FramedSocket socket, Void state) {
				error.complete(failure);
			}

		};
		Server server = start(Framing.line().handler(handler), Transport.plain(), DataBuffers.OWNED);
		try (TestClient client = TestClient.connect(server)) {
			client.send("STARTTLS\nEHLO injected\n");
			assertThat(client.read("OK begin TLS\n".length())).isEqualTo("OK begin TLS\n");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		assertThat(error.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isExactlyInstanceOf(FramingException.class)
			.hasMessageContaining("STARTTLS refused: 14 bytes arrived after the frame");
	}

	private FramedHandler<Void> startTlsHandler() {
		Transport tls = Transport.tls(this.certificates.serverContext());
		return (frame, socket, state) -> {
			String line = text(frame);
			if (line.equals("STARTTLS")) {
				socket.sendLine("OK begin TLS");
				return Result.switchTransport(tls, state);
			}
			socket.sendLine((socket.isSecure() ? "tls " : "plain ") + line);
			return Result.continueWith(state);
		};
	}

	/** Reads one LF-ended line byte by byte, so that nothing after it is consumed. */
	private static String readLine(java.net.Socket socket) throws IOException {
		StringBuilder line = new StringBuilder();
		int b;
		while ((b = socket.getInputStream().read()) != '\n') {
			if (b < 0) {
				throw new IOException("Closed after " + line);
			}
			line.append((char) b);
		}
		return line.toString();
	}

	private static String text(ByteBuffer frame) {
		return StandardCharsets.UTF_8.decode(frame.duplicate()).toString();
	}

	private Server start(Handler<?> handler, Transport transport, DataBuffers dataBuffers) throws IOException {
		Server server = ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.transport(transport)
			.handshakeTimeout(WAIT)
			.dataBuffers(dataBuffers)
			.start();
		this.servers.add(server);
		return server;
	}

}
