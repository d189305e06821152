package dev.thousandisland.autoconfigure.pubsub;

import java.nio.ByteBuffer;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * What the Redis adapter puts on a channel around the PubSub's payload: a version byte, the
 * sending adapter's id and the message's sequence number on that channel from that sender, so
 * that a receiver can tell a message it missed (a gap) and one it already had (a Redis client
 * re-sending a command after a reconnect) from the next one.
 *
 * @param sender the id of the sending adapter, random at every start
 * @param sequence the message's number on its channel from that sender, from 1
 * @param payload the bytes the PubSub handed to {@code publish}, unchanged
 */
record RedisEnvelope(UUID sender, long sequence, byte[] payload) {

	private static final byte VERSION = 1;

	static final int HEADER_LENGTH = 1 + 16 + 8;

	byte[] encode() {
		ByteBuffer buffer = ByteBuffer.allocate(HEADER_LENGTH + this.payload.length);
		buffer.put(VERSION)
			.putLong(this.sender.getMostSignificantBits())
			.putLong(this.sender.getLeastSignificantBits())
			.putLong(this.sequence)
			.put(this.payload);
		return buffer.array();
	}

	/**
	 * Reads an envelope.
	 * @param bytes a channel message
	 * @return the envelope, or {@code null} if the bytes are not one (something else published on
	 * the channel, or a newer version of the adapter)
	 */
	static @Nullable RedisEnvelope decode(byte[] bytes) {
		if (bytes.length < HEADER_LENGTH || bytes[0] != VERSION) {
			return null;
		}
		ByteBuffer buffer = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
		UUID sender = new UUID(buffer.getLong(), buffer.getLong());
		long sequence = buffer.getLong();
		byte[] payload = new byte[buffer.remaining()];
		buffer.get(payload);
		return new RedisEnvelope(sender, sequence, payload);
	}

}
