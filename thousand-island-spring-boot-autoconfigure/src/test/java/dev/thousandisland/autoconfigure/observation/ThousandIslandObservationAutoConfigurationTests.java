package dev.thousandisland.autoconfigure.observation;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.GlobalObservationConvention;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.ObservationView;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.autoconfigure.ThousandIslandAutoConfiguration;
import dev.thousandisland.autoconfigure.ThousandIslandServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Connection observations, recorded by an {@link ObservationHandler} that Spring Boot's
 * observation auto-configuration registers like any other, with real connections on loopback.
 */
class ThousandIslandObservationAutoConfigurationTests {

	private static final String CONNECTION = "thousandisland.connection";

	private static final String REQUEST = "echo.request";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class,
				ThousandIslandAutoConfiguration.class, ThousandIslandObservationAutoConfiguration.class))
		.withUserConfiguration(ObservedEchoConfiguration.class)
		.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1",
				"thousandisland.acceptors=1", "thousandisland.shutdown=immediate");

	@Test
	void oneConnectionIsObservedOnceFromAcceptToClose() {
		this.runner.withPropertyValues("thousandisland.observations.connections.enabled=true").run((context) -> {
			Recorder recorder = context.getBean(Recorder.class);
			int clientPort;
			try (Socket client = connect(context.getBean(ThousandIslandServers.class))) {
				clientPort = client.getLocalPort();
				assertThat(exchange(client, "hello")).isEqualTo("hello");
			}
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(recorder.stopped(CONNECTION)).hasSize(1));
			assertThat(recorder.started(CONNECTION)).hasSize(1);
			Observation.Context observed = recorder.stopped(CONNECTION).get(0);
			assertThat(recorder.started(CONNECTION).get(0)).isSameAs(observed);
			assertThat(observed).isInstanceOf(ConnectionObservationContext.class);
			assertThat(observed.getContextualName()).isEqualTo("connection echo");
			assertThat(observed.getLowCardinalityKeyValues()).extracting(KeyValue::getKey)
				.containsExactlyInAnyOrder("server", "transport", "reason");
			assertThat(observed.getLowCardinalityKeyValue("server").getValue()).isEqualTo("echo");
			assertThat(observed.getLowCardinalityKeyValue("transport").getValue()).isEqualTo("tcp");
			assertThat(observed.getLowCardinalityKeyValue("reason").getValue()).isEqualTo("peer_closed");
			assertThat(observed.getHighCardinalityKeyValue("peer.address").getValue())
				.endsWith("127.0.0.1:" + clientPort);
			assertThat(observed.getError()).isNull();
		});
	}

	@Test
	void aGlobalObservationConventionRenamesTheObservationAndChangesItsTags() {
		this.runner.withPropertyValues("thousandisland.observations.connections.enabled=true")
			.withBean(RenamingConvention.class)
			.run((context) -> {
				Recorder recorder = context.getBean(Recorder.class);
				try (Socket client = connect(context.getBean(ThousandIslandServers.class))) {
					assertThat(exchange(client, "hello")).isEqualTo("hello");
				}
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(recorder.stopped("custom.connection")).hasSize(1));
				assertThat(recorder.stopped(CONNECTION)).isEmpty();
				Observation.Context observed = recorder.stopped("custom.connection").get(0);
				assertThat(observed.getLowCardinalityKeyValues()).extracting(KeyValue::getKey)
					.containsExactly("service");
				assertThat(observed.getLowCardinalityKeyValue("service").getValue()).isEqualTo("echo-service");
			});
	}

	@Test
	void aConnectionObservationConventionBeanReplacesTheDefault() {
		this.runner.withPropertyValues("thousandisland.observations.connections.enabled=true")
			.withBean(ConnectionObservationConvention.class, () -> new DefaultConnectionObservationConvention() {
				@Override
				public String getName() {
					return "bean.connection";
				}
			})
			.run((context) -> {
				Recorder recorder = context.getBean(Recorder.class);
				try (Socket client = connect(context.getBean(ThousandIslandServers.class))) {
					assertThat(exchange(client, "hello")).isEqualTo("hello");
				}
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(recorder.stopped("bean.connection")).hasSize(1));
				assertThat(recorder.stopped(CONNECTION)).isEmpty();
			});
	}

	@Test
	void aHandlerNestsItsOwnObservationUnderTheConnectionObservation() {
		this.runner.withPropertyValues("thousandisland.observations.connections.enabled=true").run((context) -> {
			Recorder recorder = context.getBean(Recorder.class);
			try (Socket client = connect(context.getBean(ThousandIslandServers.class))) {
				assertThat(exchange(client, "nested")).isEqualTo("nested");
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(recorder.stopped(REQUEST)).hasSize(1));
				assertThat(recorder.stopped(CONNECTION)).as("the connection is still open").isEmpty();
			}
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(recorder.stopped(CONNECTION)).hasSize(1));
			Observation.Context connection = recorder.stopped(CONNECTION).get(0);
			Observation.Context request = recorder.stopped(REQUEST).get(0);
			ObservationView parent = request.getParentObservation();
			assertThat(parent).isNotNull();
			assertThat(parent.getContextView()).isSameAs(connection);
			assertThat(context.getBean(ObservedEcho.class).parentsSeen).hasSize(1).doesNotContainNull();
		});
	}

	@Test
	void aConnectionEndedByAHandlerExceptionIsObservedWithTheError() {
		this.runner.withPropertyValues("thousandisland.observations.connections.enabled=true").run((context) -> {
			Recorder recorder = context.getBean(Recorder.class);
			try (Socket client = connect(context.getBean(ThousandIslandServers.class))) {
				client.getOutputStream().write("fail".getBytes(StandardCharsets.US_ASCII));
				readUntilClosed(client);
			}
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(recorder.stopped(CONNECTION)).hasSize(1));
			Observation.Context observed = recorder.stopped(CONNECTION).get(0);
			assertThat(observed.getLowCardinalityKeyValue("reason").getValue()).isEqualTo("exception");
			assertThat(observed.getError()).isInstanceOf(IllegalStateException.class);
		});
	}

	@Test
	void withoutThePropertyNoConnectionIsObserved() {
		this.runner.run((context) -> {
			assertThat(context).doesNotHaveBean(ConnectionObservations.class);
			Recorder recorder = context.getBean(Recorder.class);
			try (Socket client = connect(context.getBean(ThousandIslandServers.class))) {
				assertThat(exchange(client, "plain")).isEqualTo("plain");
			}
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(recorder.stopped(REQUEST)).hasSize(1));
			assertThat(recorder.started(CONNECTION)).isEmpty();
			assertThat(recorder.stopped(CONNECTION)).isEmpty();
			assertThat(recorder.stopped(REQUEST).get(0).getParentObservation()).isNull();
			assertThat(context.getBean(ObservedEcho.class).parentsSeen).containsExactly((Observation) null);
		});
	}

	private static Socket connect(ThousandIslandServers servers) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), servers.get("echo").orElseThrow().port()),
				10_000);
		socket.setSoTimeout(10_000);
		return socket;
	}

	private static String exchange(Socket client, String text) throws IOException {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		client.getOutputStream().write(bytes);
		return new String(client.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
	}

	private static void readUntilClosed(Socket client) throws IOException {
		InputStream in = client.getInputStream();
		try {
			while (in.read() != -1) {
				// Drain until the server closes.
			}
		}
		catch (SocketException ex) {
			// Reset: still a close.
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class ObservedEchoConfiguration {

		@Bean
		Recorder recorder() {
			return new Recorder();
		}

		@Bean
		ObservedEcho echo(ObjectProvider<ObservationRegistry> registry) {
			return new ObservedEcho(registry);
		}

	}

	/**
	 * Echoes inside an observation of its own, a child of the connection's observation when there
	 * is one; fails on {@code fail}.
	 */
	static class ObservedEcho implements Handler<Void> {

		/** What {@link ConnectionObservations#of} gave, once per echo. */
		final List<Observation> parentsSeen = new CopyOnWriteArrayList<>();

		private final ObjectProvider<ObservationRegistry> registry;

		ObservedEcho(ObjectProvider<ObservationRegistry> registry) {
			this.registry = registry;
		}

		@Override
		public Result<Void> handleData(ByteBuffer data, dev.thousandisland.Socket socket, Void state) throws Exception {
			if (StandardCharsets.US_ASCII.decode(data.duplicate()).toString().equals("fail")) {
				throw new IllegalStateException("Told to fail");
			}
			Observation parent = ConnectionObservations.of(socket);
			this.parentsSeen.add(parent);
			Observation.createNotStarted(REQUEST, this.registry.getObject())
				.parentObservation(parent)
				.observeChecked(() -> socket.send(data));
			return Result.continueWith(state);
		}

	}

	/**
	 * A convention registered for every observation registry, as applications do to rename
	 * observations or change their tags everywhere.
	 */
	static class RenamingConvention implements GlobalObservationConvention<ConnectionObservationContext> {

		@Override
		public String getName() {
			return "custom.connection";
		}

		@Override
		public KeyValues getLowCardinalityKeyValues(ConnectionObservationContext context) {
			return KeyValues.of("service", context.getServer() + "-service");
		}

		@Override
		public boolean supportsContext(Observation.Context context) {
			return context instanceof ConnectionObservationContext;
		}

	}

	/**
	 * Records every observation started and stopped.
	 */
	static class Recorder implements ObservationHandler<Observation.Context> {

		private final List<Observation.Context> started = new CopyOnWriteArrayList<>();

		private final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();

		@Override
		public void onStart(Observation.Context context) {
			this.started.add(context);
		}

		@Override
		public void onStop(Observation.Context context) {
			this.stopped.add(context);
		}

		@Override
		public boolean supportsContext(Observation.Context context) {
			return true;
		}

		List<Observation.Context> started(String name) {
			return this.started.stream().filter((context) -> name.equals(context.getName())).toList();
		}

		List<Observation.Context> stopped(String name) {
			return this.stopped.stream().filter((context) -> name.equals(context.getName())).toList();
		}

	}

}
