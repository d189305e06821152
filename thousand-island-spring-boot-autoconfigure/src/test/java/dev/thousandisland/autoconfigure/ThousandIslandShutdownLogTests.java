package dev.thousandisland.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import dev.thousandisland.autoconfigure.ThousandIslandGracefulShutdownTests.GoodbyeApplication;
import dev.thousandisland.autoconfigure.ThousandIslandGracefulShutdownTests.GoodbyeHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the log says when the context closes with connections open, as a Boot user reads it: an
 * immediate stop is not reported as a graceful one that timed out, and a drain that had to cut
 * connections is not reported as complete.
 */
@ExtendWith(OutputCaptureExtension.class)
class ThousandIslandShutdownLogTests {

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
	void anImmediateShutdownSaysSoAndNotThatAGracefulOneTimedOut(CapturedOutput output) throws Exception {
		start("thousandisland.shutdown=immediate", "spring.lifecycle.timeout-per-shutdown-phase=30s");
		try (TestClient client = TestClient.connect(port())) {
			await().atMost(Duration.ofSeconds(10)).until(() -> server().activeConnections() == 1);
			this.context.close();
			assertThat(client.receiveUntilClosed()).isEmpty();
		}
		assertThat(output.getOut()).doesNotContain("did not finish").doesNotContain("PT30S");
		assertThat(lines(output, "Stopping Thousand Island servers [goodbye] immediately"))
			.singleElement()
			.satisfies((line) -> assertThat(line).contains(" INFO ", "thousandisland.shutdown=immediate",
					"1 connection(s)"));
	}

	@Test
	void aConnectionCutAtTheDrainDeadlineIsAWarningAndTheShutdownIsNotCalledComplete(CapturedOutput output)
			throws Exception {
		start("thousandisland.servers.goodbye.shutdown-timeout=300ms", "spring.lifecycle.timeout-per-shutdown-phase=20s");
		try (TestClient client = TestClient.connect(port())) {
			await().atMost(Duration.ofSeconds(10)).until(() -> server().activeConnections() == 1);
			this.context.close();
			assertThat(client.receive(3)).isEqualTo("BYE");
			assertThat(client.receiveUntilClosed()).isEmpty();
		}
		assertThat(output.getOut()).doesNotContain("shutdown of Thousand Island servers complete");
		assertThat(lines(output, "Graceful shutdown of Thousand Island servers ended")).singleElement()
			.satisfies((line) -> assertThat(line).contains(" WARN ", "1 connection(s)", "goodbye=1",
					"shutdown-timeout"));
	}

	@Test
	void aDrainThatCutsNothingIsCalledComplete(CapturedOutput output) throws Exception {
		start("spring.lifecycle.timeout-per-shutdown-phase=20s");
		this.handler.release.countDown();
		try (TestClient client = TestClient.connect(port())) {
			await().atMost(Duration.ofSeconds(10)).until(() -> server().activeConnections() == 1);
			this.context.close();
			assertThat(client.receive(3)).isEqualTo("BYE");
			assertThat(client.receiveUntilClosed()).isEmpty();
		}
		assertThat(lines(output, "Graceful shutdown of Thousand Island servers complete")).singleElement()
			.satisfies((line) -> assertThat(line).contains(" INFO "));
		assertThat(output.getOut().lines().filter((line) -> line.contains(" WARN ")))
			.noneMatch((line) -> line.contains("goodbye") || line.contains("Thousand Island"));
	}

	private static List<String> lines(CapturedOutput output, String text) {
		return output.getOut().lines().filter((line) -> line.contains(text)).toList();
	}

	private void start(String... properties) {
		this.context = new SpringApplicationBuilder(GoodbyeApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "thousandisland.port=0", "thousandisland.address=127.0.0.1")
			.properties(properties)
			.run();
		this.handler = this.context.getBean(GoodbyeHandler.class);
	}

	private int port() {
		return this.context.getEnvironment().getRequiredProperty("local.thousandisland.port", Integer.class);
	}

	private dev.thousandisland.Server server() {
		return this.context.getBean(ThousandIslandServers.class).get("goodbye").orElseThrow();
	}

}
