package dev.thousandisland.autoconfigure.pubsub;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis killed and restarted on the same port under two instances: local delivery carries on
 * without loss, both instances report the outage in health (DOWN, then UP) and once in
 * {@code adapter.errors}, cross-instance delivery resumes by itself, and the meters say exactly
 * how many messages were lost: on the publishing instance those it could not send, on the
 * receiving instance every message it missed. Instances started before Redis connect when it comes.
 */
class PubSubRedisOutageTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final String LOST = "thousandisland.pubsub.adapter.lost";

	@TempDir
	Path directory;

	@Test
	void localDeliveryContinuesAndCrossInstanceDeliveryResumesWithTheLossCounted() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.start(this.directory);
				ChatInstance first = ChatInstance.start("first", redis.port());
				ChatInstance second = ChatInstance.start("second", redis.port());
				LineClient alice = first.connect();
				LineClient dave = first.connect();
				LineClient bob = second.connect()) {
			dave.subscribe("room:outage");
			bob.subscribe("room:outage");
			String channel = first.adapter().channel("room:outage");
			try (RedisChannels channels = new RedisChannels(redis.port())) {
				await().atMost(WAIT).untilAsserted(() -> assertThat(channels.subscribers(channel)).isEqualTo(2));
			}
			alice.send("PUB room:outage before");
			assertThat(bob.readLine()).isEqualTo("before");
			assertThat(dave.readLine()).isEqualTo("before");

			redis.kill();
			awaitStatus(Status.DOWN, first, second);
			for (int i = 0; i < 20; i++) {
				alice.send("PUB room:outage during-" + i);
			}
			for (int i = 0; i < 20; i++) {
				assertThat(dave.readLine()).isEqualTo("during-" + i);
			}
			await().atMost(WAIT).untilAsserted(() -> assertThat(first.count(LOST, "reason", "disconnected")).isEqualTo(20));

			redis.start();
			awaitStatus(Status.UP, first, second);
			// Bob's instance resubscribes by itself; until it has, Alice's lines reach Redis with no
			// one on Bob's side listening.
			String resumed = null;
			int sent = 0;
			long deadline = System.nanoTime() + WAIT.toNanos();
			while (resumed == null && System.nanoTime() - deadline < 0) {
				alice.send("PUB room:outage after-" + sent++);
				resumed = bob.pollLine(100);
			}
			assertThat(resumed).as("a line crossing instances after Redis came back").startsWith("after-");
			int firstResumed = Integer.parseInt(resumed.substring("after-".length()));
			for (int i = firstResumed + 1; i < sent; i++) {
				assertThat(bob.readLine()).isEqualTo("after-" + i);
			}
			for (int i = 0; i < sent; i++) {
				assertThat(dave.readLine()).isEqualTo("after-" + i);
			}
			// Bob's instance missed the 20 lines sent while Redis was down and the lines sent before
			// it had resubscribed, and counts exactly those.
			await().atMost(WAIT)
				.untilAsserted(() -> assertThat(second.count(LOST, "reason", "missed")).isEqualTo(20 + firstResumed));
			// Alice's instance could not send the 20; everything it sent later reached Redis.
			assertThat(first.count(LOST)).isEqualTo(20);
			assertThat(first.count("thousandisland.pubsub.adapter.errors")).isEqualTo(1);
			assertThat(second.count("thousandisland.pubsub.adapter.errors")).isEqualTo(1);

			for (int i = 0; i < 50; i++) {
				alice.send("PUB room:outage later-" + i);
			}
			for (int i = 0; i < 50; i++) {
				assertThat(bob.readLine()).isEqualTo("later-" + i);
				assertThat(dave.readLine()).isEqualTo("later-" + i);
			}
			assertThat(second.count(LOST, "reason", "missed")).isEqualTo(20 + firstResumed);
			assertThat(first.health().getDetails()).containsEntry("connected", true).containsEntry("adapter", "redis");

			// An instance that stops leaves no subscription behind on Redis.
			second.close();
			try (RedisChannels channels = new RedisChannels(redis.port())) {
				await().atMost(WAIT).untilAsserted(() -> assertThat(channels.subscribers(channel)).isEqualTo(1));
			}
		}
	}

	@Test
	void instancesStartedBeforeRedisConnectAndSubscribeWhenItComes() throws Exception {
		try (RedisServerProcess redis = RedisServerProcess.notStarted(this.directory, null);
				ChatInstance first = ChatInstance.start("first", redis.port());
				ChatInstance second = ChatInstance.start("second", redis.port());
				LineClient alice = first.connect();
				LineClient bob = second.connect()) {
			assertThat(first.health().getStatus()).isEqualTo(Status.DOWN);
			bob.subscribe("room:late");
			alice.subscribe("room:late");
			redis.start();
			awaitStatus(Status.UP, first, second);
			String channel = first.adapter().channel("room:late");
			try (RedisChannels channels = new RedisChannels(redis.port())) {
				await().atMost(WAIT).untilAsserted(() -> assertThat(channels.subscribers(channel)).isEqualTo(2));
			}
			alice.send("PUB room:late hello");
			assertThat(bob.readLine()).isEqualTo("hello");
			bob.send("PUB room:late hi");
			assertThat(alice.readLine()).isEqualTo("hi");
		}
	}

	private static void awaitStatus(Status status, ChatInstance... instances) {
		for (ChatInstance instance : instances) {
			await().atMost(WAIT).untilAsserted(() -> assertThat(instance.health().getStatus()).isEqualTo(status));
		}
	}

}
