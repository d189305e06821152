package dev.thousandisland.autoconfigure.pubsub;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.thousandisland.autoconfigure.ThousandIslandProperties;
import dev.thousandisland.autoconfigure.ThousandIslandPubSubProperties;
import dev.thousandisland.pubsub.PubSubAdapter;

/**
 * Declares the {@link RedisPubSubAdapter} when {@code thousandisland.pubsub.adapter=redis} and
 * Spring Data Redis is on the classpath, for {@link ThousandIslandPubSubAutoConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(RedisConnectionFactory.class)
@ConditionalOnProperty(name = ThousandIslandPubSubAutoConfiguration.ADAPTER_PROPERTY, havingValue = "redis")
class RedisPubSubAdapterConfiguration {

	@Bean
	@ConditionalOnMissingBean(PubSubAdapter.class)
	RedisPubSubAdapter thousandIslandPubSubRedisAdapter(ThousandIslandProperties properties,
			ObjectProvider<RedisConnectionFactory> connectionFactory) {
		RedisConnectionFactory factory = connectionFactory.getIfUnique();
		if (factory == null) {
			throw new InvalidConfigurationPropertyValueException(ThousandIslandPubSubAutoConfiguration.ADAPTER_PROPERTY,
					"redis", "There is no single RedisConnectionFactory bean to publish and subscribe with. Add "
							+ "spring-boot-starter-data-redis and configure spring.data.redis.*, declare one "
							+ "RedisConnectionFactory bean, or set the adapter to 'local'.");
		}
		ThousandIslandPubSubProperties.Redis redis = properties.getPubsub().getRedis();
		return new RedisPubSubAdapter(factory, redis.getChannelPrefix(), redis.getPublishQueueCapacity(),
				redis.getRecoveryInterval());
	}

}
