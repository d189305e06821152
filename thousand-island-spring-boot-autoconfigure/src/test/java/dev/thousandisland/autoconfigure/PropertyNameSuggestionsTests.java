package dev.thousandisland.autoconfigure;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PropertyNameSuggestions} knows every key from the properties classes and names the key
 * meant by one that does not exist.
 */
class PropertyNameSuggestionsTests {

	@Test
	void knowsTheKeysOfAServerWithTheirNestedGroupsAndListEntries() {
		assertThat(PropertyNameSuggestions.serverKeys()).contains("port", "backlog", "tcp-keep-alive",
				"ssl.enabled-protocols", "ssl.server-name-bundles[*].server-name", "framing.max-frame-size",
				"proxy-protocol.trusted-sources")
			.doesNotContain("servers", "clients", "shutdown", "ssl", "framing");
	}

	@Test
	void knowsTheKeysOfAClientAndOfTheTopLevel() {
		assertThat(PropertyNameSuggestions.clientKeys()).contains("host", "ssl-bundle", "backoff.max-attempts",
				"framing.type", "frame-requests")
			.doesNotContain("ssl.bundle", "acceptors");
		assertThat(PropertyNameSuggestions.topLevelKeys()).contains("servers", "clients", "shutdown",
				"observations.connections.enabled", "acceptors", "ssl.bundle");
	}

	@Test
	void namesTheNewNameOfARenamedKeyWrittenInAnyRelaxedForm() {
		for (String written : new String[] { "thousandisland.servers.echo.num-acceptors",
				"thousandisland.servers.echo.numAcceptors", "thousandisland.servers.echo.num_acceptors" }) {
			PropertyNameSuggestions.Suggestion suggestion = PropertyNameSuggestions
				.suggest(ConfigurationPropertyName.adapt(written, '.'));
			assertThat(suggestion.renamed()).as(written).isTrue();
			assertThat(suggestion.key()).as(written).isEqualTo("thousandisland.servers.echo.acceptors");
		}
	}

	@Test
	void namesTheClosestKeyOfTheSameLevel() {
		assertThat(suggest("thousandisland.prot").key()).isEqualTo("thousandisland.port");
		assertThat(suggest("thousandisland.servers.echo.framing.lenght-field-bytes").key())
			.isEqualTo("thousandisland.servers.echo.framing.length-field-bytes");
		assertThat(suggest("thousandisland.clients.redis.hots").key()).isEqualTo("thousandisland.clients.redis.host");
		assertThat(suggest("thousandisland.clients.redis.hots").renamed()).isFalse();
	}

	@Test
	void measuresEditDistance() {
		assertThat(PropertyNameSuggestions.distance("prot", "port")).isEqualTo(2);
		assertThat(PropertyNameSuggestions.distance("port", "port")).isZero();
		assertThat(PropertyNameSuggestions.distance("", "port")).isEqualTo(4);
		assertThat(PropertyNameSuggestions.distance("backof", "backoff")).isEqualTo(1);
	}

	private static PropertyNameSuggestions.Suggestion suggest(String name) {
		return PropertyNameSuggestions.suggest(ConfigurationPropertyName.of(name));
	}

}
