package dev.thousandisland.autoconfigure.pubsub;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.thousandisland.pubsub.PubSubCodec;

/**
 * The application's codec: strings as the default codec carries them, plus its own
 * {@link ChatLineHandler.Shout} messages, which the default codec refuses.
 */
final class ShoutCodec implements PubSubCodec {

	private static final PubSubCodec STRINGS = PubSubCodec.bytesAndStrings();

	@Override
	public byte[] encode(Object message) {
		if (message instanceof ChatLineHandler.Shout shout) {
			byte[] text = shout.text().getBytes(StandardCharsets.UTF_8);
			byte[] bytes = new byte[text.length + 1];
			bytes[0] = '!';
			System.arraycopy(text, 0, bytes, 1, text.length);
			return bytes;
		}
		return STRINGS.encode(message);
	}

	@Override
	public Object decode(byte[] bytes) {
		if (bytes.length > 0 && bytes[0] == '!') {
			return new ChatLineHandler.Shout(new String(Arrays.copyOfRange(bytes, 1, bytes.length), StandardCharsets.UTF_8));
		}
		return STRINGS.decode(bytes);
	}

}
