package dev.thousandisland.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
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
		ServerDefinitions definitions = new ServerDefinitions(new Binder(), Map.of("echo", handler),
				new DefaultListableBeanFactory().getBeanProvider(SslBundles.class), List.of());
		ServerConfig defaults = ServerConfig.builder(handler).build();
		assertThat(definitions.resolve(new ThousandIslandProperties())).singleElement().satisfies((definition) -> {
			assertThat(definition.sslBundle()).isNull();
			assertThat(definition.config()).usingRecursiveComparison()
				.ignoringFields("name")
				.withStrictTypeChecking()
				.isEqualTo(defaults);
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
					.contains(ServerProperties.class.getName()));
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
