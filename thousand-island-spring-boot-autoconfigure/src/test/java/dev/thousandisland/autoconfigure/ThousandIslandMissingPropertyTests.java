package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Handler;
import dev.thousandisland.autoconfigure.ThousandIslandFramingTests.ShoutConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A property that must be set and is not fails start-up with a report that says which one is
 * missing and when it is required, not that the value 'null' is invalid.
 */
@ExtendWith(OutputCaptureExtension.class)
class ThousandIslandMissingPropertyTests {

	@Test
	void aClientWithoutPortOrUnixPathNamesThePortAsRequired(CapturedOutput output) {
		assertThatException().isThrownBy(
				() -> application().properties("thousandisland.clients.clock.framing.type=line").run());
		assertThat(output).contains("'thousandisland.clients.clock.port' is required")
			.contains("unix-path")
			.doesNotContain("'null'");
	}

	@Test
	void aClientWithoutFramingNamesTheFramingTypeAsRequired(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application().properties("thousandisland.clients.clock.port=5000").run());
		assertThat(output).contains("'thousandisland.clients.clock.framing.type' is required")
			.contains("clockFraming")
			.doesNotContain("'null'");
	}

	@Test
	void aFramedHandlerWithoutFramingNamesTheFramingTypeAsRequired(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application(ShoutConfiguration.class).run());
		assertThat(output).contains("'thousandisland.servers.shout.framing.type' is required")
			.contains("FramedHandler")
			.doesNotContain("'null'");
	}

	@Test
	void theDelimiterFramingWithoutADelimiterNamesTheDelimiterAsRequired(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application(ShoutConfiguration.class)
			.properties("thousandisland.servers.shout.framing.type=delimiter")
			.run());
		assertThat(output).contains("'thousandisland.servers.shout.framing.delimiter' is required")
			.doesNotContain("'null'");
	}

	@Test
	void theFixedLengthFramingWithoutALengthNamesTheFixedLengthAsRequired(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application(ShoutConfiguration.class)
			.properties("thousandisland.servers.shout.framing.type=fixed-length")
			.run());
		assertThat(output).contains("'thousandisland.servers.shout.framing.fixed-length' is required")
			.doesNotContain("'null'");
	}

	@Test
	void aServerNameBundleWithoutABundleNamesTheEntrysBundleAsRequired(@TempDir Path directory,
			CapturedOutput output) throws IOException {
		PemCertificates certificates = PemCertificates.get();
		Path certificate = directory.resolve("server.crt");
		Path privateKey = directory.resolve("server.key");
		certificates.writeCertificate(PemCertificates.SERVER, certificate);
		certificates.writePrivateKey(PemCertificates.SERVER, privateKey);
		assertThatException().isThrownBy(() -> application()
			.properties("spring.ssl.bundle.pem.server.keystore.certificate=file:" + certificate,
					"spring.ssl.bundle.pem.server.keystore.private-key=file:" + privateKey,
					"thousandisland.servers.daytime.ssl.bundle=server",
					"thousandisland.servers.daytime.ssl.server-name-bundles[0].server-name=api.example.com")
			.run());
		assertThat(output)
			.contains("'thousandisland.servers.daytime.ssl.server-name-bundles[0].bundle' is required")
			.doesNotContain("'null'");
	}

	private static SpringApplicationBuilder application(Class<?>... configurations) {
		return new SpringApplicationBuilder(DaytimeApplication.class).sources(configurations)
			.web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off", "thousandisland.port=0", "thousandisland.address=127.0.0.1");
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class DaytimeApplication {

		@Bean
		Handler<Void> daytime() {
			return new EchoHandler();
		}

	}

}
