package dev.thousandisland.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A member who stops reading, in a room where a publisher says a quarter more than the
 * instance's whole heap: the chat's mailbox (1000 lines) fills behind its blocked socket, the PubSub's
 * slow-subscriber policy ({@code close}, the sample's setting) cuts it off, and it alone; the
 * members who read, one on the publisher's instance and one on the other, receive every line in
 * order. Were the slow member's backlog unbounded, the instance would run out of heap before the
 * end. The publisher is fast but not reckless: it sends in batches of half a mailbox and
 * waits for the readers to have each batch, never for the slow member, so that only the slow
 * member can ever find its mailbox full.
 */
final class SlowSubscriberScenario {

	static final String ROOM = "slow";

	/** Characters per line; the chat's lines are at most 4 KiB. */
	static final int LINE = 4000;

	/** Half the chat's mailbox capacity (application.properties). */
	static final int BATCH = 500;

	private final ChatClusterTests test;

	private final ChatCluster cluster;

	SlowSubscriberScenario(ChatClusterTests test) {
		this.test = test;
		this.cluster = test.cluster;
	}

	void run() throws Exception {
		AppInstance a = this.cluster.a;
		AppInstance b = this.cluster.b;
		ChatLineClient slow = this.test.connectTo(a, 4096).join(ROOM);
		List<ChatLineClient> readers = new ArrayList<>();
		for (AppInstance instance : List.of(a, b)) {
			readers.add(this.test.connectTo(instance, 0).join(ROOM));
		}
		ChatLineClient publisher = this.test.connectTo(a, 0).join(ROOM);
		List<ChatLineClient> all = new ArrayList<>(readers);
		all.add(slow);
		all.add(publisher);
		this.test.awaitRoomsSpanned(Map.of(ROOM, all));
		readers.forEach(ChatLineClient::startCollecting);
		publisher.startCollecting();

		double droppedBefore = dropped(a);
		long heapBytes = ChatClusterTests.HEAP_MB * 1024L * 1024L;
		int batches = (int) ((heapBytes + heapBytes / 4) / ((long) LINE * BATCH)) + 1;
		long maxHeapUsed = 0;
		long started = System.nanoTime();
		for (int batch = 0; batch < batches; batch++) {
			for (long n = (long) batch * BATCH; n < (long) (batch + 1) * BATCH; n++) {
				publisher.write(RoomLines.text(n, LINE));
			}
			publisher.flush();
			long expected = (long) (batch + 1) * BATCH;
			await("batch " + batch + " reaches every reader").pollDelay(Duration.ZERO)
				.pollInterval(Duration.ofMillis(5))
				.atMost(Duration.ofSeconds(20))
				.until(() -> readers.stream().allMatch((r) -> r.receivedCount() >= expected || r.ended()));
			assertThat(readers).as("readers cut off").noneMatch(ChatLineClient::ended);
			if (batch % 10 == 0) {
				maxHeapUsed = Math.max(maxHeapUsed, (long) this.cluster.meter(a, "jvm_memory_used_bytes", "area=\"heap\""));
			}
		}
		long lines = (long) batches * BATCH;
		long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();

		int stayOnA = (int) all.stream().filter((m) -> m != slow && m.node().equals("a")).count();
		await("the slow member is cut off").atMost(ChatCluster.WAIT)
			.until(() -> this.cluster.rooms(a).getOrDefault(ROOM, 0) == stayOnA);
		assertThat(slow.drainUntilClosed(Duration.ofSeconds(10))).as("the slow member's connection ended").isTrue();
		double dropped = dropped(a) - droppedBefore;
		assertThat(dropped).as("subscribers the policy applied to on a").isGreaterThanOrEqualTo(1);
		Thread.sleep(ChatClusterTests.QUIET.toMillis());
		for (ChatLineClient reader : readers) {
			assertThat(reader.ended()).as("%s cut off", reader.name()).isFalse();
			assertThat(RoomLines.bySender(reader, ROOM)).as("what %s received", reader.name())
				.containsExactly(Map.entry(publisher.name(), RoomLines.upTo(lines)));
		}
		assertThat(publisher.receivedCount()).as("lines the publisher received (nobody else spoke)").isZero();
		assertThat(a.isAlive()).as("instance a alive").isTrue();
		assertThat(a.logText()).doesNotContain("OutOfMemoryError");
		Figures.record(ChatClusterTests.FIGURES, "slow subscriber: lines x chars published on a (MB; heap " +
				ChatClusterTests.HEAP_MB + " MB)", lines + " x " + LINE + " (" + (lines * LINE >> 20) + ")");
		Figures.record(ChatClusterTests.FIGURES, "slow subscriber: time for all readers to have every line (ms)",
				elapsed);
		Figures.record(ChatClusterTests.FIGURES, "slow subscriber: a's heap used, highest sample (MB)",
				maxHeapUsed >> 20);
		Figures.record(ChatClusterTests.FIGURES, "slow subscriber: dropped/closed by the policy on a", dropped);
	}

	private double dropped(AppInstance instance) throws Exception {
		return this.cluster.meter(instance, "thousandisland_pubsub_dropped_total", "reason=\"closed_slow_subscriber\"");
	}

}
