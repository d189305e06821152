package dev.thousandisland.autoconfigure.pubsub;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.thousandisland.autoconfigure.ThousandIslandAutoConfiguration;
import dev.thousandisland.autoconfigure.health.ThousandIslandPubSubHealthContributorAutoConfiguration;
import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.pubsub.PubSubAdapter;
import dev.thousandisland.registry.Registry;
import dev.thousandisland.telemetry.TelemetryEvent;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PubSub and Registry beans: local by default, configured by {@code thousandisland.pubsub.*}
 * and {@code thousandisland.registry.*}, working without Spring Data Redis, and failing start-up
 * naming the property when the Redis adapter is asked for but cannot be built or a value is out
 * of range.
 */
class PubSubAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(ThousandIslandAutoConfiguration.class, ThousandIslandPubSubAutoConfiguration.class));

	@Test
	void aContextHasALocalPubSubAndADuplicateKeyRegistryByDefault() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			PubSub pubsub = context.getBean(PubSub.class);
			assertThat(pubsub.adapter()).isSameAs(PubSubAdapter.local());
			assertThat(pubsub.nodeName()).isNotBlank();
			Registry<?, ?> registry = context.getBean(Registry.class);
			assertThat(registry.kind()).isEqualTo(Registry.Keys.DUPLICATE);
			assertThat(registry.name()).isEqualTo("registry");
		});
	}

	@Test
	void everyStartHasADifferentRandomNodeName() {
		String[] names = new String[2];
		this.runner.run((context) -> names[0] = context.getBean(PubSub.class).nodeName());
		this.runner.run((context) -> names[1] = context.getBean(PubSub.class).nodeName());
		assertThat(names[0]).isNotEqualTo(names[1]);
	}

	@Test
	void propertiesNameThePubSubAndItsNodeAndConfigureTheRegistry() {
		this.runner.withUserConfiguration(RecordingListenerConfiguration.class)
			.withPropertyValues("thousandisland.pubsub.name=chat", "thousandisland.pubsub.node-name=node-a",
					"thousandisland.pubsub.slow-subscriber=close", "thousandisland.registry.name=sessions",
					"thousandisland.registry.keys=unique", "thousandisland.registry.partitions=4")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(PubSub.class).nodeName()).isEqualTo("node-a");
				TelemetryEvent start = context.getBean(RecordingListener.class).events.get(0);
				assertThat(start.name()).isEqualTo(TelemetryEvent.PUBSUB_START);
				assertThat(start.span().metadata()).containsEntry("name", "chat")
					.containsEntry("node", "node-a")
					.containsEntry("adapter", "local");
				Registry<?, ?> registry = context.getBean(Registry.class);
				assertThat(registry.name()).isEqualTo("sessions");
				assertThat(registry.kind()).isEqualTo(Registry.Keys.UNIQUE);
			});
	}

	@Test
	void aContextWithoutSpringDataRedisWorksWithTheLocalAdapter() {
		this.runner.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(PubSub.class).adapter().kind()).isEqualTo("local");
		});
	}

	@Test
	void thePubSubHealthWithoutSpringDataRedisIsUpWithTheLocalAdapter() {
		this.runner.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
			.withConfiguration(AutoConfigurations.of(ThousandIslandPubSubHealthContributorAutoConfiguration.class))
			.withPropertyValues("thousandisland.pubsub.node-name=alone")
			.run((context) -> {
				Health health = context.getBean("pubsubHealthIndicator", HealthIndicator.class).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("adapter", "local")
					.containsEntry("node", "alone")
					.containsEntry("connected", true);
			});
	}

	@Test
	void theRedisAdapterWithoutSpringDataRedisFailsStartUpNamingTheProperty() {
		this.runner.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
			.withPropertyValues("thousandisland.pubsub.adapter=redis")
			.run((context) -> {
				InvalidConfigurationPropertyValueException failure = invalidProperty(context);
				assertThat(failure.getName()).isEqualTo("thousandisland.pubsub.adapter");
				assertThat(failure.getReason()).contains("Spring Data Redis is not on the classpath");
			});
	}

	@Test
	void theRedisAdapterWithoutARedisConnectionFactoryFailsStartUpNamingTheProperty() {
		this.runner.withPropertyValues("thousandisland.pubsub.adapter=redis").run((context) -> {
			InvalidConfigurationPropertyValueException failure = invalidProperty(context);
			assertThat(failure.getName()).isEqualTo("thousandisland.pubsub.adapter");
			assertThat(failure.getReason()).contains("no single RedisConnectionFactory bean");
		});
	}

	@Test
	void theRedisAdapterUsesTheApplicationsRedisConnectionFactory() {
		this.runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("thousandisland.pubsub.adapter=redis", "spring.data.redis.port=1",
					"thousandisland.pubsub.redis.recovery-interval=50ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				PubSub pubsub = context.getBean(PubSub.class);
				assertThat(pubsub.adapter()).isInstanceOf(RedisPubSubAdapter.class);
				// Nothing listens on port 1: the adapter starts all the same, and says so.
				assertThat(pubsub.adapter().isConnected()).isFalse();
				assertThat(((RedisPubSubAdapter) pubsub.adapter()).lastError()).isNotNull();
			});
	}

	@Test
	void valuesOutOfRangeFailStartUpNamingTheProperty() {
		assertInvalid("thousandisland.pubsub.redis.publish-queue-capacity=0",
				"thousandisland.pubsub.redis.publish-queue-capacity");
		assertInvalid("thousandisland.pubsub.redis.recovery-interval=0s",
				"thousandisland.pubsub.redis.recovery-interval");
		assertInvalid("thousandisland.pubsub.name= ", "thousandisland.pubsub.name");
		assertInvalid("thousandisland.pubsub.node-name=" + "n".repeat(256), "thousandisland.pubsub.node-name");
		assertInvalid("thousandisland.registry.partitions=0", "thousandisland.registry.partitions");
	}

	@Test
	void anUnknownPolicyFailsStartUpNamingTheProperty() {
		this.runner.withPropertyValues("thousandisland.pubsub.slow-subscriber=sometimes").run((context) -> {
			assertThat(context).hasFailed();
			BindException failure = findCause(context.getStartupFailure(), BindException.class);
			assertThat(failure.getProperty().getName().toString()).isEqualTo("thousandisland.pubsub.slow-subscriber");
		});
	}

	@Test
	void anApplicationsOwnPubSubReplacesTheAutoConfiguredOne() {
		this.runner.withUserConfiguration(OwnPubSubConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(PubSub.class);
			assertThat(context.getBean(PubSub.class).nodeName()).isEqualTo("own");
		});
	}

	private void assertInvalid(String property, String name) {
		this.runner.withPropertyValues(property).run((context) -> {
			InvalidConfigurationPropertyValueException failure = invalidProperty(context);
			assertThat(failure.getName()).isEqualTo(name);
		});
	}

	private static InvalidConfigurationPropertyValueException invalidProperty(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		Throwable root = NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure());
		assertThat(root).isInstanceOf(InvalidConfigurationPropertyValueException.class);
		return (InvalidConfigurationPropertyValueException) root;
	}

	private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		throw new AssertionError("No " + type.getSimpleName() + " behind " + failure, failure);
	}

	static final class RecordingListener implements PubSubTelemetryListener {

		final List<TelemetryEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onEvent(TelemetryEvent event) {
			this.events.add(event);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingListenerConfiguration {

		@Bean
		RecordingListener recordingListener() {
			return new RecordingListener();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnPubSubConfiguration {

		@Bean
		PubSub ownPubSub() {
			return PubSub.builder().nodeName("own").build();
		}

	}

}
