package dev.thousandisland;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.net.StandardSocketOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import javax.net.ssl.SSLContext;

import dev.thousandisland.proxy.ProxyProtocolMode;
import dev.thousandisland.proxy.ProxyTrustedSources;
import dev.thousandisland.telemetry.TelemetryListener;
import dev.thousandisland.transport.Transport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A configuration is a value made only through its builder: every option has an accessor that
 * reads back what was set, survives {@link ServerConfig#toBuilder()}, and takes part in equality
 * and the string form; a builder used again does not change what it built before.
 */
class ServerConfigValueTests {

	private final Handler<Void> handler = new Handler<>() {
	};

	private final Handler<Void> otherHandler = new Handler<>() {
	};

	private final Function<String, String> optionNames = (option) -> option.equals("maxFrameSize") ? "app.max-frame-size"
			: null;

	private final TelemetryListener listener = (event) -> {
	};

	private final Transport tls;

	ServerConfigValueTests() throws Exception {
		this.tls = Transport.tls(SSLContext.getDefault());
	}

	/** Every option set away from its default (a Unix path aside: it excludes the bind address). */
	private ServerConfig everyTcpOptionChanged() {
		return ServerConfig.builder(this.otherHandler)
			.handler(this.handler)
			.name("changed")
			.transport(this.tls)
			.port(1234)
			.bindAddress(InetAddress.getLoopbackAddress())
			.backlog(5)
			.reuseAddress(false)
			.reusePort(true)
			.numListenSockets(2)
			.numAcceptors(3)
			.numConnections(7)
			.maxConnections(9)
			.maxConnectionsRetryCount(2)
			.maxConnectionsRetryWait(Duration.ofMillis(10))
			.maxAcceptBackoff(Duration.ofMillis(20))
			.readTimeout(Duration.ofSeconds(1))
			.handshakeTimeout(Duration.ofSeconds(2))
			.sendTimeout(Duration.ofSeconds(3))
			.shutdownTimeout(Duration.ofSeconds(4))
			.hibernateAfter(Duration.ofSeconds(6))
			.tcpNoDelay(false)
			.socketOption(StandardSocketOptions.SO_KEEPALIVE, true)
			.dataBuffers(DataBuffers.LENT)
			.readBufferPoolSize(3)
			.mailboxCapacity(11)
			.numPollers(Runtime.getRuntime().availableProcessors() + 1)
			.callbacksOnPoller(true)
			.pollerCallbackLimit(Duration.ofMillis(12))
			.silentTerminateOnError(true)
			.telemetryListener(this.listener)
			.telemetryPayloads(true)
			.proxyProtocol(ProxyProtocolMode.REQUIRED)
			.proxyTrustedSources(List.of("10.0.0.0/8"))
			.proxyHeaderTimeout(Duration.ofSeconds(9))
			.optionNames(this.optionNames)
			.build();
	}

	private ServerConfig unixPathChanged() {
		return ServerConfig.builder(this.handler).port(0).unixPath(Path.of("/tmp/ti-value-test.sock")).build();
	}

	@Test
	void everyAccessorReadsBackWhatItsSetterSet() {
		ServerConfig config = everyTcpOptionChanged();
		assertThat(config.handler()).isSameAs(this.handler);
		assertThat(config.name()).isEqualTo("changed");
		assertThat(config.transport()).isSameAs(this.tls);
		assertThat(config.port()).isEqualTo(1234);
		assertThat(config.bindAddress()).isEqualTo(InetAddress.getLoopbackAddress());
		assertThat(config.backlog()).isEqualTo(5);
		assertThat(config.reuseAddress()).isFalse();
		assertThat(config.reusePort()).isTrue();
		assertThat(config.numListenSockets()).isEqualTo(2);
		assertThat(config.numAcceptors()).isEqualTo(3);
		assertThat(config.numConnections()).isEqualTo(7);
		assertThat(config.maxConnections()).isEqualTo(9);
		assertThat(config.maxConnectionsRetryCount()).isEqualTo(2);
		assertThat(config.maxConnectionsRetryWait()).isEqualTo(Duration.ofMillis(10));
		assertThat(config.maxAcceptBackoff()).isEqualTo(Duration.ofMillis(20));
		assertThat(config.readTimeout()).isEqualTo(Duration.ofSeconds(1));
		assertThat(config.handshakeTimeout()).isEqualTo(Duration.ofSeconds(2));
		assertThat(config.sendTimeout()).isEqualTo(Duration.ofSeconds(3));
		assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(4));
		assertThat(config.hibernateAfter()).isEqualTo(Duration.ofSeconds(6));
		assertThat(config.tcpNoDelay()).isFalse();
		assertThat(config.socketOptions()).isEqualTo(Map.of(StandardSocketOptions.SO_KEEPALIVE, true));
		assertThat(config.dataBuffers()).isEqualTo(DataBuffers.LENT);
		assertThat(config.readBufferPoolSize()).isEqualTo(3);
		assertThat(config.mailboxCapacity()).isEqualTo(11);
		assertThat(config.numPollers()).isEqualTo(Runtime.getRuntime().availableProcessors() + 1);
		assertThat(config.callbacksOnPoller()).isTrue();
		assertThat(config.pollerCallbackLimit()).isEqualTo(Duration.ofMillis(12));
		assertThat(config.silentTerminateOnError()).isTrue();
		assertThat(config.telemetryListeners()).containsExactly(this.listener);
		assertThat(config.telemetryPayloads()).isTrue();
		assertThat(config.proxyProtocol()).isEqualTo(ProxyProtocolMode.REQUIRED);
		assertThat(config.proxyTrustedSources()).isEqualTo(ProxyTrustedSources.of(List.of("10.0.0.0/8")));
		assertThat(config.proxyHeaderTimeout()).isEqualTo(Duration.ofSeconds(9));
		assertThat(config.optionNames()).isSameAs(this.optionNames);
		assertThat(config.optionName("maxFrameSize")).isEqualTo("app.max-frame-size");
		assertThat(config.optionName("handshakeTimeout")).isEqualTo("ServerConfig.Builder.handshakeTimeout");
		assertThat(unixPathChanged().unixPath()).isEqualTo(Path.of("/tmp/ti-value-test.sock"));
	}

	@Test
	void everyOptionHasAnAccessorAndIsChangedByTheseTests() throws Exception {
		ServerConfig defaults = ServerConfig.builder(this.handler).build();
		List<String> unchanged = new ArrayList<>();
		RecordComponent[] options = ServerOptions.class.getRecordComponents();
		for (RecordComponent option : options) {
			Method accessor = ServerConfig.class.getMethod(option.getName());
			Object fallback = accessor.invoke(defaults);
			if (Objects.equals(accessor.invoke(everyTcpOptionChanged()), fallback)
					&& Objects.equals(accessor.invoke(unixPathChanged()), fallback)) {
				unchanged.add(option.getName());
			}
		}
		assertThat(options).hasSizeGreaterThanOrEqualTo(30);
		// "handler" is the same object in the defaults; every other option must differ somewhere.
		assertThat(unchanged).containsExactly("handler");
	}

	@Test
	void toBuilderCarriesEveryOptionOver() {
		ServerConfig tcp = everyTcpOptionChanged();
		ServerConfig unix = unixPathChanged();
		assertThat(tcp.toBuilder().build()).isEqualTo(tcp).hasSameHashCodeAs(tcp);
		assertThat(unix.toBuilder().build()).isEqualTo(unix).hasSameHashCodeAs(unix);
		assertThat(tcp.toBuilder().build().telemetryListeners()).containsExactly(this.listener);
	}

	@Test
	void configurationsDifferingInOneOptionAreNotEqual() {
		ServerConfig config = everyTcpOptionChanged();
		assertThat(config.toBuilder().mailboxCapacity(12).build()).isNotEqualTo(config);
		assertThat(config.toBuilder().numPollers(1).build()).isNotEqualTo(config);
		assertThat(config.toBuilder().handler(this.otherHandler).build()).isNotEqualTo(config);
		assertThat(config).isNotEqualTo(null).isNotEqualTo("changed");
	}

	@Test
	void toStringNamesTheTypeAndEveryOption() {
		String text = everyTcpOptionChanged().toString();
		assertThat(text).startsWith("ServerConfig[name=changed, ")
			.contains("port=1234", "mailboxCapacity=11", "readTimeout=PT1S", "dataBuffers=LENT")
			.endsWith("]");
		for (RecordComponent option : ServerOptions.class.getRecordComponents()) {
			assertThat(text).contains(option.getName() + "=");
		}
	}

	@Test
	void aBuilderUsedAgainLeavesWhatItBuiltUnchanged() {
		ServerConfig.Builder builder = ServerConfig.builder(this.handler).telemetryListener(this.listener);
		ServerConfig first = builder.build();
		builder.telemetryListener((event) -> {
		}).socketOption(StandardSocketOptions.SO_KEEPALIVE, true).port(1);
		assertThat(first.telemetryListeners()).containsExactly(this.listener);
		assertThat(first.socketOptions()).isEmpty();
		assertThat(first.port()).isEqualTo(4000);
		assertThat(builder.build().telemetryListeners()).hasSize(2);
	}

	@Test
	void theOptionCollectionsCannotBeChanged() {
		ServerConfig config = everyTcpOptionChanged();
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> config.telemetryListeners().add(this.listener));
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> config.socketOptions().clear());
	}

}
