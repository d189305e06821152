package dev.thousandisland.autoconfigure.endpoint;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import dev.thousandisland.autoconfigure.endpoint.EndpointTestApplication.Actuator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server on a Unix domain socket says {@code unix} wherever it names its transport: the
 * start-up line, its health and the endpoint, as its meters' {@code transport} tag does.
 */
@ExtendWith(OutputCaptureExtension.class)
class ThousandIslandUnixSocketReportingTests {

	@Test
	void aUnixSocketServerSaysUnixInItsStartUpLineHealthAndEndpoint(@TempDir Path directory, CapturedOutput output)
			throws Exception {
		Path socket = directory.resolve("echo.sock");
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(EndpointTestApplication.class)
			.properties("spring.main.banner-mode=off", "server.port=0", "management.server.port=0",
					"management.endpoints.web.exposure.include=health,thousandisland",
					"management.endpoint.health.show-details=always", "thousandisland.shutdown=immediate",
					"thousandisland.servers.echo.unix-path=" + socket)
			.run()) {
			assertThat(output.getOut().lines().filter((line) -> line.contains("Thousand Island server 'echo' started")))
				.singleElement()
				.satisfies((line) -> assertThat(line).contains("unix:" + socket, "(unix, handler 'echo')"));
			Actuator actuator = new Actuator(
					context.getEnvironment().getRequiredProperty("local.management.port", Integer.class));
			JsonNode health = actuator.get("/actuator/health/thousandisland").json().path("details");
			assertThat(health.path("transport").asString()).isEqualTo("unix");
			assertThat(health.path("address").asString()).isEqualTo("unix:" + socket);
			JsonNode listed = actuator.get("/actuator/thousandisland").json().path("servers").path("echo");
			assertThat(listed.path("transport").asString()).isEqualTo("unix");
			assertThat(listed.path("address").asString()).isEqualTo("unix:" + socket);
			assertThat(actuator.get("/actuator/thousandisland/echo").json().path("transport").asString())
				.isEqualTo("unix");
		}
	}

}
