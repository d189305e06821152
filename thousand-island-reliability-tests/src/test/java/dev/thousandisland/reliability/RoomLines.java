package dev.thousandisland.reliability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a chat member received, sorted out: the lines the chat writes for another member's line
 * are {@code MSG <room> <sender> <text>}, and the tests' texts are {@code n <number>} (and
 * padding), numbered from 0 per sender.
 */
final class RoomLines {

	private static final Pattern MSG = Pattern.compile("MSG (\\S+) (\\S+) n (\\d+)(?: .*)?");

	private RoomLines() {
	}

	/** The text of a sender's line number {@code n}, padded to about {@code size} characters. */
	static String text(long n, int size) {
		String text = "n " + n;
		return (text.length() + 1 >= size) ? text : text + " " + "p".repeat(size - text.length() - 1);
	}

	/**
	 * The numbers a member received from each sender, in arrival order.
	 * @throws AssertionError for a line that is not a {@code MSG} of the room, or a {@code MSG}
	 * of another room
	 */
	static Map<String, List<Long>> bySender(ChatLineClient member, String room) {
		Map<String, List<Long>> bySender = new LinkedHashMap<>();
		for (String line : member.received()) {
			Matcher matcher = MSG.matcher(line);
			if (!matcher.matches()) {
				throw new AssertionError(member.name() + " received a line that is no MSG of a test: " + brief(line));
			}
			if (!matcher.group(1).equals(room)) {
				throw new AssertionError(member.name() + ", in " + room + ", received a line of " + matcher.group(1)
						+ ": " + brief(line));
			}
			bySender.computeIfAbsent(matcher.group(2), (sender) -> new ArrayList<>())
				.add(Long.parseLong(matcher.group(3)));
		}
		return bySender;
	}

	/** 0, 1, ... count - 1. */
	static List<Long> upTo(long count) {
		List<Long> numbers = new ArrayList<>();
		for (long n = 0; n < count; n++) {
			numbers.add(n);
		}
		return numbers;
	}

	/** Whether the numbers strictly increase: in the sender's order, none twice. */
	static boolean strictlyIncreasing(List<Long> numbers) {
		for (int i = 1; i < numbers.size(); i++) {
			if (numbers.get(i) <= numbers.get(i - 1)) {
				return false;
			}
		}
		return true;
	}

	private static String brief(String line) {
		return (line.length() > 80) ? line.substring(0, 80) + "..." : line;
	}

}
