package dev.thousandisland.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis killed (SIGKILL) for 2 s while three members on each instance talk in one room, a line
 * every {@link #PACE} each, and started again on the same port. Lines between members of one
 * instance never touch Redis: none is lost. Lines crossing instances stop, and resume by
 * themselves once Redis is back and both instances have subscribed again. In the meantime some
 * may be lost (how many depends on when each instance notices the outage and reconnects: a line
 * whose PUBLISH the Redis client held while reconnecting arrives late, not lost), each one wholly (no member of the other instance has it, so the loss is the
 * instance's, not a member's), and what arrives keeps each sender's order with nothing twice.
 *
 * <p>The loss is compared with the meters, per direction. The receiving instance counts exactly
 * what it missed ({@code thousandisland.pubsub.adapter.lost}, reason {@code missed}): the Redis
 * adapter numbers each sender's messages per channel, so the next message after a gap tells the
 * receiver how many it never got, whatever lost them; so a→b's loss equals b's {@code missed}, and
 * b→a's a's. The sending instance counts what it never sent ({@code disconnected},
 * {@code queue_full}), which is at most the loss, and what it sent but saw fail
 * ({@code publish_failed}), which may over-count (Redis may have received some of a pipelined
 * batch cut by the kill). What the sender cannot see is a PUBLISH that Redis accepted with no
 * subscriber of the other instance to hand it to (after the restart, the sender's connection back
 * before the other instance's subscription; or Redis dying between accepting a PUBLISH and writing
 * it out): Redis answers it like a room with nobody elsewhere. So the loss beyond the sender's
 * counts is only lines sent at the kill or after the restart.
 */
final class RedisOutageScenario {

	static final String ROOM = "outage";

	static final Duration PACE = Duration.ofMillis(10);

	static final Duration OUTAGE = Duration.ofSeconds(2);

	/** How soon cross-instance lines must flow again once Redis is back. */
	static final Duration RESUME_WITHIN = Duration.ofSeconds(15);

	/** Lines in flight at the kill: sent this long before it they may still be lost. */
	static final Duration IN_FLIGHT = Duration.ofMillis(250);

	private final ChatClusterTests test;

	private final ChatCluster cluster;

	RedisOutageScenario(ChatClusterTests test) {
		this.test = test;
		this.cluster = test.cluster;
	}

	void run() throws Exception {
		List<ChatLineClient> members = new ArrayList<>();
		for (AppInstance instance : List.of(this.cluster.a, this.cluster.a, this.cluster.a, this.cluster.b,
				this.cluster.b, this.cluster.b)) {
			members.add(this.test.connectTo(instance, 0).join(ROOM));
		}
		this.test.awaitRoomsSpanned(Map.of(ROOM, members));
		members.forEach(ChatLineClient::startCollecting);
		Map<String, Double> before = new HashMap<>();
		for (AppInstance instance : List.of(this.cluster.a, this.cluster.b)) {
			before.put(instance.name + " missed", lost(instance, "missed"));
			before.put(instance.name + " notSent", lost(instance, "disconnected") + lost(instance, "queue_full"));
			before.put(instance.name + " failed", lost(instance, "publish_failed"));
		}
		List<PacedSender> senders = members.stream().map((m) -> new PacedSender(m, PACE)).toList();
		senders.forEach(PacedSender::start);

		Thread.sleep(1000);
		long killedAt = System.nanoTime();
		this.cluster.redis.kill();
		Thread.sleep(OUTAGE.toMillis());
		long restartedAt = System.nanoTime();
		this.cluster.redis.start();
		long[] resumedAt = new long[2];
		await("cross-instance lines flow again").atMost(RESUME_WITHIN).pollInterval(Duration.ofMillis(10)).until(() -> {
			for (int direction = 0; direction < 2; direction++) {
				if (resumedAt[direction] == 0 && crossedSince(members, senders, direction == 0 ? "a" : "b", restartedAt)) {
					resumedAt[direction] = System.nanoTime();
				}
			}
			return resumedAt[0] != 0 && resumedAt[1] != 0;
		});
		Thread.sleep(500);
		for (PacedSender sender : senders) {
			sender.stop();
		}
		awaitQuiet(members, senders);

		long[] lost = new long[2];
		long[] unseenBySender = new long[2];
		for (PacedSender sender : senders) {
			int direction = sender.node().equals("a") ? 0 : 1;
			Set<Long> missing = missing(sender, members);
			for (long n : missing) {
				long at = sender.sentAt(n);
				assertThat(at).as("%s's line %d, lost: sent in the outage, not before the kill", sender.name(), n)
					.isGreaterThanOrEqualTo(killedAt - IN_FLIGHT.toNanos());
				assertThat(at).as("%s's line %d, lost: sent in the outage, not after crossing resumed", sender.name(), n)
					.isLessThanOrEqualTo(resumedAt[direction]);
				if (at >= restartedAt || at < killedAt) {
					unseenBySender[direction]++;
				}
			}
			lost[direction] += missing.size();
		}
		String[] names = { "a->b", "b->a" };
		for (int direction = 0; direction < 2; direction++) {
			AppInstance from = (direction == 0) ? this.cluster.a : this.cluster.b;
			AppInstance to = (direction == 0) ? this.cluster.b : this.cluster.a;
			long missed = (long) (lost(to, "missed") - before.get(to.name + " missed"));
			long notSent = (long) (lost(from, "disconnected") + lost(from, "queue_full") - before.get(from.name + " notSent"));
			long failed = (long) (lost(from, "publish_failed") - before.get(from.name + " failed"));
			Figures.record(ChatClusterTests.FIGURES, "Redis outage " + names[direction]
					+ ": lines lost / counted missed by the receiver / counted not sent, publish failed by the sender",
					lost[direction] + " / " + missed + " / " + notSent + ", " + failed);
			assertThat(missed).as("%s: lines the receiving instance counts as missed", names[direction])
				.isEqualTo(lost[direction]);
			assertThat(notSent).as("%s: lines the sending instance never sent, at most the loss", names[direction])
				.isLessThanOrEqualTo(lost[direction]);
			assertThat(lost[direction] - notSent - failed)
				.as("%s: lost lines the sender could not see, only those sent at the kill or after the restart",
						names[direction])
				.isLessThanOrEqualTo(unseenBySender[direction]);
		}
		Figures.record(ChatClusterTests.FIGURES, "Redis outage: lines sent (6 members, one every 10 ms each) / "
				+ "of them while Redis was down", senders.stream().mapToInt(PacedSender::sent).sum() + " / "
						+ senders.stream().mapToLong((sender) -> sentBetween(sender, killedAt, restartedAt)).sum());
		Figures.record(ChatClusterTests.FIGURES, "Redis outage: restart to cross-instance lines again, a->b / b->a (ms)",
				Duration.ofNanos(resumedAt[0] - restartedAt).toMillis() + " / "
						+ Duration.ofNanos(resumedAt[1] - restartedAt).toMillis());
	}

	/**
	 * The lines of a sender that members of the other instance never received, after checking
	 * that every member has its lines in order with none twice, every one when on the sender's
	 * instance, and that the missing ones are the same at every member of the other instance.
	 */
	private static Set<Long> missing(PacedSender sender, List<ChatLineClient> members) {
		Set<Long> missing = null;
		for (ChatLineClient receiver : members) {
			if (receiver == sender.member) {
				continue;
			}
			List<Long> got = RoomLines.bySender(receiver, ROOM).getOrDefault(sender.name(), List.of());
			assertThat(RoomLines.strictlyIncreasing(got)).as("%s's lines at %s in order, none twice", sender.name(),
					receiver.name()).isTrue();
			if (receiver.node().equals(sender.node())) {
				assertThat(got).as("%s's lines at %s, on the same instance", sender.name(), receiver.name())
					.isEqualTo(RoomLines.upTo(sender.sent()));
				continue;
			}
			Set<Long> missingHere = new HashSet<>(RoomLines.upTo(sender.sent()));
			got.forEach(missingHere::remove);
			if (missing == null) {
				missing = missingHere;
			}
			assertThat(missingHere).as("%s's lines missing at %s: the same at every member of that instance",
					sender.name(), receiver.name()).isEqualTo(missing);
		}
		return missing;
	}

	/** Whether some member of the other instance received a line a sender of {@code node} sent after {@code since}. */
	private static boolean crossedSince(List<ChatLineClient> members, List<PacedSender> senders, String node, long since) {
		for (PacedSender sender : senders) {
			if (!sender.node().equals(node)) {
				continue;
			}
			for (ChatLineClient receiver : members) {
				if (receiver.node().equals(node)) {
					continue;
				}
				List<Long> got = RoomLines.bySender(receiver, ROOM).getOrDefault(sender.name(), List.of());
				if (!got.isEmpty() && sender.sentAt(got.get(got.size() - 1)) > since) {
					return true;
				}
			}
		}
		return false;
	}

	private static long sentBetween(PacedSender sender, long from, long to) {
		long count = 0;
		for (int n = 0; n < sender.sent(); n++) {
			if (sender.sentAt(n) >= from && sender.sentAt(n) < to) {
				count++;
			}
		}
		return count;
	}

	/** Waits until every member has every line of its own instance's senders, then a quiet spell. */
	private static void awaitQuiet(List<ChatLineClient> members, List<PacedSender> senders) throws InterruptedException {
		await("same-instance lines all delivered").atMost(ChatCluster.WAIT).until(() -> {
			for (ChatLineClient receiver : members) {
				for (PacedSender sender : senders) {
					if (sender.member != receiver && sender.node().equals(receiver.node())
							&& RoomLines.bySender(receiver, ROOM).getOrDefault(sender.name(), List.of()).size() < sender
								.sent()) {
						return false;
					}
				}
			}
			return true;
		});
		Thread.sleep(ChatClusterTests.QUIET.toMillis());
	}

	/** What the instance's meters count as lost between instances for a reason. */
	private double lost(AppInstance instance, String reason) throws Exception {
		return this.cluster.meter(instance, "thousandisland_pubsub_adapter_lost_total", "reason=\"" + reason + "\"");
	}

}
