package dev.thousandisland.autoconfigure.pubsub;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import dev.thousandisland.autoconfigure.ThousandIslandAutoConfiguration;
import dev.thousandisland.autoconfigure.ThousandIslandProperties;
import dev.thousandisland.autoconfigure.ThousandIslandPubSubProperties;
import dev.thousandisland.autoconfigure.ThousandIslandRegistryProperties;
import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.pubsub.PubSubAdapter;
import dev.thousandisland.pubsub.PubSubBuilder;
import dev.thousandisland.pubsub.PubSubCodec;
import dev.thousandisland.registry.Registry;
import dev.thousandisland.telemetry.Telemetry;
import dev.thousandisland.telemetry.TelemetryListener;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} of a
 * {@link PubSub} and a {@link Registry}, configured by {@code thousandisland.pubsub.*} and
 * {@code thousandisland.registry.*}. The PubSub carries broadcasts to other instances through a
 * {@link PubSubAdapter} bean if there is one, else through Redis when
 * {@code thousandisland.pubsub.adapter=redis}, else to none; messages that cross instances go
 * through the {@link PubSubCodec} bean if there is one, else the default codec (byte arrays and
 * strings). Its telemetry goes to every {@link PubSubTelemetryListener} bean. It is closed after
 * the servers have drained.
 */
@AutoConfiguration(after = ThousandIslandAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass(PubSub.class)
@EnableConfigurationProperties(ThousandIslandProperties.class)
@Import(RedisPubSubAdapterConfiguration.class)
public final class ThousandIslandPubSubAutoConfiguration {

	static final String PREFIX = "thousandisland.pubsub.";

	static final String ADAPTER_PROPERTY = PREFIX + "adapter";

	private static final int MAX_NODE_NAME_BYTES = 255;

	private static final String REDIS_CONNECTION_FACTORY = "org.springframework.data.redis.connection.RedisConnectionFactory";

	@Bean
	@ConditionalOnMissingBean
	PubSub thousandIslandPubSub(ThousandIslandProperties properties, ObjectProvider<PubSubAdapter> adapter,
			ObjectProvider<PubSubCodec> codec, ObjectProvider<PubSubTelemetryListener> listeners) {
		ThousandIslandPubSubProperties pubsub = properties.getPubsub();
		validate(pubsub);
		PubSubBuilder builder = PubSub.builder()
			.name(pubsub.getName())
			.slowSubscriberPolicy(pubsub.getSlowSubscriber())
			.telemetry(new Telemetry(listeners.orderedStream().<TelemetryListener>map((listener) -> listener).toList(), false));
		if (pubsub.getNodeName() != null) {
			builder.nodeName(pubsub.getNodeName());
		}
		PubSubCodec userCodec = codec.getIfAvailable();
		if (userCodec != null) {
			builder.codec(userCodec);
		}
		PubSubAdapter chosen = adapter.getIfAvailable();
		if (chosen != null) {
			builder.adapter(chosen);
		}
		else if (pubsub.getAdapter() == ThousandIslandPubSubProperties.Adapter.REDIS) {
			// The Redis configuration declares the adapter, or fails naming what is missing, whenever
			// Spring Data Redis is present; so here it is not.
			throw new InvalidConfigurationPropertyValueException(ADAPTER_PROPERTY, "redis",
					"Spring Data Redis is not on the classpath (" + REDIS_CONNECTION_FACTORY + " is missing). "
							+ "Add spring-boot-starter-data-redis, or set the adapter to 'local'.");
		}
		return builder.build();
	}

	@Bean
	PubSubLifecycle thousandIslandPubSubLifecycle(PubSub pubsub) {
		return new PubSubLifecycle(pubsub);
	}

	@Bean
	@ConditionalOnMissingBean
	Registry<Object, Object> thousandIslandRegistry(ThousandIslandProperties properties) {
		ThousandIslandRegistryProperties registry = properties.getRegistry();
		if (registry.getName() == null || registry.getName().isBlank()) {
			throw new InvalidConfigurationPropertyValueException("thousandisland.registry.name", registry.getName(),
					"The registry name must not be blank.");
		}
		if (registry.getPartitions() < 1 || registry.getPartitions() > 1024) {
			throw new InvalidConfigurationPropertyValueException("thousandisland.registry.partitions",
					registry.getPartitions(), "Partitions must be between 1 and 1024.");
		}
		return Registry.builder(registry.getKeys()).name(registry.getName()).partitions(registry.getPartitions()).build();
	}

	private static void validate(ThousandIslandPubSubProperties pubsub) {
		if (pubsub.getName() == null || pubsub.getName().isBlank()) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + "name", pubsub.getName(),
					"The PubSub name must not be blank.");
		}
		String nodeName = pubsub.getNodeName();
		if (nodeName != null && nodeName.isBlank()) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + "node-name", nodeName,
					"A node name must not be blank; leave it unset for a random one.");
		}
		// Every message carries it, behind a one-byte length.
		if (nodeName != null && nodeName.getBytes(StandardCharsets.UTF_8).length > MAX_NODE_NAME_BYTES) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + "node-name", nodeName,
					"A node name must be at most " + MAX_NODE_NAME_BYTES + " bytes in UTF-8.");
		}
		ThousandIslandPubSubProperties.Redis redis = pubsub.getRedis();
		if (redis.getChannelPrefix() == null) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + "redis.channel-prefix", null,
					"The channel prefix must be set; it may be empty.");
		}
		if (redis.getPublishQueueCapacity() < 1) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + "redis.publish-queue-capacity",
					redis.getPublishQueueCapacity(), "The publish queue must hold at least 1 message.");
		}
		Duration interval = redis.getRecoveryInterval();
		if (interval == null || interval.toMillis() < 1) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + "redis.recovery-interval", interval,
					"The recovery interval must be at least 1ms.");
		}
	}

}
