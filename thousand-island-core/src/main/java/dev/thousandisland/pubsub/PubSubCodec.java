package dev.thousandisland.pubsub;

/**
 * Turns broadcast messages into bytes and back, to cross to other instances. Used only when the
 * PubSub has an adapter other than {@link PubSubAdapter#local()}: local delivery hands over the
 * message object itself.
 */
public interface PubSubCodec {

	/**
	 * Returns the default codec: {@code byte[]} and {@link String} (UTF-8) messages, each decoded
	 * as the type it was broadcast as. Anything else fails the broadcast with a
	 * {@link PubSubCodecException}.
	 * @return the default codec
	 */
	static PubSubCodec bytesAndStrings() {
		return BytesAndStringsCodec.INSTANCE;
	}

	/**
	 * Encodes a message.
	 * @param message the message, not {@code null}
	 * @return its bytes
	 * @throws PubSubCodecException if the message cannot be encoded
	 */
	byte[] encode(Object message);

	/**
	 * Decodes a message that {@link #encode} made, on this or another instance.
	 * @param bytes the bytes
	 * @return the message
	 * @throws PubSubCodecException if the bytes cannot be decoded
	 */
	Object decode(byte[] bytes);

}
