package dev.thousandisland.sample;

import java.util.Map;
import java.util.TreeMap;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.stereotype.Component;

import dev.thousandisland.pubsub.PubSub;

/**
 * The chat's rooms as this instance sees them, at {@code /actuator/chat}: each room with members
 * here and how many. In a cluster every instance answers for its own members only; a member who
 * disconnected is gone from the count as soon as its connection ended.
 */
@Component
@Endpoint(id = "chat")
public class ChatEndpoint {

	private static final String PREFIX = ChatHandler.topic("");

	private final PubSub pubsub;

	/**
	 * Creates the endpoint over the chat's PubSub.
	 * @param pubsub the PubSub whose local subscriptions are the rooms
	 */
	public ChatEndpoint(PubSub pubsub) {
		this.pubsub = pubsub;
	}

	/**
	 * Returns this instance's node name and its rooms with their local member counts.
	 * @return the node name and the rooms
	 */
	@ReadOperation
	public ChatRoomsDescriptor rooms() {
		Map<String, Integer> rooms = new TreeMap<>();
		for (String topic : this.pubsub.topics()) {
			if (topic.startsWith(PREFIX)) {
				rooms.put(topic.substring(PREFIX.length()), this.pubsub.subscriberCount(topic));
			}
		}
		return new ChatRoomsDescriptor(this.pubsub.nodeName(), this.pubsub.adapter().kind(), rooms);
	}

	/**
	 * The endpoint's answer.
	 * @param node this instance's node name
	 * @param adapter the PubSub adapter's kind ({@code local} or {@code redis})
	 * @param rooms each room with members on this instance, and how many
	 */
	public record ChatRoomsDescriptor(String node, String adapter, Map<String, Integer> rooms) {
	}

}
