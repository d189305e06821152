package dev.thousandisland.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.thousandisland.Handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A {@code thousandisland.*} key that does not exist, or no longer exists, fails start-up with
 * Boot's failure report naming the key, where it came from and the key meant.
 */
@ExtendWith(OutputCaptureExtension.class)
class ThousandIslandPropertyMistakesTests {

	@Test
	void aTypoInAServerKeyFailsStartUpNamingTheKeyItsFileLineAndTheClosestKey(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application()
			.properties("spring.config.location=classpath:/property-mistakes/typo.properties")
			.run());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("thousandisland.servers.daytime.prot")
			.contains("property-mistakes/typo.properties")
			.contains("line 2")
			.contains("thousandisland.servers.daytime.port");
	}

	@Test
	void theRenamedSslProtocolsFailsStartUpNamingEnabledProtocols(CapturedOutput output) {
		// ssl.protocols=TLSv1.3 used to be ignored, leaving TLS 1.2 on.
		assertThatException().isThrownBy(() -> application()
			.properties("thousandisland.servers.daytime.ssl.protocols=TLSv1.3")
			.run());
		assertThat(output).contains("'thousandisland.servers.daytime.ssl.protocols'")
			.contains("was renamed to 'thousandisland.servers.daytime.ssl.enabled-protocols'");
	}

	@Test
	void everyRenamedTopLevelKeyFailsStartUpNamingItsNewName(CapturedOutput output) {
		String[][] renames = { { "num-acceptors=2", "thousandisland.acceptors" },
				{ "num-listen-sockets=1", "thousandisland.listen-sockets" },
				{ "num-connections=10", "thousandisland.max-connections-per-acceptor" },
				{ "num-pollers=1", "thousandisland.pollers" },
				{ "silent-terminate-on-error=true", "thousandisland.log-error-results" },
				{ "handshake-timeout=1s", "thousandisland.ssl.handshake-timeout" },
				{ "ssl.protocols=TLSv1.3", "thousandisland.ssl.enabled-protocols" },
				{ "keep-alive=true", "thousandisland.tcp-keep-alive" },
				{ "handler-module=daytime", "thousandisland.handler" } };
		for (String[] rename : renames) {
			assertThatException().as(rename[0])
				.isThrownBy(() -> application().properties("thousandisland." + rename[0]).run());
			String oldName = "thousandisland." + rename[0].substring(0, rename[0].indexOf('='));
			assertThat(output.getAll()).as(rename[0])
				.contains("'" + oldName + "' (from property source 'defaultProperties') was renamed to '" + rename[1] + "'");
		}
	}

	@Test
	void bootsPropertiesMigratorReportsARenamedKeyWithItsReplacement(CapturedOutput output) {
		// The migrator (on the test class path) reads the renamed keys from the metadata.
		assertThatException().isThrownBy(() -> application().properties("thousandisland.num-pollers=1").run());
		assertThat(output).contains("configuration keys that have been renamed")
			.containsPattern("Key: thousandisland\\.num-pollers\\s+Replacement: thousandisland\\.pollers");
	}

	@Test
	void anElixirOptionNameFailsStartUpNamingTheJavaKey(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application().properties("thousandisland.num_acceptors=2").run());
		assertThat(output).contains("thousandisland.num_acceptors").contains("'thousandisland.acceptors'");
	}

	@Test
	void aTypoInANestedServerGroupNamesTheClosestKeyOfThatGroup(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application()
			.properties("thousandisland.servers.daytime.proxy-protocol.trusted-source=10.0.0.1")
			.run());
		assertThat(output).contains("thousandisland.servers.daytime.proxy-protocol.trusted-source")
			.contains("'thousandisland.servers.daytime.proxy-protocol.trusted-sources'");
	}

	@Test
	void aTypoInAServerNameBundleEntryNamesTheEntrysKey(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application()
			.properties("thousandisland.servers.daytime.ssl.server-name-bundles[1].bundel=api")
			.run());
		assertThat(output).contains("'thousandisland.servers.daytime.ssl.server-name-bundles[1].bundle'");
	}

	@Test
	void aTypoInAClientKeyNamesTheClosestClientKey(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application()
			.properties("thousandisland.clients.clock.port=5000", "thousandisland.clients.clock.framing.type=line",
					"thousandisland.clients.clock.backof.max=1s")
			.run());
		assertThat(output).contains("thousandisland.clients.clock.backof.max")
			.contains("'thousandisland.clients.clock.backoff.max'");
	}

	@Test
	void aServerKeyOnAClientNamesTheClientsOwnSpelling(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application()
			.properties("thousandisland.clients.clock.port=5000", "thousandisland.clients.clock.framing.type=line",
					"thousandisland.clients.clock.ssl.bundle=client")
			.run());
		assertThat(output).contains("'thousandisland.clients.clock.ssl-bundle'");
	}

	@Test
	void aTypoInATopLevelKeyNamesTheClosestTopLevelKey(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application().properties("thousandisland.shutdwn=immediate").run());
		assertThat(output).contains("thousandisland.shutdwn").contains("'thousandisland.shutdown'");
	}

	@Test
	void everyRelaxedFormOfExistingKeysStartsTheServer() {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DaytimeApplication.class)
			.web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off",
					"spring.config.location=classpath:/property-mistakes/relaxed.yaml",
					"thousandisland.clients.clock.backoff.max-attempts=1")
			.run()) {
			ThousandIslandServerProperties daytime = context.getBean(ThousandIslandProperties.class)
				.getServers()
				.get("daytime");
			assertThat(daytime.getMaxConnectionsRetryCount()).isEqualTo(3);
			assertThat(daytime.getProxyProtocol().getTrustedSources()).containsExactly("10.0.0.0/8");
		}
	}

	private static SpringApplicationBuilder application() {
		return new SpringApplicationBuilder(DaytimeApplication.class).web(WebApplicationType.NONE)
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
