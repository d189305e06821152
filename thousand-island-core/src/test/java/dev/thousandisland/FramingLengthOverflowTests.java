package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.thousandisland.framing.FrameTooLargeException;
import dev.thousandisland.framing.FramingException;
import dev.thousandisland.framing.LengthPrefixedFraming;
import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Length headers at the edges of what a length field and an adjustment can add up to, over real
 * sockets: every body over the maximum, however close to 2^64 (where a 64-bit sum wraps), ends
 * the connection the documented way ({@code handleFrameTooLarge}, a
 * {@code connection.frame_too_large} event, the announced size in the exception); only a body
 * made negative by the adjustment is a plain {@link FramingException}; and a body of exactly the
 * maximum is a frame.
 */
class FramingLengthOverflowTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final int MAX = 1024;

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	private final List<Server> servers = new ArrayList<>();

	@AfterEach
	void stopServers() {
		this.servers.forEach((server) -> server.stop(Duration.ofSeconds(2)));
	}

	static Stream<Arguments> tooLarge() {
		return Stream.of(
				// Issue 24: the sum is exactly 2^63, which a signed 64-bit addition makes Long.MIN_VALUE.
				Arguments.of(8, ByteOrder.BIG_ENDIAN, 4, "7ffffffffffffffc", "9223372036854775808"),
				Arguments.of(8, ByteOrder.BIG_ENDIAN, 1, "7fffffffffffffff", "9223372036854775808"),
				Arguments.of(8, ByteOrder.LITTLE_ENDIAN, Integer.MAX_VALUE, "fcffffffffffff7f",
						"9223372039002259451"),
				// Past 2^64: the announced size saturates at 2^64 - 1.
				Arguments.of(8, ByteOrder.BIG_ENDIAN, 1, "ffffffffffffffff", "18446744073709551615"),
				Arguments.of(8, ByteOrder.BIG_ENDIAN, -8, "ffffffffffffffff", "18446744073709551607"),
				Arguments.of(8, ByteOrder.BIG_ENDIAN, Integer.MIN_VALUE, "8000000000000000", "9223372034707292160"),
				Arguments.of(4, ByteOrder.BIG_ENDIAN, Integer.MAX_VALUE, "ffffffff", "6442450942"),
				Arguments.of(4, ByteOrder.BIG_ENDIAN, 0, "ffffffff", "4294967295"),
				Arguments.of(4, ByteOrder.BIG_ENDIAN, -4, "ffffffff", "4294967291"),
				// The adjustment alone takes an empty field over the maximum; one byte over it.
				Arguments.of(2, ByteOrder.BIG_ENDIAN, MAX + 1, "0000", "1025"),
				Arguments.of(2, ByteOrder.BIG_ENDIAN, -2, "0403", "1025"),
				Arguments.of(1, ByteOrder.BIG_ENDIAN, Integer.MAX_VALUE, "ff", "2147483902"));
	}

	@ParameterizedTest(name = "{0}-byte {1} field {3}, adjustment {2}")
	@MethodSource("tooLarge")
	void bodyOverTheMaximumEndsTheConnectionAsFrameTooLarge(int fieldBytes, ByteOrder order, int adjustment,
			String field, String announced) throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(false);
		start(LengthPrefixedFraming.builder()
			.lengthFieldBytes(fieldBytes)
			.byteOrder(order)
			.lengthAdjustment(adjustment)
			.maxFrameSize(MAX)
			.build(), handler);
		try (TestClient client = TestClient.connect(this.servers.getLast())) {
			client.send(concat(HexFormat.of().parseHex(field), new byte[] { 'b', 'o', 'd', 'y' }));
			// The hook's reply is a frame of this framing, which some adjustments cannot encode
			// (the hook's failure is then suppressed): the reply or nothing, then the end.
			String reply = client.readToEnd();
			assertThat(reply.isEmpty() || reply.endsWith("ERR too large")).as(reply).isTrue();
		}
		FrameTooLargeException ex = handler.tooLarge.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(Long.toUnsignedString(ex.frameSize())).isEqualTo(announced);
		assertThat(ex.maxFrameSize()).isEqualTo(MAX);
		assertThat(ex).hasMessageContaining(announced + " bytes");
		assertThat(handler.error.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isSameAs(ex);
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP) == 1);
		TelemetryEvent event = this.telemetry.named(TelemetryEvent.CONNECTION_FRAME_TOO_LARGE).getFirst();
		assertThat(event.measurement("frame_size")).isEqualTo(ex.frameSize());
		assertThat(event.measurement("max_frame_size")).isEqualTo(MAX);
		assertThat(handler.frames).isEmpty();
	}

	static Stream<Arguments> negative() {
		return Stream.of(Arguments.of(8, Integer.MIN_VALUE, "000000007fffffff", "-1"),
				Arguments.of(4, -5, "00000004", "-1"), Arguments.of(1, -256, "ff", "-1"),
				Arguments.of(8, -1, "0000000000000000", "-1"));
	}

	@ParameterizedTest(name = "{0}-byte field {2}, adjustment {1}")
	@MethodSource("negative")
	void bodyMadeNegativeByTheAdjustmentIsABadHeader(int fieldBytes, int adjustment, String field, String body)
			throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(false);
		start(LengthPrefixedFraming.builder()
			.lengthFieldBytes(fieldBytes)
			.lengthAdjustment(adjustment)
			.maxFrameSize(MAX)
			.build(), handler);
		try (TestClient client = TestClient.connect(this.servers.getLast())) {
			client.send(HexFormat.of().parseHex(field));
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		assertThat(handler.error.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isExactlyInstanceOf(FramingException.class)
			.hasMessageContaining("the body would be " + body + " bytes");
		assertThat(handler.tooLarge).isNotDone();
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP) == 1);
		assertThat(this.telemetry.count(TelemetryEvent.CONNECTION_FRAME_TOO_LARGE)).isZero();
	}

	static Stream<Arguments> exactlyTheMaximum() {
		return Stream.of(Arguments.of(8, 4, MAX - 4L), Arguments.of(8, -8, MAX + 8L),
				Arguments.of(4, Integer.MIN_VALUE, MAX + (1L << 31)), Arguments.of(2, MAX, 0L),
				Arguments.of(8, -Integer.MAX_VALUE, MAX + (long) Integer.MAX_VALUE));
	}

	@ParameterizedTest(name = "{0}-byte field {2}, adjustment {1}")
	@MethodSource("exactlyTheMaximum")
	void bodyOfExactlyTheMaximumIsAFrame(int fieldBytes, int adjustment, long field) throws Exception {
		RecordingFramedHandler handler = new RecordingFramedHandler(false);
		start(LengthPrefixedFraming.builder()
			.lengthFieldBytes(fieldBytes)
			.lengthAdjustment(adjustment)
			.maxFrameSize(MAX)
			.build(), handler);
		ByteBuffer header = ByteBuffer.allocate(8).putLong(field);
		byte[] frame = concat(Arrays.copyOfRange(header.array(), 8 - fieldBytes, 8), new byte[MAX]);
		try (TestClient client = TestClient.connect(this.servers.getLast())) {
			client.send(frame);
			await().atMost(WAIT).until(() -> handler.frames.size() == 1);
		}
		assertThat(handler.keptFrames.getFirst().remaining()).isEqualTo(MAX);
		assertThat(handler.tooLarge).isNotDone();
	}

	private void start(LengthPrefixedFraming framing, RecordingFramedHandler handler) throws IOException {
		this.servers.add(ServerConfig.builder(framing.handler(handler))
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.telemetryListener(this.telemetry)
			.start());
	}

	private static byte[] concat(byte[] first, byte[] second) {
		return ByteBuffer.allocate(first.length + second.length).put(first).put(second).array();
	}

}
