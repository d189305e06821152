package dev.thousandisland.sample;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Component;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.ServerInfo;
import dev.thousandisland.Socket;

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
 * Lines end with LF (CR LF is fine). A line longer than {@code sample.chat.max-line-length} gets
 * {@code ERR line too long} and the connection is closed rather than buffered without bound.
 * Bytes that are not UTF-8 are replaced, never fatal.
 */
@Component("chat")
public class ChatHandler implements Handler<ChatMember> {

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
	public Result<ChatMember> handleConnection(Socket socket, ChatMember member) throws IOException {
		member.connected(socket.connection());
		send(socket, "WELCOME " + member.name());
		return Result.continueWith(member);
	}

	@Override
	public Result<ChatMember> handleData(ByteBuffer data, Socket socket, ChatMember member) throws IOException {
		int maxLength = (int) this.properties.getMaxLineLength().toBytes();
		while (data.hasRemaining()) {
			byte b = data.get();
			if (b == '\n') {
				said(new String(member.takeLine(), StandardCharsets.UTF_8).stripTrailing(), socket, member);
			}
			else if (!member.append(b, maxLength)) {
				logger.info("Closing chat connection from " + ServerInfo.format(socket.remoteAddress())
						+ ": a line passed " + maxLength + " bytes (sample.chat.max-line-length)");
				send(socket, "ERR line too long (the limit is " + maxLength + " bytes)");
				return Result.close(member);
			}
		}
		return Result.continueWith(member);
	}

	@Override
	public Result<ChatMember> handleMessage(Object message, Socket socket, ChatMember member) throws IOException {
		if (message instanceof ChatMember.Broadcast broadcast) {
			send(socket, broadcast.text());
			member.delivered();
		}
		return Result.continueWith(member);
	}

	@Override
	public void handleClose(Socket socket, ChatMember member) {
		this.rooms.leave(member);
	}

	@Override
	public void handleError(Throwable error, Socket socket, ChatMember member) {
		this.rooms.leave(member);
	}

	@Override
	public void handleTimeout(Socket socket, ChatMember member) {
		this.rooms.leave(member);
	}

	@Override
	public void handleShutdown(Socket socket, ChatMember member) throws IOException {
		this.rooms.leave(member);
		send(socket, "BYE the server is shutting down");
	}

	private void said(String line, Socket socket, ChatMember member) throws IOException {
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

	private static void send(Socket socket, String line) throws IOException {
		socket.send((line + "\r\n").getBytes(StandardCharsets.UTF_8));
	}

}
