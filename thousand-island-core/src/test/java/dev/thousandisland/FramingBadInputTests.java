package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.framing.FrameTooLargeException;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.framing.FramingException;
import dev.thousandisland.framing.LengthPrefixedFraming;
import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that send what no framing should accept, over real sockets: each gets a defined
 * outcome, and a second connection open at the same time keeps being served.
 */
class FramingBadInputTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final int MAX = 1024;

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	private final List<Server> servers = new ArrayList<>();

	@AfterEach
	void stopServers() {
		this.servers.forEach((server) -> server.stop(Duration.ofSeconds(2)));
	}

	@Test
	void clientThatNeverSendsADelimiterGetsTheReplyAndEndsWithFrameTooLarge() throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(true);
		Server server = start(Framing.line().withMaxFrameSize(MAX).handler(handler), DataBuffers.OWNED);
		try (TestClient good = TestClient.connect(server); TestClient bad = TestClient.connect(server)) {
			assertEchoes(good, "before");
			bad.send("x".repeat(100 * MAX));
			assertThat(bad.read("ERR too large\n".length())).isEqualTo("ERR too large\n");
			assertThat(bad.isClosedByServer(WAIT)).isTrue();
			FrameTooLargeException ex = handler.tooLarge.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(ex.maxFrameSize()).isEqualTo(MAX);
			assertThat(ex.frameSize()).isBetween((long) MAX + 1, (long) MAX + 2);
			assertThat(handler.error.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isSameAs(ex);
			assertEchoes(good, "after");
		}
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP) == 2);
		TelemetryEvent event = this.telemetry.named(TelemetryEvent.CONNECTION_FRAME_TOO_LARGE).getFirst();
		assertThat(event.measurement("max_frame_size")).isEqualTo(MAX);
		assertThat(event.metadata()).containsEntry("reason", "frame_too_large");
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_FRAME_TOO_LARGE)).isEqualTo(1);
		assertThat(handler.frames).containsExactly("before", "after");
	}

	@Test
	void lengthHeaderOfTwoToTheThirtyFirstEndsTheConnectionWithoutWaitingForTheBody() throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(true);
		Server server = start(Framing.lengthPrefixed(4).withMaxFrameSize(MAX).handler(handler), DataBuffers.OWNED);
		try (TestClient good = TestClient.connect(server); TestClient bad = TestClient.connect(server)) {
			assertEchoesFrame(good, "before");
			bad.send(new byte[] { (byte) 0x80, 0, 0, 0 });
			// The reply is a frame of the connection's framing: a length header, then the text.
			assertThat(ByteBuffer.wrap(bad.readBytes(4)).getInt()).isEqualTo("ERR too large".length());
			assertThat(bad.read("ERR too large".length())).isEqualTo("ERR too large");
			assertThat(bad.isClosedByServer(WAIT)).isTrue();
			assertThat(handler.tooLarge.get(WAIT.toSeconds(), TimeUnit.SECONDS).frameSize()).isEqualTo(1L << 31);
			assertEchoesFrame(good, "after");
		}
		assertThat(handler.frames).containsExactly("before", "after");
	}

	@Test
	void lengthMadeNegativeByTheAdjustmentEndsTheConnectionWithABadHeader() throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(false);
		Framing framing = LengthPrefixedFraming.builder().lengthAdjustment(-4).maxFrameSize(MAX).build();
		Server server = start(framing.handler(handler), DataBuffers.OWNED);
		try (TestClient bad = TestClient.connect(server)) {
			bad.send(new byte[] { 0, 0, 0, 2 });
			assertThat(bad.isClosedByServer(WAIT)).isTrue();
		}
		assertThat(handler.error.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isExactlyInstanceOf(FramingException.class)
			.hasMessageContaining("the body would be -2 bytes");
		assertThat(handler.tooLarge).isNotDone();
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP) == 1);
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_FRAME_TOO_LARGE)).isZero();
	}

	@Test
	void frameSentOneByteAtATimeIsDeliveredOnceWhole() throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(true);
		Server server = start(Framing.line().withMaxFrameSize(MAX).handler(handler), DataBuffers.LENT_CHECKED);
		String line = "y".repeat(MAX);
		try (TestClient good = TestClient.connect(server); TestClient slow = TestClient.connect(server)) {
			slow.socket().setTcpNoDelay(true);
			for (byte b : (line + "\r\n").getBytes(StandardCharsets.US_ASCII)) {
				slow.send(new byte[] { b });
			}
			assertThat(slow.read(MAX + 1)).isEqualTo(line + "\n");
			assertEchoes(good, "unaffected");
		}
		assertThat(handler.frames).containsExactlyInAnyOrder(line, "unaffected");
	}

	@Test
	void tenThousandFramesInOnePacketAreDeliveredOneCallbackEachInOrder() throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(false);
		Server server = start(Framing.line().handler(handler), DataBuffers.LENT_CHECKED);
		StringBuilder packet = new StringBuilder();
		for (int i = 0; i < 10_000; i++) {
			packet.append(i).append('\n');
		}
		try (TestClient client = TestClient.connect(server)) {
			client.send(packet + "close\n");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		assertThat(handler.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
		assertThat(handler.frames).hasSize(10_001);
		for (int i = 0; i < 10_000; i++) {
			assertThat(handler.frames.get(i)).isEqualTo(Integer.toString(i));
		}
	}

	@Test
	void closeReturnedForTheThirdFrameStopsTheDeliveryOfTheRest() throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(false);
		Server server = start(Framing.line().handler(handler), DataBuffers.OWNED);
		try (TestClient client = TestClient.connect(server)) {
			client.send("1\n2\nclose\n4\n5\n");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		assertThat(handler.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
		assertThat(handler.frames).containsExactly("1", "2", "close");
	}

	@Test
	void clientClosingMidFrameEndsInHandleCloseWithThePartialFrameDropped() throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(true);
		Server server = start(Framing.line().handler(handler), DataBuffers.OWNED);
		try (TestClient good = TestClient.connect(server)) {
			try (TestClient bad = TestClient.connect(server)) {
				bad.send("whole\npartial");
				assertThat(bad.read(6)).isEqualTo("whole\n");
			}
			assertThat(handler.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("partial".length());
			assertEchoes(good, "unaffected");
		}
		assertThat(handler.frames).containsExactly("whole", "unaffected");
		assertThat(handler.error).isNotDone();
	}

	@Test
	void partialFrameFollowedBySilenceEndsInHandleTimeout() throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(true);
		Server server = ServerConfig.builder(Framing.line().handler(handler))
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.readTimeout(Duration.ofMillis(300))
			.telemetryListener(this.telemetry)
			.start();
		this.servers.add(server);
		try (TestClient client = TestClient.connect(server)) {
			client.send("no end");
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		assertThat(handler.timedOut.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("no end".length());
		assertThat(handler.frames).isEmpty();
	}

	private static void assertEchoes(TestClient client, String line) throws IOException {
		client.send(line + "\n");
		assertThat(client.read(line.length() + 1)).isEqualTo(line + "\n");
	}

	private static void assertEchoesFrame(TestClient client, String payload) throws IOException {
		byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
		client.send(ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).array());
		assertThat(ByteBuffer.wrap(client.readBytes(4)).getInt()).isEqualTo(bytes.length);
		assertThat(client.read(bytes.length)).isEqualTo(payload);
	}

	private Server start(Handler<?> handler, DataBuffers dataBuffers) throws IOException {
		Server server = ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.dataBuffers(dataBuffers)
			.telemetryListener(this.telemetry)
			.start();
		this.servers.add(server);
		return server;
	}

}
