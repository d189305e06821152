package dev.thousandisland.sample;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Component;

import dev.thousandisland.Result;
import dev.thousandisland.ServerInfo;
import dev.thousandisland.framing.FrameTooLargeException;
import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.FramedSocket;

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
 * Lines end with LF (CR LF is fine): the server's line framing
 * ({@code thousandisland.servers.chat.framing.type=line}) cuts them, so each
 * {@link #handleFrame} call is one line. A line longer than the framing's
 * {@code max-frame-size} gets {@code ERR line too long} and the connection is closed, never
 * buffered beyond it. Bytes that are not UTF-8 are replaced, never fatal.
 */
@Component("chat")
public class ChatHandler implements FramedHandler<ChatMember> {

	private static final Log logger = LogFactory.getLog(ChatHandler.class);

	private final ChatRooms rooms;

	private final ChatProperties properties;

	public ChatHandler(ChatRooms rooms, ChatProperties properties) {
		this.rooms = rooms;
		this.properties = properties;
	}

	@Override
	public ChatMember initialState() {
		return new ChatMember(this.properties.getMaxPendingMessages(), this.properties.getSlowConsumerTimeout());
	}

	@Override
	public Result<ChatMember> handleConnection(FramedSocket socket, ChatMember member) throws IOException {
		member.connected(socket.connection());
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

	@Override
	public Result<ChatMember> handleMessage(Object message, FramedSocket socket, ChatMember member) throws IOException {
		if (message instanceof ChatMember.Broadcast broadcast) {
			send(socket, broadcast.text());
			member.delivered();
		}
		return Result.continueWith(member);
	}

	@Override
	public void handleClose(FramedSocket socket, ChatMember member) {
		this.rooms.leave(member);
	}

	@Override
	public void handleError(Throwable error, FramedSocket socket, ChatMember member) {
		this.rooms.leave(member);
	}

	@Override
	public void handleTimeout(FramedSocket socket, ChatMember member) {
		this.rooms.leave(member);
	}

	@Override
	public void handleShutdown(FramedSocket socket, ChatMember member) throws IOException {
		this.rooms.leave(member);
		send(socket, "BYE the server is shutting down");
	}

	private void said(String line, FramedSocket socket, ChatMember member) throws IOException {
		if (line.startsWith("JOIN ")) {
			String room = line.substring(5).strip();
			if (room.isEmpty() || room.contains(" ")) {
				send(socket, "ERR a room name is one word");
				return;
			}
			this.rooms.join(room, member);
			send(socket, "OK joined " + room);
		}
		else if (member.room() == null) {
			send(socket, "ERR join a room first");
		}
		else if (!line.isEmpty()) {
			this.rooms.broadcast(member, "MSG " + member.room() + " " + member.name() + " " + line);
		}
	}

	/** Replies end with CRLF, as telnet-style clients expect (sendLine would end them with LF). */
	private static void send(FramedSocket socket, String line) throws IOException {
		socket.send((line + "\r\n").getBytes(StandardCharsets.UTF_8));
	}

}
