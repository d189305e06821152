package dev.thousandisland.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.client.ClientConnection;
import dev.thousandisland.client.ClientHandler;
import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.client.FrameKind;
import dev.thousandisland.example.resp.RespClient;

/**
 * Thousand Island's client as a {@link PushSubscriber}: one {@link ClientConnection} with
 * {@link Resp3Framing}, whose handler says {@code HELLO 3} and subscribes on connecting, and whose
 * {@link ClientHandler#classify} calls a {@code >} frame of kind {@code message} a push (to
 * {@link ClientHandler#handleFrame}) and every other frame a reply: the {@code subscribe}
 * confirmation, itself a {@code >} frame, answers the one-channel SUBSCRIBE.
 */
final class ThousandIslandPushSubscriber implements PushSubscriber {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final String CHANNEL = "push-mix:thousand-island";

	private final PushTally tally = new PushTally();

	private final ClientConnection connection;

	private final RespClient client;

	private final CompletableFuture<ByteBuffer> subscribed = new CompletableFuture<>();

	ThousandIslandPushSubscriber(int port) {
		this.connection = ClientConnection.start(RedisClients.thousandIslandConfig("push-subscriber", port, new Resp3Framing())
			.handler(new Handler())
			.build());
		this.client = new RespClient(this.connection);
		// Whichever connect subscribes first; a redis-server never reached fails the run, not hangs it.
		this.subscribed.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
	}

	@Override
	public String name() {
		return "Thousand Island, one ClientConnection";
	}

	@Override
	public String channel() {
		return CHANNEL;
	}

	@Override
	public PushTally tally() {
		return this.tally;
	}

	@Override
	public String set(String key, String value) throws Exception {
		return this.client.command(TIMEOUT, "SET", key, value);
	}

	@Override
	public String get(String key) throws Exception {
		return this.client.command(TIMEOUT, "GET", key);
	}

	@Override
	public void close() throws InterruptedException {
		this.connection.stop(Duration.ofSeconds(5));
	}

	/** The elements of a flat RESP3 push of bulk strings and integers, as text. */
	private static String[] elements(ByteBuffer frame) {
		String[] lines = StandardCharsets.UTF_8.decode(frame).toString().split("\r\n");
		// ">3", "$7", "message", "$8", "push-mix", "$1", "0": every other line from the third.
		String[] elements = new String[(lines.length - 1) / 2];
		for (int i = 0; i < elements.length; i++) {
			elements[i] = lines[2 + 2 * i];
		}
		return elements;
	}

	private final class Handler implements ClientHandler {

		@Override
		public void handleConnection(ClientConnection client, ConnectKind kind) {
			client.requestAsync(RespClient.encode("HELLO", "3"), TIMEOUT);
			CompletableFuture<ByteBuffer> subscription = client
				.requestAsync(RespClient.encode("SUBSCRIBE", CHANNEL), TIMEOUT);
			subscription.whenComplete((reply, error) -> {
				if (error != null) {
					ThousandIslandPushSubscriber.this.subscribed.completeExceptionally(error);
				}
				else {
					ThousandIslandPushSubscriber.this.subscribed.complete(reply);
				}
			});
		}

		@Override
		public FrameKind classify(ByteBuffer frame, int awaitingReplies) {
			if (frame.get(frame.position()) != '>') {
				return FrameKind.REPLY;
			}
			return "message".equals(elements(frame)[0]) ? FrameKind.PUSH : FrameKind.REPLY;
		}

		@Override
		public void handleFrame(ByteBuffer frame, ClientConnection client) {
			String[] elements = elements(frame);
			if (elements.length == 3 && elements[0].equals("message") && elements[1].equals(CHANNEL)) {
				ThousandIslandPushSubscriber.this.tally.received(elements[2]);
			}
			else {
				ThousandIslandPushSubscriber.this.tally.unexpected(String.join(" ", elements));
			}
		}

	}

}
