package dev.thousandisland.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample chat as two instances behind HAProxy with one Redis ({@link ChatCluster}), every
 * part a real process: members on different instances talk in one room, exactly once and in
 * order; a Redis outage, a rolling restart and a member who stops reading are survived as
 * docs/pubsub.md says. One cluster serves every test (starting it is most of the time); each
 * test uses rooms of its own and leaves no member behind, which {@link #noMemberLeft} checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ChatClusterTests {

	static final String FIGURES = "Chat cluster (2 instances, HAProxy, Redis)";

	/** Each instance's heap: small, so that the slow-subscriber test can say more than it holds. */
	static final int HEAP_MB = 96;

	static final Duration QUIET = Duration.ofMillis(500);

	private final List<ChatLineClient> clients = new ArrayList<>();

	private Path directory;

	ChatCluster cluster;

	@BeforeAll
	void startCluster() throws Exception {
		// Short: HAProxy's runtime API socket lives there, and a Unix socket's path has at most 97 characters.
		this.directory = Files.createTempDirectory("chat-cluster");
		// The adapter counts Redis unreachable when a PING goes unanswered for the recovery interval (at least
		// 2 s), and drops broadcasts meanwhile: on a 2-core machine loaded with other builds a PING took over a
		// second with Redis perfectly up, so the instances allow 3 s. A killed Redis is still noticed at once
		// (its publishes fail).
		this.cluster = ChatCluster.start(this.directory, List.of("-Xmx" + HEAP_MB + "m"),
				List.of("--thousandisland.pubsub.redis.recovery-interval=3s"));
	}

	@AfterAll
	void stopCluster() throws Exception {
		if (this.cluster != null) {
			this.cluster.close();
		}
		// The instances', Redis's and HAProxy's logs outlive the run, in target, for a failure's post-mortem.
		Path logs = Files.createDirectories(Path.of("target", "chat-cluster-logs"));
		try (var files = Files.list(this.directory)) {
			for (Path file : files.toList()) {
				if (file.toString().endsWith(".log")) {
					Files.copy(file, logs.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
				}
				Files.delete(file);
			}
		}
		Files.delete(this.directory);
	}

	void closeClients() {
		this.clients.forEach(ChatLineClient::close);
		this.clients.clear();
	}

	@Test
	@Order(1)
	void twoHundredMembersInTenRoomsOverBothInstancesEachReceiveTheirRoomMatesLinesExactlyOnceInOrder()
			throws Exception {
		int rooms = 10;
		int perSender = 5;
		List<ChatLineClient> members = connectThroughHaproxy(200);
		Map<String, List<ChatLineClient>> byNode = byNode(members);
		assertThat(byNode).as("members per instance").containsOnlyKeys("a", "b");
		assertThat(byNode.get("a")).as("members on a").hasSizeGreaterThanOrEqualTo(50);
		assertThat(byNode.get("b")).as("members on b").hasSizeGreaterThanOrEqualTo(50);
		Map<String, List<ChatLineClient>> byRoom = new HashMap<>();
		for (List<ChatLineClient> onNode : byNode.values()) {
			for (int i = 0; i < onNode.size(); i++) {
				String room = "room-" + (i % rooms);
				byRoom.computeIfAbsent(room, (r) -> new ArrayList<>()).add(onNode.get(i).join(room));
			}
		}
		awaitRoomsSpanned(byRoom);
		members.forEach(ChatLineClient::startCollecting);

		long started = System.nanoTime();
		inParallel(members, (member) -> {
			for (int n = 0; n < perSender; n++) {
				member.say(RoomLines.text(n, 0));
			}
		});
		await().atMost(ChatCluster.WAIT).until(() -> byRoom.values().stream()
			.allMatch((inRoom) -> inRoom.stream().allMatch((m) -> m.receivedCount() >= (inRoom.size() - 1) * perSender)));
		Figures.record(FIGURES, "200 members x 5 lines: all " + deliveries(byRoom, perSender)
				+ " deliveries done (ms)", Duration.ofNanos(System.nanoTime() - started).toMillis());
		Thread.sleep(QUIET.toMillis());
		byRoom.forEach((room, inRoom) -> {
			for (ChatLineClient member : inRoom) {
				Map<String, List<Long>> expected = new HashMap<>();
				inRoom.stream().filter((m) -> m != member).forEach((m) -> expected.put(m.name(), RoomLines.upTo(perSender)));
				assertThat(RoomLines.bySender(member, room)).as("what %s received in %s, by sender", member.name(), room)
					.containsExactlyInAnyOrderEntriesOf(expected);
			}
		});
		Figures.record(FIGURES, "members on a / on b", byNode.get("a").size() + " / " + byNode.get("b").size());
	}

	@Test
	@Order(2)
	void aSlowSubscriberIsCutOffAloneWhileEveryOtherMemberGetsEverything() throws Exception {
		new SlowSubscriberScenario(this).run();
	}

	@Test
	@Order(3)
	void aRedisOutageLosesOnlyCrossInstanceLinesAndAsManyAsTheMetersCount() throws Exception {
		new RedisOutageScenario(this).run();
	}

	@Test
	@Order(4)
	void aRollingRestartOfOneInstanceLeavesNoDeadSubscriptionAndTrafficContinues() throws Exception {
		new RollingRestartScenario(this).run();
	}

	/** After each test: once its members are gone, no instance and no Redis channel holds a room. */
	@AfterEach
	void noMemberLeft() {
		closeClients();
		await("no room left on any instance or in Redis").atMost(ChatCluster.WAIT).untilAsserted(() -> {
			assertThat(this.cluster.rooms(this.cluster.a)).as("rooms on a").isEmpty();
			assertThat(this.cluster.rooms(this.cluster.b)).as("rooms on b").isEmpty();
			assertThat(this.cluster.redisSubscriptions()).as("Redis channels with subscribers").isEmpty();
		});
	}

	/** Connects members through HAProxy, which spreads them over the instances. */
	List<ChatLineClient> connectThroughHaproxy(int count) throws IOException {
		List<ChatLineClient> members = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			members.add(track(ChatLineClient.connect(this.cluster.frontend)));
		}
		return members;
	}

	/** Connects a member straight to an instance's chat server. */
	ChatLineClient connectTo(AppInstance instance, int receiveBufferSize) throws IOException {
		ChatLineClient member = track(ChatLineClient.connect(instance.port, receiveBufferSize));
		assertThat(member.node()).as("node of a member connected to %s", instance.name).isEqualTo(instance.name);
		return member;
	}

	ChatLineClient track(ChatLineClient member) {
		this.clients.add(member);
		return member;
	}

	static Map<String, List<ChatLineClient>> byNode(List<ChatLineClient> members) {
		Map<String, List<ChatLineClient>> byNode = new HashMap<>();
		members.forEach((m) -> byNode.computeIfAbsent(m.node(), (n) -> new ArrayList<>()).add(m));
		return byNode;
	}

	/**
	 * Waits until each instance counts its members of each room, and Redis has both instances
	 * subscribed to each room that has members on both: from then on a line reaches every member.
	 */
	void awaitRoomsSpanned(Map<String, List<ChatLineClient>> byRoom) {
		await("rooms joined on both instances and subscribed in Redis").atMost(ChatCluster.WAIT).untilAsserted(() -> {
			for (AppInstance instance : List.of(this.cluster.a, this.cluster.b)) {
				Map<String, Integer> expected = new HashMap<>();
				byRoom.forEach((room, inRoom) -> {
					int here = (int) inRoom.stream().filter((m) -> m.node().equals(instance.name)).count();
					if (here > 0) {
						expected.put(room, here);
					}
				});
				assertThat(this.cluster.rooms(instance)).as("rooms on %s", instance.name)
					.containsExactlyInAnyOrderEntriesOf(expected);
			}
			Map<String, Long> subscriptions = this.cluster.redisSubscriptions();
			byRoom.forEach((room, inRoom) -> {
				long nodes = inRoom.stream().map(ChatLineClient::node).distinct().count();
				assertThat(ChatCluster.subscribers(subscriptions, room)).as("instances subscribed to %s in Redis", room)
					.isEqualTo(nodes);
			});
		});
	}

	/** Runs an action for every member at once, each on a virtual thread, and waits for all. */
	static void inParallel(List<ChatLineClient> members, MemberAction action) throws Exception {
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<?>> done = new ArrayList<>();
			for (ChatLineClient member : members) {
				done.add(executor.submit(() -> {
					action.run(member);
					return null;
				}));
			}
			for (Future<?> future : done) {
				future.get(ChatCluster.WAIT.toSeconds(), TimeUnit.SECONDS);
			}
		}
	}

	private static long deliveries(Map<String, List<ChatLineClient>> byRoom, int perSender) {
		return byRoom.values().stream().mapToLong((inRoom) -> (long) inRoom.size() * (inRoom.size() - 1) * perSender).sum();
	}

	/** Something each member does. */
	interface MemberAction {

		void run(ChatLineClient member) throws Exception;

	}

}
