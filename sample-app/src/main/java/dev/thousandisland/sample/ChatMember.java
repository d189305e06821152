package dev.thousandisland.sample;

/**
 * One chat connection's state: its name and its room. The partial line it is reading is the line
 * framing's to hold, and its room's other members are the PubSub's to know, not this.
 */
final class ChatMember {

	private String name;

	private String room;

	String name() {
		return this.name;
	}

	void name(String name) {
		this.name = name;
	}

	String room() {
		return this.room;
	}

	void room(String room) {
		this.room = room;
	}

}
