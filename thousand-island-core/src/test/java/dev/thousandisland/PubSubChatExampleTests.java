package dev.thousandisland;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.FramedSocket;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.pubsub.PubSub;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat room of docs/pubsub.md, as written there, with real members.
 */
class PubSubChatExampleTests {

	@Test
	void membersOfARoomHearEachOtherAndNoOneElse() throws Exception {
		try (PubSub pubsub = PubSub.builder().build()) {
			Server server = ServerConfig.builder(Framing.line().handler(new ChatHandler(pubsub)))
				.port(0)
				.bindAddress(InetAddress.getLoopbackAddress())
				.start();
			try (ChatClient ann = new ChatClient(server); ChatClient bob = new ChatClient(server);
					ChatClient cid = new ChatClient(server)) {
				assertThat(ann.say("/join lobby")).isEqualTo("joined lobby");
				assertThat(bob.say("/join lobby")).isEqualTo("joined lobby");
				assertThat(cid.say("/join kitchen")).isEqualTo("joined kitchen");
				ann.send("hello");
				assertThat(bob.read()).isEqualTo("hello");
				bob.send("hi ann");
				assertThat(ann.read()).as("ann hears bob, not her own line first").isEqualTo("hi ann");
				cid.send("anyone?");
				assertThat(cid.say("/join lobby")).as("cid heard nothing in the kitchen").isEqualTo("joined lobby");
				assertThat(pubsub.subscriberCount("room:lobby")).isEqualTo(3);
				assertThat(pubsub.subscriberCount("room:kitchen")).isZero();
			}
			finally {
				server.stop(Duration.ofSeconds(2));
			}
			org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> pubsub.topics().isEmpty());
		}
	}

	/** One member: a real client reading lines. */
	private static final class ChatClient implements AutoCloseable {

		private final TestClient client;

		private final BufferedReader reader;

		ChatClient(Server server) throws IOException {
			this.client = TestClient.connect(server);
			this.reader = new BufferedReader(
					new InputStreamReader(this.client.socket().getInputStream(), StandardCharsets.UTF_8));
		}

		void send(String line) throws IOException {
			this.client.send(line + "\n");
		}

		String say(String line) throws IOException {
			send(line);
			return read();
		}

		String read() throws IOException {
			return this.reader.readLine();
		}

		@Override
		public void close() throws IOException {
			this.client.close();
		}

	}

	// From docs/pubsub.md, "A chat room".
	record Member(String room) {
	}

	static final class ChatHandler implements FramedHandler<Member> {

		private final PubSub pubsub;

		ChatHandler(PubSub pubsub) {
			this.pubsub = pubsub;
		}

		@Override
		public Result<Member> handleFrame(ByteBuffer frame, FramedSocket socket, Member member)
				throws IOException {
			String line = StandardCharsets.UTF_8.decode(frame).toString();
			Connection me = socket.connection();
			if (line.startsWith("/join ")) {
				if (member != null) {
					this.pubsub.unsubscribe(me, "room:" + member.room());
				}
				String room = line.substring(6).trim();
				this.pubsub.subscribe(me, "room:" + room);
				socket.send(("joined " + room + "\n").getBytes(StandardCharsets.UTF_8));
				return Result.continueWith(new Member(room));
			}
			if (member != null) {
				this.pubsub.broadcastFrom(me, "room:" + member.room(), line);
			}
			return Result.continueWith(member);
		}

		@Override
		public Result<Member> handleMessage(Object message, FramedSocket socket, Member member)
				throws IOException {
			socket.send((message + "\n").getBytes(StandardCharsets.UTF_8));
			return Result.continueWith(member);
		}

	}

}
