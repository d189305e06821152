package dev.thousandisland.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

import dev.thousandisland.autoconfigure.ThousandIslandFramingTests.ShoutConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that sends frames over the maximum, connection after connection, as a Boot user's log
 * shows it: no warning and no stack trace per connection, one INFO summary that names the Boot
 * property to raise.
 */
@ExtendWith(OutputCaptureExtension.class)
class ThousandIslandPeerErrorLogTests {

	private static final int CLIENTS = 20;

	@Test
	void framesOverTheMaximumAreSummedUpOnceNamingTheBootProperty(CapturedOutput output) throws Exception {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ShoutApplication.class)
			.web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "thousandisland.port=0", "thousandisland.address=127.0.0.1",
					"thousandisland.shutdown=immediate", "thousandisland.servers.shout.framing.type=line",
					"thousandisland.servers.shout.framing.max-frame-size=8B")
			.run()) {
			int port = context.getBean(ThousandIslandServers.class).get("shout").orElseThrow().port();
			for (int i = 0; i < CLIENTS; i++) {
				try (TestClient client = TestClient.connect(port)) {
					client.send("123456789\n");
					assertThat(client.receiveUntilClosed()).isEqualTo("TOO LARGE 9 > 8\n");
				}
			}
		}
		List<String> lines = output.getOut().lines().toList();
		assertThat(lines.stream().filter((line) -> line.contains("ended by errors of their clients")))
			.singleElement()
			.satisfies((line) -> assertThat(line).contains(" INFO ", "Server 'shout'", "frame_too_large",
					"raise thousandisland.servers.shout.framing.max-frame-size")
				.doesNotContain("withMaxFrameSize"));
		assertThat(lines).as("warnings")
			.noneMatch((line) -> line.contains(" WARN ") && (line.contains("shout") || line.contains("d.t.")));
		assertThat(lines).as("stack traces").noneMatch((line) -> line.contains("FrameTooLargeException"));
		assertThat(lines).as("per connection lines at the default level")
			.noneMatch((line) -> line.contains("ended by the client's error"));
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(ShoutConfiguration.class)
	static class ShoutApplication {

	}

}
