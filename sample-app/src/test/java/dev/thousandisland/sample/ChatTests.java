package dev.thousandisland.sample;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.thousandisland.pubsub.PubSub;
import dev.thousandisland.test.LocalThousandIslandPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chat server of the running sample application, driven over real loopback sockets.
 */
@SampleApplicationTest
@ExtendWith(OutputCaptureExtension.class)
class ChatTests {

	private static final Pattern MSG = Pattern.compile("MSG (\\S+) (\\S+) (.*)", Pattern.DOTALL);

	private static final Duration DELIVERY = Duration.ofSeconds(30);

	private static final Duration QUIET = Duration.ofMillis(500);

	/** Makes 20,000 lines some 20 MB: more than any socket buffer between a server and a client. */
	private static final String PADDING = "p".repeat(1000);

	@LocalThousandIslandPort("chat")
	private int port;

	@Autowired
	private PubSub pubsub;

	private final List<ChatClient> clients = new ArrayList<>();

	@AfterEach
	void closeClients() {
		this.clients.forEach(ChatClient::close);
	}

	@Test
	void fiftyMembersInThreeRoomsEachReceiveExactlyTheirRoomMatesMessagesInOrder() throws Exception {
		int perSender = 5;
		Map<String, List<ChatClient>> byRoom = new LinkedHashMap<>();
		int[] sizes = { 17, 17, 16 };
		for (int r = 0; r < sizes.length; r++) {
			String room = "crowd-" + r;
			List<ChatClient> members = new ArrayList<>();
			for (int i = 0; i < sizes[r]; i++) {
				members.add(connect().join(room));
			}
			byRoom.put(room, members);
		}
		await().atMost(DELIVERY).untilAsserted(() -> byRoom
			.forEach((room, members) -> assertThat(members(room)).as(room).isEqualTo(members.size())));
		byRoom.values().forEach((members) -> members.forEach(ChatClient::startCollecting));

		for (int n = 0; n < perSender; n++) {
			for (List<ChatClient> members : byRoom.values()) {
				for (ChatClient member : members) {
					member.send(text(member, n));
				}
			}
		}

		await().atMost(DELIVERY).untilAsserted(() -> byRoom.values()
			.forEach((members) -> members.forEach((member) -> assertThat(member.receivedCount()).as(member.name())
				.isGreaterThanOrEqualTo((members.size() - 1) * perSender))));
		await("no extra lines").during(QUIET).atMost(QUIET.multipliedBy(4)).untilAsserted(() -> byRoom.values()
			.forEach((members) -> members.forEach((member) -> assertThat(member.receivedCount()).as(member.name())
				.isEqualTo((members.size() - 1) * perSender))));
		byRoom.forEach((room, members) -> {
			for (ChatClient member : members) {
				Map<String, List<String>> bySender = new LinkedHashMap<>();
				for (String line : member.received()) {
					Matcher matcher = MSG.matcher(line);
					assertThat(matcher.matches()).as("%s received %s", member.name(), line).isTrue();
					assertThat(matcher.group(1)).as("room of %s", line).isEqualTo(room);
					bySender.computeIfAbsent(matcher.group(2), (sender) -> new ArrayList<>()).add(matcher.group(3));
				}
				Map<String, List<String>> expected = new LinkedHashMap<>();
				for (ChatClient sender : members) {
					if (sender != member) {
						List<String> texts = new ArrayList<>();
						for (int n = 0; n < perSender; n++) {
							texts.add(text(sender, n));
						}
						expected.put(sender.name(), texts);
					}
				}
				assertThat(bySender).as("what %s received, by sender", member.name())
					.containsExactlyInAnyOrderEntriesOf(expected);
			}
		});
	}

	@Test
	void aMessageBeforeJoiningIsRefused() throws Exception {
		ChatClient client = connect();
		client.send("hello");
		assertThat(client.readLine()).isEqualTo("ERR join a room first");
		client.join("refusals");
	}

	@Test
	void aRoomNameOfTwoWordsIsRefused() throws Exception {
		ChatClient client = connect();
		client.send("JOIN a b");
		assertThat(client.readLine()).isEqualTo("ERR a room name is one word");
		assertThat(members("a")).isZero();
		client.send("hello");
		assertThat(client.readLine()).as("the refused JOIN did not put the client in a room")
			.isEqualTo("ERR join a room first");
	}

