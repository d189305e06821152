package dev.thousandisland.autoconfigure.pubsub;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.thousandisland.Result;
import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.FramedSocket;
import dev.thousandisland.pubsub.PubSub;

/**
 * A line protocol on the PubSub: {@code SUB topic} and {@code UNSUB topic} (answered
 * {@code OK ...}), {@code PUB topic text} (broadcast to everyone else, no answer) and
 * {@code SHOUT topic text} (the same, as a {@link Shout}, which only {@link ShoutCodec} carries
 * across instances); every message delivered to the connection is written to it as a line.
 */
final class ChatLineHandler implements FramedHandler<Void> {

	private final PubSub pubsub;

	ChatLineHandler(PubSub pubsub) {
		this.pubsub = pubsub;
	}

	@Override
	public Result<Void> handleFrame(ByteBuffer frame, FramedSocket socket, Void state) throws Exception {
		String line = StandardCharsets.UTF_8.decode(frame).toString();
		String[] parts = line.split(" ", 3);
		switch (parts[0]) {
			case "SUB" -> {
				this.pubsub.subscribe(socket.connection(), parts[1]);
				socket.sendLine("OK " + line);
			}
			case "UNSUB" -> {
				this.pubsub.unsubscribe(socket.connection(), parts[1]);
				socket.sendLine("OK " + line);
			}
			case "PUB" -> this.pubsub.broadcastFrom(socket.connection(), parts[1], parts[2]);
			case "SHOUT" -> this.pubsub.broadcastFrom(socket.connection(), parts[1], new Shout(parts[2]));
			default -> socket.sendLine("ERR " + line);
		}
		return Result.continueWith(state);
	}

	@Override
	public Result<Void> handleMessage(Object message, FramedSocket socket, Void state) throws Exception {
		socket.sendLine((message instanceof Shout shout) ? "SHOUT " + shout.text() : (String) message);
		return Result.continueWith(state);
	}

	/**
	 * A message type of the application's own.
	 * @param text what is shouted
	 */
	record Shout(String text) {
	}

}
