package dev.thousandisland.autoconfigure.pubsub;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of an application linked by one real redis-server through the Redis adapter:
 * members on different instances get each other's lines, in each sender's order, exactly once,
 * and each instance is subscribed on Redis to exactly the topics it has local subscribers of.
 */
class PubSubRedisInstancesTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	static Path directory;

	private static RedisServerProcess redis;

	private static RedisChannels channels;

	private static ChatInstance first;

	private static ChatInstance second;

	@BeforeAll
	static void startRedisAndTwoInstances() throws Exception {
		redis = RedisServerProcess.start(directory);
		channels = new RedisChannels(redis.port());
		first = ChatInstance.start("first", redis.port());
		second = ChatInstance.start("second", redis.port());
	}

	@AfterAll
	static void stopAll() throws Exception {
		if (first != null) {
			first.close();
		}
		if (second != null) {
			second.close();
		}
		if (channels != null) {
			channels.close();
		}
		if (redis != null) {
			redis.close();
		}
	}

	@Test
	void membersOnDifferentInstancesGetEachOthersLinesInOrderExactlyOnce() throws Exception {
		try (LineClient alice = first.connect(); LineClient bob = second.connect(); LineClient carol = second.connect();
				LineClient eve = second.connect()) {
			alice.subscribe("room:order");
			bob.subscribe("room:order");
			carol.subscribe("room:order");
			eve.subscribe("room:other");
			awaitSubscribers("room:order", 2);
			List<String> fromAlice = lines("alice", 300);
			List<String> fromBob = lines("bob", 100);
			for (int i = 0; i < 300; i++) {
				alice.send("PUB room:order " + fromAlice.get(i));
				if (i < 100) {
					bob.send("PUB room:order " + fromBob.get(i));
				}
			}
			// Carol is on Bob's instance: she gets Bob's lines locally and Alice's through Redis,
			// interleaved, each sender's in order.
			List<String> carolGot = read(carol, 400);
			assertThat(carolGot.stream().filter((line) -> line.startsWith("alice")).toList()).isEqualTo(fromAlice);
			assertThat(carolGot.stream().filter((line) -> line.startsWith("bob")).toList()).isEqualTo(fromBob);
			assertThat(read(bob, 300)).isEqualTo(fromAlice);
			assertThat(read(alice, 100)).isEqualTo(fromBob);
			// Nothing twice, nothing to the sender, nothing to another room.
			assertThat(carol.pollLine(300)).isNull();
			assertThat(bob.pollLine(50)).isNull();
			assertThat(alice.pollLine(50)).isNull();
			assertThat(eve.pollLine(50)).isNull();
		}
	}

	@Test
	void redisSubscriptionsFollowTheTopicsThatHaveLocalSubscribers() throws Exception {
		String channel = first.adapter().channel("room:follow");
		assertThat(channel).isEqualTo("thousandisland:pubsub:room:follow");
		assertThat(channels.subscribers(channel)).isZero();
		try (LineClient alice = first.connect(); LineClient alice2 = first.connect()) {
			alice.subscribe("room:follow");
			alice2.subscribe("room:follow");
			awaitSubscribers("room:follow", 1);
			try (LineClient bob = second.connect()) {
				bob.subscribe("room:follow");
				awaitSubscribers("room:follow", 2);
				alice.send("UNSUB room:follow");
				assertThat(alice.readLine()).isEqualTo("OK UNSUB room:follow");
				// Alice2 still listens on the first instance: one subscription each, still.
				assertThat(channels.subscribers(channel)).isEqualTo(2);
				alice2.close();
				awaitSubscribers("room:follow", 1);
			}
			// Bob's connection ended: its instance has no subscriber of the topic left.
			awaitSubscribers("room:follow", 0);
		}
		assertThat(channels.channels("thousandisland:pubsub:room:follow*")).isEmpty();
	}

	@Test
	void aBroadcastToATopicWithoutSubscribersAnywhereReachesNobody() throws Exception {
		try (LineClient alice = first.connect(); LineClient bob = second.connect()) {
			bob.subscribe("room:listening");
			awaitSubscribers("room:listening", 1);
			alice.send("PUB room:nobody hello");
			alice.send("PUB room:listening marker");
			assertThat(bob.readLine()).isEqualTo("marker");
			assertThat(channels.channels("thousandisland:pubsub:room:nobody")).isEmpty();
		}
	}

	@Test
	void messagesOfTheApplicationsOwnTypeCrossThroughItsCodecBean() throws Exception {
		try (LineClient alice = first.connect(); LineClient bob = second.connect()) {
			bob.subscribe("room:shout");
			awaitSubscribers("room:shout", 1);
			alice.send("SHOUT room:shout hello there");
			assertThat(bob.readLine()).isEqualTo("SHOUT hello there");
		}
	}

	private static void awaitSubscribers(String topic, long count) {
		String channel = first.adapter().channel(topic);
		await().atMost(WAIT).untilAsserted(() -> assertThat(channels.subscribers(channel)).isEqualTo(count));
	}

	private static List<String> lines(String sender, int count) {
		List<String> lines = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			lines.add(sender + "-" + i);
		}
		return lines;
	}

	private static List<String> read(LineClient client, int count) throws Exception {
		List<String> lines = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			lines.add(client.readLine());
		}
		return lines;
	}

}