	@Test
	void aRoomNameLongerThanTheLimitIsRefused() throws Exception {
		ChatClient client = connect();
		client.send("JOIN " + "r".repeat(ChatHandler.MAX_ROOM_LENGTH + 1));
		assertThat(client.readLine()).isEqualTo("ERR a room name is at most " + ChatHandler.MAX_ROOM_LENGTH
				+ " characters");
		client.join("r".repeat(ChatHandler.MAX_ROOM_LENGTH));
	}

	@Test
	void joiningAnotherRoomLeavesTheFirst() throws Exception {
		ChatClient mover = connect().join("first");
		ChatClient stayer = connect().join("first");
		await().atMost(DELIVERY).until(() -> members("first") == 2);
		mover.join("second");
		assertThat(members("first")).isEqualTo(1);
		assertThat(members("second")).isEqualTo(1);
		ChatClient newcomer = connect().join("second");
		stayer.send("nobody hears this");
		newcomer.send("hello mover");
		assertThat(mover.readLine()).as("the first line the mover reads after moving")
			.isEqualTo("MSG second " + newcomer.name() + " hello mover");
	}

	@Test
	void aMemberWhoDisconnectsLeavesTheRoomAndTheOthersCarryOn() throws Exception {
		String room = "departures";
		ChatClient alice = connect().join(room).startCollecting();
		ChatClient bob = connect().join(room).startCollecting();
		ChatClient carol = connect().join(room);
		alice.send("before");
		assertThat(carol.readLine()).isEqualTo("MSG " + room + " " + alice.name() + " before");
		await().atMost(DELIVERY).until(() -> bob.receivedCount() == 1);

		carol.close();
		await().atMost(DELIVERY).until(() -> members(room) == 2);

		alice.send("after");
		bob.send("still here");
		await().atMost(DELIVERY).until(() -> bob.receivedCount() == 2 && alice.receivedCount() == 1);
		await("no extra lines").during(QUIET).atMost(QUIET.multipliedBy(4))
			.until(() -> bob.receivedCount() == 2 && alice.receivedCount() == 1);
		assertThat(bob.received()).containsExactly("MSG " + room + " " + alice.name() + " before",
				"MSG " + room + " " + alice.name() + " after");
		assertThat(alice.received()).containsExactly("MSG " + room + " " + bob.name() + " still here");
		assertThat(alice.endOfStream()).isFalse();
		assertThat(bob.endOfStream()).isFalse();
	}

	@Test
	void aTooLongLineGetsAnErrorAndClosesOnlyThatConnection(CapturedOutput output) throws Exception {
		String room = "long-lines";
		ChatClient talker = connect().join(room);
		ChatClient listener = connect().join(room).startCollecting();
		ChatClient offender = connect().join(room);
		byte[] fiveKib = new byte[5 * 1024];
		Arrays.fill(fiveKib, (byte) 'x');
		offender.sendBytes(fiveKib);

		assertThat(offender.readLine()).isEqualTo("ERR line too long (the limit is 4096 bytes)");
		assertThat(offender.readLine()).as("end of stream after the error").isNull();
		String peer = "127.0.0.1:" + offender.localPort();
		assertThat(output.getAll().lines().filter((line) -> line.contains(peer)))
			.singleElement(InstanceOfAssertFactories.STRING)
			.contains("INFO")
			.contains("Closing chat connection from " + peer + ": a line passed 4096 bytes");
		await().atMost(DELIVERY).until(() -> members(room) == 2);

		talker.send("unaffected");
		await().atMost(DELIVERY).until(() -> listener.receivedCount() == 1);
		assertThat(listener.received()).containsExactly("MSG " + room + " " + talker.name() + " unaffected");
		assertThat(listener.endOfStream()).isFalse();
	}

