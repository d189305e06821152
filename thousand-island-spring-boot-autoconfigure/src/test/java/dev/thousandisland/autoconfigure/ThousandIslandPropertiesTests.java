package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;

import dev.thousandisland.Handler;
import dev.thousandisland.ServerConfig;

import static org.assertj.core.api.Assertions.assertThat;

class ThousandIslandPropertiesTests {

	@Test
	void serverBuiltFromNoPropertiesHasThousandIslandsDefaults() {
		Handler<Void> handler = new EchoHandler();
		Duration phaseTimeout = Duration.ofSeconds(30);
		ServerDefinitions definitions = new ServerDefinitions(new Binder(), Map.of("echo", handler),
				new DefaultListableBeanFactory().getBeanProvider(SslBundles.class), List.of(), phaseTimeout);
		ServerConfig defaults = ServerConfig.builder(handler).name("echo").shutdownTimeout(phaseTimeout).build();
		assertThat(definitions.resolve(new ThousandIslandProperties())).singleElement().satisfies((definition) -> {
			assertThat(definition.sslBundle()).isNull();
			// ServerConfig is equal to another when every option is: no need to compare its private fields.
			// Only the names its log messages give options are the starter's own (its properties).
			assertThat(definition.config().optionName("maxFrameSize"))
				.isEqualTo("thousandisland.servers.echo.framing.max-frame-size");
			assertThat(definition.config()).isEqualTo(defaults.toBuilder().optionNames(definition.config().optionNames()).build());
		});
	}

	@Test
	void metadataDescribesThePortWithItsDefault() throws IOException {
		assertThat(property("thousandisland.port")).containsEntry("type", "java.lang.Integer")
			.containsEntry("defaultValue", 4000)
			.hasEntrySatisfying("description", (description) -> assertThat((String) description).isNotBlank());
	}

	@Test
	void metadataDescribesServersSslBundleAndShutdown() throws IOException {
		assertThat(property("thousandisland.servers")).hasEntrySatisfying("type",
				(type) -> assertThat((String) type).startsWith("java.util.Map<java.lang.String,")
					.contains(ThousandIslandServerProperties.class.getName()));
		assertThat(property("thousandisland.ssl.bundle")).containsEntry("type", "java.lang.String")
			.hasEntrySatisfying("description", (description) -> assertThat((String) description).isNotBlank());
		assertThat(property("thousandisland.shutdown")).containsEntry("defaultValue", "graceful")
			.hasEntrySatisfying("description", (description) -> assertThat((String) description).isNotBlank());
	}

	@Test
	void metadataDescribesEveryProperty() throws IOException {
		List<Map<String, Object>> properties = metadata().read("$.properties[*]");
		assertThat(properties).filteredOn((property) -> ((String) property.get("name")).startsWith("thousandisland."))
			.hasSizeGreaterThan(20)
			.allSatisfy((property) -> assertThat((String) property.get("description")).as("%s", property.get("name"))
				.isNotBlank());
	}

