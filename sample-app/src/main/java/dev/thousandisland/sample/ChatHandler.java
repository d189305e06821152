package dev.thousandisland.sample;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Component;

import dev.thousandisland.Connection;
import dev.thousandisland.Result;
import dev.thousandisland.ServerInfo;
import dev.thousandisland.framing.FrameTooLargeException;
import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.FramedSocket;
import dev.thousandisland.pubsub.PubSub;

/**
 * A line-based chat, the classic BEAM tutorial: {@code JOIN room} puts you in a room (leaving the
 * one you were in), any other line is said to everyone else in your room, and you leave it when
 * you disconnect.
 *
 * <pre>
 * server: WELCOME user7
 * client: hello
 * server: ERR join a room first
 * client: JOIN lobby
 * server: OK joined lobby
 * client: hi all
 * others: MSG lobby user7 hi all
 * </pre>
 *
 * A room is a {@link PubSub} topic: joining subscribes the connection, a line is broadcast from
 * it to everyone else subscribed, and each line reaches a member's {@link #handleMessage} through
 * its mailbox, so nobody waits for a slow reader. The PubSub unsubscribes a connection when it
 * ends, whatever ended it. With the Redis adapter ({@code cluster} profile) the room spans every
 * instance, and a member's name carries its instance's node name ({@code user7@a}), since
 * connection ids repeat from one instance to the next.
 *
 * <p>Lines end with LF (CR LF is fine): the server's line framing
 * ({@code thousandisland.servers.chat.framing.type=line}) cuts them, so each
 * {@link #handleFrame} call is one line. A line longer than the framing's
 * {@code max-frame-size} gets {@code ERR line too long} and the connection is closed, never
 * buffered beyond it. Bytes that are not UTF-8 are replaced, never fatal.
 */
@Component("chat")
public class ChatHandler implements FramedHandler<ChatMember> {

	/** Room names are shown in every line: keep them short (the topic's own limit is far longer). */
	static final int MAX_ROOM_LENGTH = 64;

	private static final Log logger = LogFactory.getLog(ChatHandler.class);

	private final PubSub pubsub;

	/**
	 * Creates the chat on the application's PubSub.
	 * @param pubsub the auto-configured PubSub, local or across instances as configured
	 */
	public ChatHandler(PubSub pubsub) {
		this.pubsub = pubsub;
	}

	/**
	 * Returns the PubSub topic of a chat room.
	 * @param room the room
	 * @return its topic
	 */
	static String topic(String room) {
		return "chat:" + room;
	}

	@Override
	public ChatMember initialState() {
		return new ChatMember();
	}

	@Override
	public Result<ChatMember> handleConnection(FramedSocket socket, ChatMember member) throws IOException {
		member.name(name(socket.connection()));
		send(socket, "WELCOME " + member.name());
		return Result.continueWith(member);
	}

	@Override
	public Result<ChatMember> handleFrame(ByteBuffer line, FramedSocket socket, ChatMember member) throws IOException {
		said(StandardCharsets.UTF_8.decode(line).toString().stripTrailing(), socket, member);
		return Result.continueWith(member);
	}

	/**
	 * Answers a line over the framing's maximum before the connection ends; the framework
	 * dropped what it buffered of it. The server's {@code log-error-results=false} leaves this
	 * INFO line the only one about it.
	 */
	@Override
	public void handleFrameTooLarge(FrameTooLargeException error, FramedSocket socket, ChatMember member)
			throws IOException {
		logger.info("Closing chat connection from " + ServerInfo.format(socket.remoteAddress()) + ": a line passed "
				+ error.maxFrameSize() + " bytes (thousandisland.servers.chat.framing.max-frame-size)");
		send(socket, "ERR line too long (the limit is " + error.maxFrameSize() + " bytes)");
	}

	/** A line another member said, from this instance or, through the adapter, another. */
	@Override
	public Result<ChatMember> handleMessage(Object message, FramedSocket socket, ChatMember member) throws IOException {
		if (message instanceof String line) {
			send(socket, line);
		}
		return Result.continueWith(member);
	}

	/** Leaves the room first, so that no line arrives after the goodbye. */
	@Override
	public void handleShutdown(FramedSocket socket, ChatMember member) throws IOException {
		leave(socket.connection(), member);
		send(socket, "BYE the server is shutting down");
	}

	private void said(String line, FramedSocket socket, ChatMember member) throws IOException {
		Connection connection = socket.connection();
		if (line.startsWith("JOIN ")) {
			String room = line.substring(5).strip();
			if (room.isEmpty() || room.contains(" ")) {
				send(socket, "ERR a room name is one word");
				return;
			}
			if (room.length() > MAX_ROOM_LENGTH) {
				send(socket, "ERR a room name is at most " + MAX_ROOM_LENGTH + " characters");
				return;
			}
			leave(connection, member);
			this.pubsub.subscribe(connection, topic(room));
			member.room(room);
			send(socket, "OK joined " + room);
		}
		else if (member.room() == null) {
			send(socket, "ERR join a room first");
		}
		else if (!line.isEmpty()) {
			this.pubsub.broadcastFrom(connection, topic(member.room()),
					"MSG " + member.room() + " " + member.name() + " " + line);
		}
	}

	private void leave(Connection connection, ChatMember member) {
		if (member.room() != null) {
			this.pubsub.unsubscribe(connection, topic(member.room()));
			member.room(null);
		}
	}

	/** Connection ids repeat across instances: in a cluster, the node name tells two user7s apart. */
	private String name(Connection connection) {
		String name = "user" + connection.id();
		return "local".equals(this.pubsub.adapter().kind()) ? name : name + "@" + this.pubsub.nodeName();
	}

	/** Replies end with CRLF, as telnet-style clients expect (sendLine would end them with LF). */
	private static void send(FramedSocket socket, String line) throws IOException {
		socket.send((line + "\r\n").getBytes(StandardCharsets.UTF_8));
	}

}
