package dev.thousandisland.client;

import java.nio.ByteBuffer;

import dev.thousandisland.internal.client.BoundHandler;

/**
 * A client's handler with the client bound in, for the machinery under it: the machinery calls
 * back through this, so it needs no knowledge of {@link ClientConnection}.
 */
final class HandlerBoundToClient implements BoundHandler {

	private final ClientHandler handler;

	private final ClientConnection client;

	HandlerBoundToClient(ClientHandler handler, ClientConnection client) {
		this.handler = handler;
		this.client = client;
	}

	@Override
	public void handleConnection(ConnectKind kind) throws Exception {
		this.handler.handleConnection(this.client, kind);
	}

	@Override
	public void handleMessage(Object message) throws Exception {
		this.handler.handleMessage(message, this.client);
	}

	@Override
	public FrameKind classify(ByteBuffer frame, int awaitingReplies) throws Exception {
		return this.handler.classify(frame, awaitingReplies);
	}

	@Override
	public void handleFrame(ByteBuffer frame) throws Exception {
		this.handler.handleFrame(frame, this.client);
	}

	@Override
	public void handleClose() throws Exception {
		this.handler.handleClose(this.client);
	}

	@Override
	public void handleError(Throwable error) throws Exception {
		this.handler.handleError(error, this.client);
	}

	@Override
	public ByteBuffer ping() throws Exception {
		return this.handler.ping(this.client);
	}

	@Override
	public void handleTimeout(RequestTimeoutException error) throws Exception {
		this.handler.handleTimeout(error, this.client);
	}

	@Override
	public String toString() {
		return this.client.toString();
	}

}
