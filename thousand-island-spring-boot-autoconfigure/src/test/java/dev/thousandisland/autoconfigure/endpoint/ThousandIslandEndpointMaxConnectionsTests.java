package dev.thousandisland.autoconfigure.endpoint;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.thousandisland.Handler;
import dev.thousandisland.autoconfigure.ThousandIslandAutoConfiguration;
import dev.thousandisland.autoconfigure.ThousandIslandServers;
import dev.thousandisland.autoconfigure.health.ThousandIslandHealthContributorAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint and the health indicator report the same connection limit: the one the server
 * enforces.
 */
class ThousandIslandEndpointMaxConnectionsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class,
				ThousandIslandHealthContributorAutoConfiguration.class))
		.withBean("echo", Handler.class, () -> new Handler<Void>() {
		})
		.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1");

	@Test
	void withTheDefaultsBothReportAcceptorsTimesTheLimitPerAcceptor() {
		this.runner.run((context) -> assertThat(reported(context)).containsExactly(163_840L, 163_840L));
	}

	@Test
	void aServerWideLimitBelowTheAcceptorsShareIsWhatBothReport() {
		this.runner.withPropertyValues("thousandisland.max-connections=50")
			.run((context) -> assertThat(reported(context)).containsExactly(50L, 50L));
	}

	/** Returns what the endpoint, then the health indicator, says about the server's limit. */
	private static Long[] reported(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		ThousandIslandServers servers = context.getBean(ThousandIslandServers.class);
		Number endpoint = new ThousandIslandEndpoint(servers).servers().servers().get("echo").maxConnections();
		Object health = context.getBean("thousandislandHealthContributor", HealthIndicator.class)
			.health()
			.getDetails()
			.get("maxConnections");
		return new Long[] { (endpoint != null) ? endpoint.longValue() : null,
				(health instanceof Number number) ? number.longValue() : null };
	}

}