	@Test
	void metadataNamesEveryServerPropertyInSpringBootsVocabulary() throws IOException {
		// The renamed keys are listed too, as errors: ConfigurationMetadataTests checks them.
		List<String> names = metadata().read("$.properties[?(!@.deprecation)].name");
		assertThat(names).filteredOn((name) -> name.startsWith("thousandisland.") && !name.startsWith("thousandisland.servers"))
			.containsExactlyInAnyOrder("thousandisland.enabled", "thousandisland.handler", "thousandisland.port",
					"thousandisland.address", "thousandisland.unix-path", "thousandisland.acceptors",
					"thousandisland.listen-sockets", "thousandisland.max-connections-per-acceptor",
					"thousandisland.max-connections", "thousandisland.max-connections-retry-count",
					"thousandisland.max-connections-retry-wait", "thousandisland.max-accept-backoff",
					"thousandisland.read-timeout",
					"thousandisland.send-timeout", "thousandisland.shutdown-timeout", "thousandisland.hibernate-after",
					"thousandisland.backlog", "thousandisland.tcp-no-delay", "thousandisland.reuse-address",
					"thousandisland.reuse-port", "thousandisland.tcp-keep-alive", "thousandisland.send-buffer-size",
					"thousandisland.receive-buffer-size", "thousandisland.pollers", "thousandisland.callbacks-on-poller",
					"thousandisland.poller-callback-limit", "thousandisland.log-error-results",
					"thousandisland.data-buffers", "thousandisland.read-buffer-pool-size",
					"thousandisland.mailbox-capacity",
					"thousandisland.ssl.bundle", "thousandisland.ssl.client-auth", "thousandisland.ssl.enabled-protocols",
					"thousandisland.ssl.ciphers", "thousandisland.ssl.application-protocols",
					"thousandisland.ssl.server-name-bundles", "thousandisland.ssl.reject-unknown-server-names",
					"thousandisland.ssl.handshake-timeout", "thousandisland.framing.type",
					"thousandisland.framing.max-frame-size", "thousandisland.framing.delimiter",
					"thousandisland.framing.length-field-bytes", "thousandisland.framing.byte-order",
					"thousandisland.framing.length-field-offset", "thousandisland.framing.length-adjustment",
					"thousandisland.framing.strip-header", "thousandisland.framing.fixed-length", "thousandisland.proxy-protocol.mode",
					"thousandisland.proxy-protocol.trusted-sources", "thousandisland.proxy-protocol.header-timeout",
					"thousandisland.shutdown",
					"thousandisland.observations.connections.enabled", "thousandisland.clients",
					"thousandisland.pubsub.name", "thousandisland.pubsub.node-name",
					"thousandisland.pubsub.slow-subscriber", "thousandisland.pubsub.adapter",
					"thousandisland.pubsub.redis.channel-prefix", "thousandisland.pubsub.redis.publish-queue-capacity",
					"thousandisland.pubsub.redis.recovery-interval", "thousandisland.registry.name",
					"thousandisland.registry.keys", "thousandisland.registry.partitions");
	}

	@ParameterizedTest
	@CsvSource({ "thousandisland.acceptors, 0", "thousandisland.servers.echo.listen-sockets, 2",
			"thousandisland.max-connections-per-acceptor, 0", "thousandisland.servers.echo.max-connections, 0",
			"thousandisland.pollers, 0", "thousandisland.servers.echo.poller-callback-limit, 0ms",
			"thousandisland.ssl.handshake-timeout, -1s",
			"thousandisland.servers.echo.shutdown-timeout, -1s", "thousandisland.backlog, 0",
			"thousandisland.servers.echo.read-buffer-pool-size, 0", "thousandisland.mailbox-capacity, 0",
			"thousandisland.servers.echo.max-accept-backoff, 0ms", "thousandisland.proxy-protocol.header-timeout, -1s",
			"thousandisland.servers.echo.proxy-protocol.trusted-sources, 10.0.0.0/8;10.0.0.1/99" })
	void aBadValueFailsStartUpNamingTheProperty(String property, String value) {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ThousandIslandAutoConfiguration.class))
			.withBean("echo", Handler.class, EchoHandler::new)
			.withPropertyValues("thousandisland.port=0", "thousandisland.address=127.0.0.1", property + "=" + value)
			.run((context) -> {
				assertThat(context).hasFailed();
				Throwable root = NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure());
				assertThat(root).isInstanceOf(InvalidConfigurationPropertyValueException.class);
				assertThat(((InvalidConfigurationPropertyValueException) root).getName()).isEqualTo(property);
			});
	}

	private static Map<String, Object> property(String name) throws IOException {
		List<Map<String, Object>> matches = metadata().read("$.properties[?(@.name == '" + name + "')]");
		assertThat(matches).as(name).hasSize(1);
		return matches.get(0);
	}

	/** The module's own metadata, generated into target/classes by the configuration processor. */
	private static DocumentContext metadata() throws IOException {
		for (URL url : Collections.list(ThousandIslandPropertiesTests.class.getClassLoader()
			.getResources("META-INF/spring-configuration-metadata.json"))) {
			if (url.getProtocol().equals("file")) {
				try (InputStream in = url.openStream()) {
					return JsonPath.parse(in);
				}
			}
		}
		throw new AssertionError("META-INF/spring-configuration-metadata.json is not in target/classes");
	}

}
