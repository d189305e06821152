package dev.thousandisland.internal.pubsub;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.thousandisland.pubsub.PubSubCodecException;

/**
 * The bytes one instance hands its adapter for the others: a format version, the publishing
 * node's name, then the codec's bytes. The node name is what lets an instance recognise its own
 * broadcasts when the transport echoes them back (Redis does), so that it never delivers one
 * twice; the version lets a later format be told apart from this one during a rolling upgrade.
 *
 * <pre>
 * byte 0       FORMAT_VERSION
 * byte 1       n, the node name's length in UTF-8 bytes (1..255)
 * bytes 2..n+1 the node name, UTF-8
 * the rest     the message as the codec encoded it
 * </pre>
 */
final class Envelope {

	/** The format this class writes and the only one it reads. */
	static final byte FORMAT_VERSION = 1;

	/** The longest node name an envelope carries, in UTF-8 bytes (its length fits one byte). */
	static final int MAX_NODE_NAME_BYTES = 255;

	private static final int HEADER = 2;

	private final byte[] node;

	Envelope(String nodeName) {
		this.node = nodeName.getBytes(StandardCharsets.UTF_8);
		if (this.node.length > MAX_NODE_NAME_BYTES) {
			throw new IllegalArgumentException("nodeName is " + this.node.length + " bytes long in UTF-8, over the "
					+ MAX_NODE_NAME_BYTES + " bytes a PubSub envelope carries: choose a shorter node name");
		}
	}

	/** Wraps a message the codec encoded, with this node's name. */
	byte[] seal(byte[] body) {
		byte[] payload = new byte[HEADER + this.node.length + body.length];
		payload[0] = FORMAT_VERSION;
		payload[1] = (byte) this.node.length;
		System.arraycopy(this.node, 0, payload, HEADER, this.node.length);
		System.arraycopy(body, 0, payload, HEADER + this.node.length, body.length);
		return payload;
	}

	/**
	 * Returns whether a payload was sealed by this node. A payload too short to tell is not.
	 */
	boolean isOwn(byte[] payload) {
		int length = this.node.length;
		return payload != null && payload.length >= HEADER + length && payload[0] == FORMAT_VERSION
				&& (payload[1] & 0xFF) == length && Arrays.equals(payload, HEADER, HEADER + length, this.node, 0, length);
	}

	/**
	 * Returns the codec's bytes of a payload sealed by any node.
	 * @throws PubSubCodecException if the payload is not an envelope of this format
	 */
	static byte[] body(byte[] payload) {
		if (payload == null || payload.length < HEADER) {
			throw new PubSubCodecException("A PubSub envelope of "
					+ ((payload != null) ? payload.length : 0) + " bytes is too short to hold its header");
		}
		if (payload[0] != FORMAT_VERSION) {
			throw new PubSubCodecException("A PubSub envelope of format version " + payload[0] + " cannot be read: "
					+ "this instance reads version " + FORMAT_VERSION + " (instances of different releases share the adapter?)");
		}
		int start = HEADER + (payload[1] & 0xFF);
		if (start > payload.length) {
			throw new PubSubCodecException("A PubSub envelope of " + payload.length + " bytes announces a node name of "
					+ (payload[1] & 0xFF) + " bytes that it does not hold");
		}
		return Arrays.copyOfRange(payload, start, payload.length);
	}

}
