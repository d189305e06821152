package dev.thousandisland.sample;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Who is in which chat room. Broadcasting never touches another member's socket: it puts the line
 * in each member's mailbox, and each member's own connection thread writes it out.
 */
@Component
public class ChatRooms {

	private final Map<String, Set<ChatMember>> rooms = new ConcurrentHashMap<>();

	void join(String room, ChatMember member) {
		leave(member);
		this.rooms.computeIfAbsent(room, (name) -> ConcurrentHashMap.newKeySet()).add(member);
		member.room(room);
	}

	void leave(ChatMember member) {
		String room = member.room();
		if (room == null) {
			return;
		}
		member.room(null);
		this.rooms.computeIfPresent(room, (name, members) -> {
			members.remove(member);
			return members.isEmpty() ? null : members;
		});
	}

	void broadcast(ChatMember sender, String line) {
		Set<ChatMember> members = this.rooms.get(sender.room());
		if (members == null) {
			return;
		}
		for (ChatMember member : members) {
			if (member != sender) {
				member.deliver(line);
			}
		}
	}

	/**
	 * Returns the number of members in a room.
	 * @param room the room
	 * @return its members
	 */
	public int size(String room) {
		Set<ChatMember> members = this.rooms.get(room);
		return (members != null) ? members.size() : 0;
	}

}