	@Test
	void binaryGarbageNeverBreaksTheConnection() throws Exception {
		String room = "garbage";
		ChatClient listener = connect().join(room).startCollecting();
		ChatClient sender = connect().join(room);
		Random random = new Random(7);
		ByteArrayOutputStream garbage = new ByteArrayOutputStream();
		int lines = 40;
		for (int i = 0; i < lines; i++) {
			byte[] line = new byte[1 + random.nextInt(300)];
			random.nextBytes(line);
			for (int j = 0; j < line.length; j++) {
				if (line[j] == '\n') {
					line[j] = 0;
				}
			}
			line[0] = (byte) 0xFF; // never a JOIN
			if (i % 4 == 0) {
				line[line.length / 2] = 0; // a NUL in the middle
			}
			garbage.writeBytes(line);
			garbage.write('\n');
		}
		garbage.writeBytes(new byte[] { (byte) 0xC3, (byte) 0x28, 0, (byte) 0xE2, (byte) 0x82, '\n' });
		sender.sendBytes(garbage.toByteArray());
		sender.send("end of garbage");

		String prefix = "MSG " + room + " " + sender.name() + " ";
		await().atMost(DELIVERY).until(() -> listener.received().contains(prefix + "end of garbage"));
		assertThat(listener.received()).allSatisfy((line) -> assertThat(line).startsWith(prefix))
			.hasSizeLessThanOrEqualTo(lines + 2);
		assertThat(listener.received().get(0)).startsWith(prefix + "\uFFFD");

		sender.join("after-garbage");
		assertThat(members("after-garbage")).isEqualTo(1);
		await().atMost(DELIVERY).until(() -> members(room) == 1);
		sender.send("hello from the new room");
		ChatClient newcomer = connect().join("after-garbage");
		newcomer.send("welcome back");
		assertThat(sender.readLine()).isEqualTo("MSG after-garbage " + newcomer.name() + " welcome back");
	}

	@Test
	void aClientThatDisconnectsInTheMiddleOfALineIsRemovedFromItsRoom() throws Exception {
		String room = "half-lines";
		ChatClient listener = connect().join(room).startCollecting();
		ChatClient quitter = connect().join(room);
		quitter.sendBytes("this line never ends".getBytes(StandardCharsets.UTF_8));
		quitter.close();

		await().atMost(DELIVERY).until(() -> members(room) == 1);
		await("the half line is never broadcast").during(QUIET).atMost(QUIET.multipliedBy(4))
			.until(() -> listener.receivedCount() == 0);
		assertThat(listener.endOfStream()).isFalse();
	}

	@Test
	void aMemberWhoNeverReadsIsDisconnectedWhileMembersWhoKeepUpReceiveEverything() throws Exception {
		String room = "slow-paced";
		int batch = SampleApplicationTest.MAILBOX_CAPACITY / 2;
		int batches = 200;
		ChatClient slow = connect(4096).join(room);
		ChatClient fast = connect().join(room).startCollecting();
		ChatClient talker = connect().join(room);
		await().atMost(DELIVERY).until(() -> members(room) == 3);

		OutputStream out = new BufferedOutputStream(talker.socket().getOutputStream(), 64 * 1024);
		for (int b = 0; b < batches && members(room) == 3; b++) {
			for (int i = b * batch; i < (b + 1) * batch; i++) {
				out.write((numbered(i) + "\n").getBytes(StandardCharsets.US_ASCII));
			}
			out.flush();
			int expected = (b + 1) * batch;
			await("batch " + b + " reaches the fast member").pollDelay(Duration.ZERO)
				.pollInterval(Duration.ofMillis(2))
				.atMost(Duration.ofSeconds(10))
				.until(() -> fast.receivedCount() >= expected || fast.endOfStream());
			assertThat(fast.endOfStream()).as("the fast member was disconnected after %d lines", fast.receivedCount())
				.isFalse();
		}

		await("the slow member is disconnected").atMost(DELIVERY).until(() -> members(room) == 2);
		assertReceivedInOrder(fast, room, talker, 0, fast.receivedCount());
		assertThat(fast.endOfStream()).isFalse();
		talker.send("after the slow member left");
		await().atMost(DELIVERY).until(() -> fast.received().contains("MSG " + room + " " + talker.name()
				+ " after the slow member left"));
		assertThat(slow.socket().isClosed()).isFalse();
	}

	/** Members of a room on this instance: subscribers of its topic. */
	private int members(String room) {
		return this.pubsub.subscriberCount(ChatHandler.topic(room));
	}

	private static String numbered(int i) {
		return "line " + i + " " + PADDING;
	}

	private static void assertReceivedInOrder(ChatClient receiver, String room, ChatClient sender, int from, int to) {
		List<String> received = receiver.received();
		assertThat(received).hasSizeGreaterThanOrEqualTo(to - from);
		for (int i = from; i < to; i++) {
			assertThat(received.get(i - from)).isEqualTo("MSG " + room + " " + sender.name() + " " + numbered(i));
		}
	}

	private ChatClient connect() throws IOException {
		return connect(0);
	}

	private ChatClient connect(int receiveBufferSize) throws IOException {
		ChatClient client = ChatClient.connect(this.port, receiveBufferSize);
		this.clients.add(client);
		return client;
	}

	private static String text(ChatClient sender, int n) {
		return "message " + n + " from " + sender.name();
	}

}
