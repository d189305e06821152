package dev.thousandisland;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;

import dev.thousandisland.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Option checks and defaults: Thousand Island's config_test, plus every check the Java port adds.
 * Each bad value must fail when the configuration is built, with a message naming the option and
 * the value.
 */
class ServerConfigTests {

	private final Handler<Void> handler = new Handler<>() {
	};

	@Test
	void defaultsAreThousandIslands() {
		ServerConfig config = ServerConfig.builder(this.handler).build();
		assertThat(config.handler()).isSameAs(this.handler);
		assertThat(config.name()).isEqualTo("thousand-island");
		assertThat(config.transport()).isSameAs(Transport.plain());
		assertThat(config.port()).isEqualTo(4000);
		assertThat(config.bindAddress()).isNull();
		assertThat(config.unixPath()).isNull();
		assertThat(config.isUnix()).isFalse();
		assertThat(config.numAcceptors()).isEqualTo(10);
		assertThat(config.numListenSockets()).isEqualTo(1);
		assertThat(config.numConnections()).isEqualTo(16_384);
		assertThat(config.maxConnections()).isEqualTo(Integer.MAX_VALUE);
		assertThat(config.maxConnectionsRetryCount()).isEqualTo(5);
		assertThat(config.maxConnectionsRetryWait()).isEqualTo(Duration.ofSeconds(1));
		assertThat(config.readTimeout()).isEqualTo(Duration.ofSeconds(60));
		assertThat(config.handshakeTimeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(15));
		assertThat(config.sendTimeout()).isEqualTo(Duration.ofSeconds(30));
		assertThat(config.hibernateAfter()).isEqualTo(Duration.ZERO);
		assertThat(config.backlog()).isEqualTo(1024);
		assertThat(config.tcpNoDelay()).isTrue();
		assertThat(config.reuseAddress()).isTrue();
		assertThat(config.reusePort()).isFalse();
		assertThat(config.socketOptions()).isEmpty();
		assertThat(config.numPollers()).isEqualTo(Runtime.getRuntime().availableProcessors());
		assertThat(config.maxAcceptBackoff()).isEqualTo(Duration.ofMillis(100));
		assertThat(config.silentTerminateOnError()).isFalse();
		assertThat(config.telemetryListeners()).isEmpty();
		assertThat(config.telemetryPayloads()).isFalse();
		assertThat(config.dataBuffers()).isEqualTo(DataBuffers.OWNED);
		assertThat(config.readBufferPoolSize()).isEqualTo(64);
	}

