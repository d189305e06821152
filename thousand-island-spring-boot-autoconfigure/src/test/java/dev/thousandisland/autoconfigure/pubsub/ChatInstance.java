package dev.thousandisland.autoconfigure.pubsub;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.thousandisland.autoconfigure.ThousandIslandServers;
import dev.thousandisland.pubsub.PubSub;

/**
 * One instance of a chat application: a Spring Boot application whose {@link ChatLineHandler}
 * server shares the auto-configured PubSub with the other instances through one redis-server,
 * with a codec bean of its own ({@link ShoutCodec}).
 */
final class ChatInstance implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private ChatInstance(ConfigurableApplicationContext context) {
		this.context = context;
	}

	static ChatInstance start(String nodeName, int redisPort, String... extraProperties) {
		List<String> properties = new ArrayList<>(List.of("thousandisland.port=0", "thousandisland.address=127.0.0.1",
				"thousandisland.framing.type=line", "thousandisland.pubsub.adapter=redis",
				"thousandisland.pubsub.node-name=" + nodeName, "thousandisland.pubsub.redis.recovery-interval=200ms",
				"spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redisPort,
				"spring.data.redis.timeout=1s", "spring.main.banner-mode=off",
				"logging.level.dev.thousandisland=info"));
		properties.addAll(List.of(extraProperties));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ChatApplication.class)
			.web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run();
		return new ChatInstance(context);
	}

	int port() {
		return this.context.getBean(ThousandIslandServers.class).get("chat").orElseThrow().port();
	}

	PubSub pubsub() {
		return this.context.getBean(PubSub.class);
	}

	RedisPubSubAdapter adapter() {
		return (RedisPubSubAdapter) pubsub().adapter();
	}

	Health health() {
		return this.context.getBean("pubsubHealthIndicator", HealthIndicator.class).health();
	}

	MeterRegistry meters() {
		return this.context.getBean(MeterRegistry.class);
	}

	/** Sums a counter over all its series with the tags given (name, value pairs). */
	double count(String name, String... tags) {
		return meters().find(name).tags(tags).counters().stream().mapToDouble((counter) -> counter.count()).sum();
	}

	LineClient connect() throws java.io.IOException {
		return LineClient.connect(port());
	}

	@Override
	public void close() {
		this.context.close();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ChatApplication {

		@Bean
		ChatLineHandler chat(PubSub pubsub) {
			return new ChatLineHandler(pubsub);
		}

		@Bean
		ShoutCodec shoutCodec() {
			return new ShoutCodec();
		}

	}

}
