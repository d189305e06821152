package dev.thousandisland.reliability;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Instance b restarted (SIGTERM, exit, start again) under 40 members in 4 rooms spread by HAProxy
 * over both instances. b's members are told {@code BYE}, see their connection end, reconnect
 * through HAProxy (which sends them to a while b is away) and rejoin their room; once b is back,
 * newcomers land on it again. Nothing of a dead connection survives: while b is down Redis counts
 * one subscriber (a) per room, afterwards each instance counts exactly its live members per room
 * and Redis exactly the instances that have some; and every live member receives every line of
 * its room mates, exactly once and in order.
 */
final class RollingRestartScenario {

	static final int MEMBERS = 40;

	static final int ROOMS = 4;

	static final int NEWCOMERS = 10;

	private final ChatClusterTests test;

	private final ChatCluster cluster;

	/** Each live member's room. */
	private final Map<ChatLineClient, String> roomOf = new HashMap<>();

	RollingRestartScenario(ChatClusterTests test) {
		this.test = test;
		this.cluster = test.cluster;
	}

	void run() throws Exception {
		AppInstance b = this.cluster.b;
		Map<String, List<ChatLineClient>> byNode = ChatClusterTests.byNode(this.test.connectThroughHaproxy(MEMBERS));
		assertThat(byNode).as("members per instance").containsOnlyKeys("a", "b");
		for (List<ChatLineClient> onNode : byNode.values()) {
			for (int i = 0; i < onNode.size(); i++) {
				join(onNode.get(i), "rr-" + (i % ROOMS));
			}
		}
		this.test.awaitRoomsSpanned(byRoom());
		this.roomOf.keySet().forEach(ChatLineClient::startCollecting);
		talkAndCheck(1);

		long signalled = System.nanoTime();
		AppInstance.Stopped stopped = b.terminate(ChatCluster.WAIT);
		assertThat(stopped.exitCode()).as("exit code of b after SIGTERM (128 + 15)").isEqualTo(143);
		List<ChatLineClient> leavers = byNode.get("b");
		await("b's members see their connection end").atMost(ChatCluster.WAIT)
			.until(() -> leavers.stream().allMatch(ChatLineClient::ended));
		for (ChatLineClient leaver : leavers) {
			assertThat(leaver.received()).as("what %s got last", leaver.name()).endsWith("BYE the server is shutting down");
			String room = this.roomOf.remove(leaver);
			ChatLineClient replacement = reconnect();
			assertThat(replacement.node()).as("node of a member reconnected while b is down").isEqualTo("a");
			join(replacement, room);
			replacement.startCollecting();
		}
		long rejoined = System.nanoTime();
		await("Redis drops b's subscriptions: one subscriber (a) per room").atMost(ChatCluster.WAIT)
			.untilAsserted(() -> {
				Map<String, Long> subscriptions = this.cluster.redisSubscriptions();
				for (int r = 0; r < ROOMS; r++) {
					assertThat(ChatCluster.subscribers(subscriptions, "rr-" + r)).as("subscribers of rr-%d", r).isEqualTo(1);
				}
			});
		talkAndCheck(2);

		b.start();
		this.cluster.awaitUp(b);
		long upAgain = System.nanoTime();
		for (ChatLineClient newcomer : this.test.connectThroughHaproxy(NEWCOMERS)) {
			join(newcomer, "rr-" + (this.roomOf.size() % ROOMS));
			newcomer.startCollecting();
		}
		assertThat(this.roomOf.keySet()).as("members on b after its restart").anyMatch((m) -> m.node().equals("b"));
		this.test.awaitRoomsSpanned(byRoom());
		talkAndCheck(3);
		Figures.record(ChatClusterTests.FIGURES, "rolling restart of b: SIGTERM to exit / to all " + leavers.size()
				+ " of its members rejoined on a (ms)", stopped.drain().toMillis() + " / "
						+ Duration.ofNanos(rejoined - signalled).toMillis());
		Figures.record(ChatClusterTests.FIGURES, "rolling restart of b: start to UP in HAProxy (ms)",
				Duration.ofNanos(upAgain - rejoined).toMillis());
	}

	private void join(ChatLineClient member, String room) throws IOException {
		member.join(room);
		this.roomOf.put(member, room);
	}

	private Map<String, List<ChatLineClient>> byRoom() {
		Map<String, List<ChatLineClient>> byRoom = new HashMap<>();
		this.roomOf.forEach((member, room) -> byRoom.computeIfAbsent(room, (r) -> new ArrayList<>()).add(member));
		return byRoom;
	}

	/** A client that reconnects after its server went away: a few attempts, through HAProxy. */
	private ChatLineClient reconnect() throws Exception {
		IOException last = null;
		for (int attempt = 0; attempt < 10; attempt++) {
			try {
				return this.test.track(ChatLineClient.connect(this.cluster.frontend));
			}
			catch (IOException ex) {
				last = ex;
				Thread.sleep(100);
			}
		}
		throw new AssertionError("could not reconnect through HAProxy", last);
	}

	/** Every live member says three lines; each receives exactly its room mates' lines, in order. */
	private void talkAndCheck(int round) throws Exception {
		List<ChatLineClient> members = new ArrayList<>(this.roomOf.keySet());
		members.forEach(ChatLineClient::clearReceived);
		ChatClusterTests.inParallel(members, (member) -> {
			for (int n = 0; n < 3; n++) {
				member.say(RoomLines.text(n, 0));
			}
		});
		Map<String, List<ChatLineClient>> byRoom = byRoom();
		await("round " + round + " delivered").atMost(ChatCluster.WAIT).until(() -> members.stream()
			.allMatch((m) -> m.receivedCount() >= 3 * (byRoom.get(this.roomOf.get(m)).size() - 1)));
		Thread.sleep(ChatClusterTests.QUIET.toMillis());
		for (ChatLineClient member : members) {
			String room = this.roomOf.get(member);
			Map<String, List<Long>> expected = new HashMap<>();
			byRoom.get(room).stream().filter((m) -> m != member).forEach((m) -> expected.put(m.name(), RoomLines.upTo(3)));
			assertThat(RoomLines.bySender(member, room)).as("round %d: what %s received in %s", round, member.name(), room)
				.containsExactlyInAnyOrderEntriesOf(expected);
		}
	}

}
