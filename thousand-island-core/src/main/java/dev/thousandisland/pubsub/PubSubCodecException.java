package dev.thousandisland.pubsub;

/**
 * A message that a {@link PubSubCodec} cannot encode or decode. Encoding fails the publisher's
 * call and nothing is delivered; a message from another instance that cannot be decoded is
 * dropped and counted ({@code pubsub.drop}, reason {@code decode_failed}).
 */
public class PubSubCodecException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	/**
	 * Makes the exception.
	 * @param message what cannot be encoded or decoded, and why
	 */
	public PubSubCodecException(String message) {
		super(message);
	}

	/**
	 * Makes the exception with a cause.
	 * @param message what cannot be encoded or decoded, and why
	 * @param cause what the codec hit
	 */
	public PubSubCodecException(String message, Throwable cause) {
		super(message, cause);
	}

}
