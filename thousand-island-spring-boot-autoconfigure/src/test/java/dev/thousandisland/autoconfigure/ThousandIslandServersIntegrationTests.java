package dev.thousandisland.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A whole non-web Spring Boot application whose only work is Thousand Island servers.
 */
class ThousandIslandServersIntegrationTests {

	private static final String KEEP_ALIVE = "thousand-island-keep-alive";

	@Test
	void applicationServesEveryHandlerBeanOnItsPublishedPort() throws Exception {
		try (ConfigurableApplicationContext context = application(EchoApplication.class).run()) {
			int port = context.getEnvironment().getRequiredProperty("local.thousandisland.port", Integer.class);
			assertThat(context.getEnvironment().getProperty("local.thousandisland.servers.echo.port", Integer.class))
				.isEqualTo(port);
			try (TestClient client = TestClient.connect(port)) {
				assertThat(client.exchange("hello")).isEqualTo("hello");
			}
		}
	}

	@Test
	void nonDaemonThreadKeepsTheJvmAliveWhileServersRunAndEndsWithTheContext() {
		Set<Thread> before = keepAliveThreads();
		Thread keepAlive;
		try (ConfigurableApplicationContext context = application(EchoApplication.class).run()) {
			List<Thread> started = keepAliveThreads().stream().filter((thread) -> !before.contains(thread)).toList();
			assertThat(started).hasSize(1);
			keepAlive = started.get(0);
			assertThat(keepAlive.isAlive()).isTrue();
			assertThat(keepAlive.isDaemon()).isFalse();
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> !keepAlive.isAlive());
	}

	@Test
	void applicationWithoutHandlerBeansStartsNoKeepAliveThread() {
		Set<Thread> before = keepAliveThreads();
		try (ConfigurableApplicationContext context = application(EmptyApplication.class).run()) {
			assertThat(context.getBean(ThousandIslandServers.class).running()).isEmpty();
			assertThat(keepAliveThreads()).isSubsetOf(before);
		}
	}

	private static Set<Thread> keepAliveThreads() {
		return Set.copyOf(Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals(KEEP_ALIVE) && thread.isAlive())
			.toList());
	}

	private static SpringApplicationBuilder application(Class<?> application) {
		return new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "thousandisland.port=0", "thousandisland.address=127.0.0.1");
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class EchoApplication {

		@Bean
		Handler<Void> echo() {
			return new EchoHandler();
		}

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class EmptyApplication {

	}

}
