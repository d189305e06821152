package dev.thousandisland.autoconfigure;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.Socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Closing the application context with live connections, over real sockets.
 */
class ThousandIslandGracefulShutdownTests {

	private ConfigurableApplicationContext context;

	private GoodbyeHandler handler;

	@AfterEach
	void closeContext() {
		if (this.context != null) {
			this.handler.release.countDown();
			this.context.close();
		}
	}

	@Test
	void closingTheContextRefusesNewConnectionsAndLetsInFlightWorkFinish() throws Exception {
		GoodbyeHandler handler = start("spring.lifecycle.timeout-per-shutdown-phase=10s");
		handler.release.countDown();
		int port = port();
		try (TestClient busy = TestClient.connect(port); TestClient idle = TestClient.connect(port)) {
			await().atMost(Duration.ofSeconds(10)).until(() -> server().activeConnections() == 2);
			busy.send("work");
			assertThat(handler.working.await(10, TimeUnit.SECONDS)).isTrue();
			long start = System.nanoTime();
			CompletableFuture<Void> closed = CompletableFuture.runAsync(this.context::close);
			await().atMost(Duration.ofSeconds(5)).until(() -> TestClient.refusesConnections(port));
			assertThat(busy.receive(4)).isEqualTo("work");
			assertThat(busy.receiveUntilClosed()).isEqualTo("BYE");
			assertThat(idle.receiveUntilClosed()).isEqualTo("BYE");
			closed.get(10, TimeUnit.SECONDS);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
		}
	}

	@Test
	void closingTheContextEndsAConnectionThatNeverFinishesWhenTheShutdownPhaseTimesOut() throws Exception {
		GoodbyeHandler handler = start("spring.lifecycle.timeout-per-shutdown-phase=1s",
				"thousandisland.shutdown-timeout=60s");
		try (TestClient client = TestClient.connect(port())) {
			await().atMost(Duration.ofSeconds(10)).until(() -> server().activeConnections() == 1);
			long start = System.nanoTime();
			CompletableFuture<Void> closed = CompletableFuture.runAsync(this.context::close);
			assertThat(client.receive(3)).isEqualTo("BYE");
			closed.get(15, TimeUnit.SECONDS);
			Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
			assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(900)).isLessThan(Duration.ofSeconds(6));
			assertThat(client.receiveUntilClosed()).isEmpty();
			assertThat(handler.shutdowns).hasValue(1);
		}
	}

	@Test
	void withoutAShutdownTimeoutTheDrainLastsThePhaseTimeoutEvenBeyondFifteenSeconds() throws Exception {
		GoodbyeHandler handler = start("spring.lifecycle.timeout-per-shutdown-phase=25s");
		try (TestClient client = TestClient.connect(port())) {
			await().atMost(Duration.ofSeconds(10)).until(() -> server().activeConnections() == 1);
			Server server = server();
			CompletableFuture<Void> closed = CompletableFuture.runAsync(this.context::close);
			assertThat(client.receive(3)).isEqualTo("BYE");
			// Core's own default shutdownTimeout, 15 s, used to end every drain here.
			await().during(Duration.ofSeconds(16))
				.atMost(Duration.ofSeconds(20))
				.until(() -> server.activeConnections() == 1 && !closed.isDone());
			handler.release.countDown();
			closed.get(10, TimeUnit.SECONDS);
			assertThat(client.receiveUntilClosed()).isEmpty();
			assertThat(handler.shutdowns).hasValue(1);
		}
	}

	@Test
	void immediateShutdownClosesConnectionsWithoutHandleShutdown() throws Exception {
		GoodbyeHandler handler = start("thousandisland.shutdown=immediate",
				"spring.lifecycle.timeout-per-shutdown-phase=10s");
		try (TestClient client = TestClient.connect(port())) {
			await().atMost(Duration.ofSeconds(10)).until(() -> server().activeConnections() == 1);
			long start = System.nanoTime();
			this.context.close();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
			assertThat(client.receiveUntilClosed()).isEmpty();
			assertThat(handler.shutdowns).hasValue(0);
		}
	}

	@Test
	void publishesRefusingTrafficWhenTheContextCloses() {
		ReadinessStates states = new ReadinessStates();
		this.context = application().listeners(states).run();
		this.handler = this.context.getBean(GoodbyeHandler.class);
		ApplicationAvailability availability = this.context.getBean(ApplicationAvailability.class);
		assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
		this.context.close();
		assertThat(states.states).containsExactly(ReadinessState.ACCEPTING_TRAFFIC, ReadinessState.REFUSING_TRAFFIC);
		assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
	}

	private GoodbyeHandler start(String... properties) {
		this.context = application().properties(properties).run();
		this.handler = this.context.getBean(GoodbyeHandler.class);
		return this.handler;
	}

	private static SpringApplicationBuilder application() {
		return new SpringApplicationBuilder(GoodbyeApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "thousandisland.port=0", "thousandisland.address=127.0.0.1");
	}

	private int port() {
		return this.context.getEnvironment().getRequiredProperty("local.thousandisland.port", Integer.class);
	}

	private Server server() {
		return this.context.getBean(ThousandIslandServers.class).get("goodbye").orElseThrow();
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class GoodbyeApplication {

		@Bean
		GoodbyeHandler goodbye() {
			return new GoodbyeHandler();
		}

	}

	/**
	 * Takes half a second to answer; says "BYE" when the server stops, then blocks until released.
	 */
	static class GoodbyeHandler implements Handler<Void> {

		final CountDownLatch working = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		final AtomicInteger shutdowns = new AtomicInteger();

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			byte[] copy = new byte[data.remaining()];
			data.get(copy);
			this.working.countDown();
			Thread.sleep(500);
			socket.send(copy);
			return Result.continueWith(state);
		}

		@Override
		public void handleShutdown(Socket socket, Void state) throws Exception {
			this.shutdowns.incrementAndGet();
			socket.send("BYE".getBytes(StandardCharsets.UTF_8));
			this.release.await();
		}

	}

	static class ReadinessStates implements ApplicationListener<ApplicationEvent> {

		final List<ReadinessState> states = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(ApplicationEvent event) {
			if (event instanceof AvailabilityChangeEvent<?> change && change.getState() instanceof ReadinessState state) {
				this.states.add(state);
			}
		}

	}

}
