package dev.thousandisland.client;

/**
 * What a frame from the server is, as {@link ClientHandler#classify} tells it: the reply to the
 * oldest request waiting, a push for {@link ClientHandler#handleFrame}, both, or neither.
 */
public enum FrameKind {

	/** The reply to the oldest request waiting for one (with none waiting: a push). */
	REPLY,

	/** Not a reply: handed to {@link ClientHandler#handleFrame}; requests keep waiting. */
	PUSH,

	/** The reply to the oldest request waiting, and also handed, as a copy, to {@code handleFrame}. */
	REPLY_AND_PUSH,

	/** Neither: dropped, as a protocol's keep-alive or an ignorable notice; requests keep waiting. */
	IGNORE

}