	@Test
	void aMissingHandlerIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> ServerConfig.builder(null).build())
			.withMessageContaining("handler")
			.withMessageContaining("required");
	}

	@Test
	void moreListenSocketsThanAcceptorsIsRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler)
				.numAcceptors(2)
				.numListenSockets(3)
				.reusePort(true)
				.build())
			.withMessageContaining("numListenSockets (3)")
			.withMessageContaining("numAcceptors (2)");
	}

	@Test
	void asManyListenSocketsAsAcceptorsIsAccepted() {
		ServerConfig config = ServerConfig.builder(this.handler)
			.numAcceptors(4)
			.numListenSockets(4)
			.reusePort(true)
			.build();
		assertThat(config.numListenSockets()).isEqualTo(4);
	}

	@Test
	void severalListenSocketsWithoutReusePortAreRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).numAcceptors(4).numListenSockets(2).build())
			.withMessageContaining("numListenSockets (2)")
			.withMessageContaining("reusePort");
	}

	@Test
	void severalListenSocketsOnAUnixPathAreRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler)
				.unixPath(Path.of("/tmp/ti-config-test.sock"))
				.port(0)
				.numAcceptors(4)
				.numListenSockets(2)
				.reusePort(true)
				.build())
			.withMessageContaining("numListenSockets (2)")
			.withMessageContaining("Unix");
	}

	/** A timeout option: its name, its builder setter and its getter. */
	record TimeoutOption(String name, BiFunction<ServerConfig.Builder, Duration, ServerConfig.Builder> setter,
			Function<ServerConfig, Duration> getter) {

		@Override
		public String toString() {
			return this.name;
		}

	}

	static Stream<TimeoutOption> timeouts() {
		return Stream.of(
				new TimeoutOption("readTimeout", ServerConfig.Builder::readTimeout, ServerConfig::readTimeout),
				new TimeoutOption("handshakeTimeout", ServerConfig.Builder::handshakeTimeout,
						ServerConfig::handshakeTimeout),
				new TimeoutOption("shutdownTimeout", ServerConfig.Builder::shutdownTimeout,
						ServerConfig::shutdownTimeout),
				new TimeoutOption("sendTimeout", ServerConfig.Builder::sendTimeout, ServerConfig::sendTimeout),
				new TimeoutOption("hibernateAfter", ServerConfig.Builder::hibernateAfter,
						ServerConfig::hibernateAfter),
				new TimeoutOption("maxConnectionsRetryWait", ServerConfig.Builder::maxConnectionsRetryWait,
						ServerConfig::maxConnectionsRetryWait));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("timeouts")
	void aNegativeTimeoutIsRejectedNamingTheOptionAndTheValue(TimeoutOption option) {
		ServerConfig.Builder builder = option.setter().apply(ServerConfig.builder(this.handler), Duration.ofMillis(-1));
		assertThatIllegalArgumentException().isThrownBy(builder::build)
			.withMessageContaining(option.name() + " (" + Duration.ofMillis(-1) + ")")
			.withMessageContaining("negative");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("timeouts")
	void aMissingTimeoutIsRejectedNamingTheOption(TimeoutOption option) {
		ServerConfig.Builder builder = option.setter().apply(ServerConfig.builder(this.handler), null);
		assertThatIllegalArgumentException().isThrownBy(builder::build).withMessageContaining(option.name());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("timeouts")
	void noTimeoutIsAccepted(TimeoutOption option) {
		ServerConfig config = option.setter()
			.apply(ServerConfig.builder(this.handler), ServerConfig.NO_TIMEOUT)
			.build();
		assertThat(option.getter().apply(config)).isEqualTo(ServerConfig.NO_TIMEOUT);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("timeouts")
	void aZeroTimeoutIsAccepted(TimeoutOption option) {
		ServerConfig config = option.setter().apply(ServerConfig.builder(this.handler), Duration.ZERO).build();
		assertThat(option.getter().apply(config)).isEqualTo(Duration.ZERO);
	}

	@Test
	void noTimeoutIsADeadlineDecadesAwayThatSubtractionCannotOverflow() {
		long now = System.nanoTime();
		long deadline = Transport.deadline(ServerConfig.NO_TIMEOUT);
		assertThat(deadline - now).isGreaterThanOrEqualTo(Transport.LONGEST_WAIT_NANOS)
			.isLessThan(Transport.LONGEST_WAIT_NANOS + Duration.ofMinutes(1).toNanos());
		assertThat(Transport.LONGEST_WAIT_NANOS).isGreaterThan(Duration.ofDays(365L * 70).toNanos());
	}

	@Test
	void aServerWithNoTimeoutsAnywhereServesAndStops() throws Exception {
		Handler<Void> echo = new Handler<>() {
			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
				socket.send(data);
				return Result.continueWith(state);
			}
		};
		Server server = ServerConfig.builder(echo)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.readTimeout(ServerConfig.NO_TIMEOUT)
			.handshakeTimeout(ServerConfig.NO_TIMEOUT)
			.sendTimeout(ServerConfig.NO_TIMEOUT)
			.shutdownTimeout(ServerConfig.NO_TIMEOUT)
			.start();
		try (TestClient client = TestClient.connect(server)) {
			assertThat(client.send("ping").read(4)).isEqualTo("ping");
			server.stop();
			assertThat(client.isClosedByServer(Duration.ofSeconds(5))).isTrue();
		}
		finally {
			server.stop(Duration.ZERO);
		}
		assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
	}

	@ParameterizedTest
	@ValueSource(ints = { -1, 65536, 100_000 })
	void aPortOutOfRangeIsRejectedNamingTheValue(int port) {
		assertThatIllegalArgumentException().isThrownBy(() -> ServerConfig.builder(this.handler).port(port).build())
			.withMessageContaining("port (" + port + ")")
			.withMessageContaining("65535");
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 4000, 65535 })
	void aPortInRangeIsAccepted(int port) {
		assertThat(ServerConfig.builder(this.handler).port(port).build().port()).isEqualTo(port);
	}

	@Test
	void aUnixPathLongerThan107BytesIsRejectedNamingThePath() {
		Path path = Path.of("/tmp/" + "a".repeat(103));
		assertThat(path.toString().getBytes(StandardCharsets.UTF_8)).hasSize(108);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).port(0).unixPath(path).build())
			.withMessageContaining("unixPath (" + path + ")")
			.withMessageContaining("108 bytes")
			.withMessageContaining("107");
	}

	@Test
	void aUnixPathIsMeasuredInBytesNotCharacters() {
		// 'é' is two bytes in UTF-8: 5 + 2 * 52 = 109 bytes in 57 characters.
		Path path = Path.of("/tmp/" + "é".repeat(52));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).port(0).unixPath(path).build())
			.withMessageContaining("unixPath")
			.withMessageContaining("109 bytes");
	}

	@Test
	void aUnixPathOf107BytesIsAccepted() {
		Path path = Path.of("/tmp/" + "a".repeat(102));
		assertThat(path.toString().getBytes(StandardCharsets.UTF_8)).hasSize(107);
		assertThatNoException().isThrownBy(() -> ServerConfig.builder(this.handler).port(0).unixPath(path).build());
	}

	@Test
	void aUnixPathWithABindAddressIsRejectedNamingTheAddress() {
		InetAddress loopback = InetAddress.getLoopbackAddress();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler)
				.port(0)
				.unixPath(Path.of("/tmp/ti-config-test.sock"))
				.bindAddress(loopback)
				.build())
			.withMessageContaining("bindAddress")
			.withMessageContaining(loopback.getHostAddress())
			.withMessageContaining("unixPath");
	}

	@Test
	void countsBelowOneAreRejectedNamingTheOptionAndTheValue() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).numAcceptors(0).build())
			.withMessageContaining("numAcceptors (0)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).numListenSockets(0).build())
			.withMessageContaining("numListenSockets (0)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).numConnections(0).build())
			.withMessageContaining("numConnections (0)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).maxConnections(0).build())
			.withMessageContaining("maxConnections (0)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).maxConnectionsRetryCount(-1).build())
			.withMessageContaining("maxConnectionsRetryCount (-1)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).backlog(0).build())
			.withMessageContaining("backlog (0)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).numPollers(0).build())
			.withMessageContaining("numPollers (0)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).maxAcceptBackoff(Duration.ofNanos(999_999)).build())
			.withMessageContaining("maxAcceptBackoff (PT0.000999999S)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).maxAcceptBackoff(null).build())
			.withMessageContaining("maxAcceptBackoff");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).readBufferPoolSize(0).build())
			.withMessageContaining("readBufferPoolSize (0)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ServerConfig.builder(this.handler).dataBuffers(null).build())
			.withMessageContaining("dataBuffers");
	}

	@Test
	void aBlankNameIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> ServerConfig.builder(this.handler).name(" ").build())
			.withMessageContaining("name");
	}

	@Test
	void aRetryCountOfZeroIsAccepted() {
		assertThat(ServerConfig.builder(this.handler).maxConnectionsRetryCount(0).build().maxConnectionsRetryCount())
			.isZero();
	}

	@Test
	void toBuilderCopiesEveryOption() {
		ServerConfig config = ServerConfig.builder(this.handler)
			.name("copied")
			.port(1234)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(3)
			.numListenSockets(2)
			.reusePort(true)
			.numConnections(7)
			.maxConnections(9)
			.maxConnectionsRetryCount(2)
			.maxConnectionsRetryWait(Duration.ofMillis(10))
			.readTimeout(Duration.ofSeconds(1))
			.handshakeTimeout(Duration.ofSeconds(2))
			.shutdownTimeout(Duration.ofSeconds(3))
			.sendTimeout(Duration.ofSeconds(4))
			.hibernateAfter(Duration.ofSeconds(6))
			.backlog(5)
			.tcpNoDelay(false)
			.reuseAddress(false)
			.numPollers(2)
			.maxAcceptBackoff(Duration.ofSeconds(1))
			.silentTerminateOnError(true)
			.telemetryPayloads(true)
			.dataBuffers(DataBuffers.LENT)
			.readBufferPoolSize(3)
			.build();
		assertThat(config.toBuilder().build()).isEqualTo(config);
		assertThat(config.toBuilder().port(4321).build().port()).isEqualTo(4321);
	}

}
