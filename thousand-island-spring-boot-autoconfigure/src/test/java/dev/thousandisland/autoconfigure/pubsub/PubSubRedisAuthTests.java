package dev.thousandisland.autoconfigure.pubsub;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Redis that refuses the application's password: the instance starts and serves its own
 * subscribers, the health says DOWN with Redis's own answer, and the failure is logged once
 * however many publishes, PINGs and subscription attempts it refuses.
 */
@ExtendWith(OutputCaptureExtension.class)
class PubSubRedisAuthTests {

	@TempDir
	Path directory;

	@Test
	void aRedisThatRefusesThePasswordShowsInHealthAndIsLoggedOnce(CapturedOutput output) throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start(this.directory, "the-right-one");
				ChatInstance instance = ChatInstance.start("refused", redis.port(),
						"spring.data.redis.password=a-wrong-one");
				LineClient alice = instance.connect();
				LineClient dave = instance.connect()) {
			dave.subscribe("room:auth");
			for (int i = 0; i < 10; i++) {
				alice.send("PUB room:auth line-" + i);
			}
			for (int i = 0; i < 10; i++) {
				assertThat(dave.readLine()).isEqualTo("line-" + i);
			}
			Health health = instance.health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsEntry("connected", false);
			assertThat(String.valueOf(health.getDetails().get("error"))).contains("WRONGPASS");
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(instance.count("thousandisland.pubsub.adapter.lost", "reason",
						"disconnected")).isEqualTo(10));
			// Ten recovery intervals of PINGs and subscription retries, all refused: still one line.
			await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				assertThat(occurrences(output.getAll(), "WRONGPASS")).isEqualTo(1);
				assertThat(occurrences(output.getAll(), "lost its transport")).isEqualTo(1);
			});
			assertThat(instance.count("thousandisland.pubsub.adapter.errors")).isEqualTo(1);
		}
	}

	private static int occurrences(String text, String part) {
		int count = 0;
		for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
			count++;
		}
		return count;
	}

}
