package dev.thousandisland.autoconfigure;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.thousandisland.Handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The non-daemon thread that keeps the JVM alive while servers run, and
 * {@code spring.main.keep-alive}.
 */
class ThousandIslandLifecycleKeepAliveTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class))
		.withBean("echo", Handler.class, EchoHandler::new)
		.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1");

	@Test
	void runningServersKeepTheJvmAliveLikeAWebServerDoes() {
		Set<Thread> before = keepAliveThreads();
		Set<Thread> started = new HashSet<>();
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			started.addAll(newKeepAliveThreads(before));
			assertThat(started).singleElement().satisfies((thread) -> assertThat(thread.isDaemon()).isFalse());
		});
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(started).noneMatch(Thread::isAlive));
	}

	@Test
	void leavesKeepingAliveToSpringBootWhenSpringMainKeepAliveIsOn() {
		Set<Thread> before = keepAliveThreads();
		this.runner.withPropertyValues("spring.main.keep-alive=true").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(newKeepAliveThreads(before)).isEmpty();
		});
	}

	@Test
	void keepsNoThreadWhenSpringMainKeepAliveIsOff() {
		Set<Thread> before = keepAliveThreads();
		this.runner.withPropertyValues("spring.main.keep-alive=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(newKeepAliveThreads(before)).isEmpty();
		});
	}

	/** Other test classes' cached contexts may hold keep-alive threads of their own. */
	private static Set<Thread> newKeepAliveThreads(Set<Thread> before) {
		Set<Thread> now = keepAliveThreads();
		now.removeAll(before);
		return now;
	}

	private static Set<Thread> keepAliveThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().equals("thousand-island-keep-alive"))
			.collect(Collectors.toCollection(HashSet::new));
	}

}
