package dev.thousandisland;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.thousandisland.framing.FrameTooLargeException;
import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.FramedSocket;


/**
 * A framed handler for tests: records every frame and how each connection ended. Frames are
 * echoed with {@link FramedSocket#sendFrame} unless told otherwise; a frame "close" ends the
 * connection with {@link Result#close}; a frame too large gets the reply "ERR too large" first.
 * Endings are recorded once per handler, for the connection a test makes misbehave; the other
 * connections of a test only echo.
 */
final class RecordingFramedHandler implements FramedHandler<Void> {

	final List<String> frames = new CopyOnWriteArrayList<>();

	final List<ByteBuffer> keptFrames = new CopyOnWriteArrayList<>();

	final CompletableFuture<FrameTooLargeException> tooLarge = new CompletableFuture<>();

	final CompletableFuture<Throwable> error = new CompletableFuture<>();

	/** How many bytes were still buffered when the connection closed. */
	final CompletableFuture<Integer> closed = new CompletableFuture<>();

	/** How many bytes were still buffered when the connection timed out. */
	final CompletableFuture<Integer> timedOut = new CompletableFuture<>();

	private final boolean echo;

	RecordingFramedHandler(boolean echo) {
		this.echo = echo;
	}

	@Override
	public Result<Void> handleFrame(ByteBuffer frame, FramedSocket socket, Void state) throws Exception {
		this.keptFrames.add(frame);
		String text = StandardCharsets.UTF_8.decode(frame.duplicate()).toString();
		this.frames.add(text);
		if (text.equals("close")) {
			return Result.close(state);
		}
		if (this.echo) {
			socket.sendFrame(frame.duplicate());
		}
		return Result.continueWith(state);
	}

	@Override
	public void handleFrameTooLarge(FrameTooLargeException error, FramedSocket socket, Void state) throws Exception {
		this.tooLarge.complete(error);
		socket.sendLine("ERR too large");
	}

	@Override
	public void handleError(Throwable error, FramedSocket socket, Void state) {
		this.error.complete(error);
	}

	@Override
	public void handleClose(FramedSocket socket, Void state) {
		this.closed.complete(socket.bufferedBytes());
	}

	@Override
	public void handleTimeout(FramedSocket socket, Void state) {
		this.timedOut.complete(socket.bufferedBytes());
	}

}
