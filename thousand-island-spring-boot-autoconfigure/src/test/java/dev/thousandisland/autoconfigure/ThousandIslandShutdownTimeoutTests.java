package dev.thousandisland.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.thousandisland.Handler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How long a graceful drain may last: {@code spring.lifecycle.timeout-per-shutdown-phase}, read
 * from Boot's {@link LifecycleProperties}, unless a server's {@code shutdown-timeout} is shorter.
 */
class ThousandIslandShutdownTimeoutTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LifecycleAutoConfiguration.class,
				ThousandIslandAutoConfiguration.class))
		.withBean("echo", Handler.class, EchoHandler::new)
		.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1");

	@Test
	void drainLastsBootsDefaultPhaseTimeoutWhenNothingIsSet() {
		this.runner.run((context) -> assertThat(shutdownTimeout(context)).isEqualTo(Duration.ofSeconds(30)));
	}

	@Test
	void drainLastsThePhaseTimeoutWhenNoShutdownTimeoutIsSet() {
		this.runner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=40s")
			.run((context) -> assertThat(shutdownTimeout(context)).isEqualTo(Duration.ofSeconds(40)));
	}

	@Test
	void aShorterShutdownTimeoutEndsTheDrainSooner() {
		this.runner
			.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=40s", "thousandisland.shutdown-timeout=2s")
			.run((context) -> assertThat(shutdownTimeout(context)).isEqualTo(Duration.ofSeconds(2)));
	}

	@Test
	void aLongerShutdownTimeoutIsCutToThePhaseTimeout() {
		this.runner
			.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=40s",
					"thousandisland.servers.echo.shutdown-timeout=90s")
			.run((context) -> assertThat(shutdownTimeout(context)).isEqualTo(Duration.ofSeconds(40)));
	}

	@Test
	void phaseTimeoutComesFromTheLifecyclePropertiesBean() {
		LifecycleProperties lifecycle = new LifecycleProperties();
		lifecycle.setTimeoutPerShutdownPhase(Duration.ofSeconds(45));
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class))
			.withBean("echo", Handler.class, EchoHandler::new)
			.withBean(LifecycleProperties.class, () -> lifecycle)
			.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1")
			.run((context) -> assertThat(shutdownTimeout(context)).isEqualTo(Duration.ofSeconds(45)));
	}

	@Test
	void withoutBootsLifecycleConfigurationTheDrainLastsSpringFrameworksDefaultPhaseTimeout() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class))
			.withBean("echo", Handler.class, EchoHandler::new)
			.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1")
			.run((context) -> assertThat(shutdownTimeout(context)).isEqualTo(Duration.ofSeconds(10)));
	}

	private static Duration shutdownTimeout(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
		Duration configured = servers.definitions().get(0).config().shutdownTimeout();
		assertThat(servers.get("echo").orElseThrow().config().shutdownTimeout()).isEqualTo(configured);
		return configured;
	}

}
