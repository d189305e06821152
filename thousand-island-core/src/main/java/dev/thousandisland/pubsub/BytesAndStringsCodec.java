package dev.thousandisland.pubsub;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The default codec: one tag byte saying which of the two types follows, then its bytes.
 */
final class BytesAndStringsCodec implements PubSubCodec {

	static final BytesAndStringsCodec INSTANCE = new BytesAndStringsCodec();

	private static final byte BYTES = 'b';

	private static final byte STRING = 's';

	private BytesAndStringsCodec() {
	}

	@Override
	public byte[] encode(Object message) {
		if (message instanceof byte[] bytes) {
			return tagged(BYTES, bytes);
		}
		if (message instanceof String string) {
			return tagged(STRING, string.getBytes(StandardCharsets.UTF_8));
		}
		throw new PubSubCodecException("The default PubSub codec carries byte[] and String messages only, not "
				+ ((message != null) ? message.getClass().getName() : "null")
				+ ", to other instances: give the PubSub a PubSubCodec for it (in Spring, a PubSubCodec bean)");
	}

	@Override
	public Object decode(byte[] bytes) {
		if (bytes.length == 0) {
			throw new PubSubCodecException("An empty message has no type tag");
		}
		byte[] body = Arrays.copyOfRange(bytes, 1, bytes.length);
		return switch (bytes[0]) {
			case BYTES -> body;
			case STRING -> new String(body, StandardCharsets.UTF_8);
			default -> throw new PubSubCodecException("Unknown type tag " + bytes[0]
					+ ": the message was not encoded by the default PubSub codec");
		};
	}

	private static byte[] tagged(byte tag, byte[] body) {
		byte[] bytes = new byte[body.length + 1];
		bytes[0] = tag;
		System.arraycopy(body, 0, bytes, 1, body.length);
		return bytes;
	}

}
