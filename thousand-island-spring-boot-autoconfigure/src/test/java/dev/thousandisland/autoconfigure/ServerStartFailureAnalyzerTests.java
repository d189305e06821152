package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

@ExtendWith(OutputCaptureExtension.class)
class ServerStartFailureAnalyzerTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class))
		.withBean("echo", Handler.class, EchoHandler::new);

	@Test
	void portInUseIsReportedWithTheServerItsAddressAndItsPortProperty() throws IOException {
		try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			int port = busy.getLocalPort();
			this.runner.withPropertyValues("thousandisland.address=127.0.0.1", "thousandisland.servers.echo.port=" + port)
				.run((context) -> {
					ServerStartException failure = serverStartFailure(context);
					assertThat(failure.getDefinition().name()).isEqualTo("echo");
					FailureAnalysis analysis = new ServerStartFailureAnalyzer().analyze(context.getStartupFailure());
					assertThat(analysis.getCause()).isSameAs(failure);
					assertThat(analysis.getDescription()).contains("'echo'")
						.contains("127.0.0.1:" + port)
						.contains("already in use");
					assertThat(analysis.getAction()).contains("thousandisland.servers.echo.port");
				});
		}
	}

	@Test
	void unixPathInAMissingDirectoryIsReportedWithThePathAndItsProperty(@TempDir Path directory) {
		Path path = directory.resolve("missing").resolve("echo.sock");
		this.runner.withPropertyValues("thousandisland.servers.echo.unix-path=" + path).run((context) -> {
			ServerStartException failure = serverStartFailure(context);
			assertThat(failure.getDefinition().name()).isEqualTo("echo");
			FailureAnalysis analysis = new ServerStartFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getCause()).isSameAs(failure);
			assertThat(analysis.getDescription()).contains("'echo'").contains(path.toString()).contains("cannot be created");
			assertThat(analysis.getAction()).contains("thousandisland.servers.echo.unix-path").contains("directory");
		});
	}

	@Test
	void failureReportOfAnApplicationThatCannotStartNamesTheServerAndThePortProperty(CapturedOutput output)
			throws IOException {
		try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			int port = busy.getLocalPort();
			SpringApplicationBuilder application = new SpringApplicationBuilder(EchoApplication.class)
				.web(WebApplicationType.NONE)
				.properties("spring.main.banner-mode=off", "thousandisland.address=127.0.0.1",
						"thousandisland.servers.echo.port=" + port);
			assertThatException().isThrownBy(application::run);
			assertThat(output).contains("APPLICATION FAILED TO START")
				.contains("Thousand Island server 'echo' failed to start: 127.0.0.1:" + port + " is already in use.")
				.contains("thousandisland.servers.echo.port");
		}
	}

	private static ServerStartException serverStartFailure(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		for (Throwable candidate = context.getStartupFailure(); candidate != null; candidate = candidate.getCause()) {
			if (candidate instanceof ServerStartException failure) {
				return failure;
			}
		}
		throw new AssertionError("No ServerStartException in", context.getStartupFailure());
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class EchoApplication {

		@Bean
		Handler<Void> echo() {
			return new EchoHandler();
		}

	}

}
