package dev.thousandisland.autoconfigure.pubsub;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * A batch of PUBLISHes sent straight on the Lettuce connection underneath a Spring Data Redis
 * connection, asynchronously, then awaited together: the same round trips as Spring Data Redis's
 * pipeline, without its per-command wrapping (a profile showed a fifth of the publisher thread's
 * time there). The connection still comes from the application's own
 * {@link RedisConnectionFactory}, so {@code spring.data.redis.*} applies. Only used when the factory
 * is Lettuce's; referring to this class must not load Lettuce's types otherwise (Jedis
 * applications may not have them), hence {@link #of}'s check by name first.
 */
final class LettucePublishes {

	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
			LettucePublishes.class.getClassLoader());

	/** Spring Boot's default for {@code spring.data.redis.timeout} when the factory says nothing. */
	private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

	private final RedisClusterAsyncCommands<byte[], byte[]> commands;

	private final Duration timeout;

	private LettucePublishes(RedisClusterAsyncCommands<byte[], byte[]> commands, Duration timeout) {
		this.commands = commands;
		this.timeout = timeout;
	}

	/**
	 * Returns the native publishing of a connection.
	 * @param factory the factory the connection came from
	 * @param connection the connection
	 * @return its Lettuce commands, or {@code null} when the factory is not Lettuce's
	 */
	static @Nullable LettucePublishes of(RedisConnectionFactory factory, RedisConnection connection) {
		if (!LETTUCE_PRESENT || !(factory instanceof LettuceConnectionFactory lettuce)) {
			return null;
		}
		if (!(connection.getNativeConnection() instanceof RedisClusterAsyncCommands<?, ?> commands)) {
			return null;
		}
		Duration timeout = (lettuce.getTimeout() > 0) ? Duration.ofMillis(lettuce.getTimeout()) : DEFAULT_TIMEOUT;
		@SuppressWarnings("unchecked")
		RedisClusterAsyncCommands<byte[], byte[]> bytes = (RedisClusterAsyncCommands<byte[], byte[]>) commands;
		return new LettucePublishes(bytes, timeout);
	}

	/**
	 * Sends every PUBLISH, then waits for their replies (all together at most the factory's
	 * timeout).
	 * @param channels each message's channel
	 * @param messages the messages, in the same order
	 * @param failed set to {@code true} at the index of each message whose PUBLISH failed or was
	 * not answered in time
	 * @return the first failure, or {@code null} if every PUBLISH was answered
	 */
	@Nullable Throwable publish(List<byte[]> channels, List<byte[]> messages, boolean[] failed) {
		int count = messages.size();
		@SuppressWarnings("unchecked")
		RedisFuture<Long>[] replies = new RedisFuture[count];
		Throwable first = null;
		for (int i = 0; i < count; i++) {
			try {
				replies[i] = this.commands.publish(channels.get(i), messages.get(i));
			}
			catch (RuntimeException ex) {
				failed[i] = true;
				first = (first != null) ? first : ex;
			}
		}
		long deadline = System.nanoTime() + this.timeout.toNanos();
		for (int i = 0; i < count; i++) {
			RedisFuture<Long> reply = replies[i];
			if (reply == null) {
				continue;
			}
			try {
				reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			catch (ExecutionException ex) {
				failed[i] = true;
				first = (first != null) ? first : ((ex.getCause() != null) ? ex.getCause() : ex);
			}
			catch (TimeoutException ex) {
				failed[i] = true;
				first = (first != null) ? first
						: new TimeoutException("Redis did not answer PUBLISH within " + this.timeout);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				for (int j = i; j < count; j++) {
					failed[j] = true;
				}
				return (first != null) ? first : ex;
			}
		}
		return first;
	}

}
