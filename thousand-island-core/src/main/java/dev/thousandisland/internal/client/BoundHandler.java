package dev.thousandisland.internal.client;

import java.nio.ByteBuffer;

import dev.thousandisland.client.ConnectKind;
import dev.thousandisland.client.FrameKind;
import dev.thousandisland.client.RequestTimeoutException;

/**
 * The client's handler with its client already bound in: what the machinery calls, given by the
 * public {@code ClientConnection} at construction. The machinery never names the
 * {@code ClientConnection} itself, so the dependency runs one way, from the API down, as the
 * server's does; the API side passes itself to each handler callback. Its {@code toString} names
 * the client in the log.
 */
public interface BoundHandler {

	/**
	 * Runs the handler's {@code handleConnection}.
	 * @param kind whether this is the first connection or a reconnect
	 * @throws Exception whatever the handler threw
	 */
	void handleConnection(ConnectKind kind) throws Exception;

	/**
	 * Runs the handler's {@code handleMessage}.
	 * @param message what another thread told the client
	 * @throws Exception whatever the handler threw
	 */
	void handleMessage(Object message) throws Exception;

	/**
	 * Runs the handler's {@code classify}.
	 * @param frame the frame the server sent
	 * @param awaitingReplies how many written requests wait for a reply
	 * @return what the frame is
	 * @throws Exception whatever the handler threw
	 */
	FrameKind classify(ByteBuffer frame, int awaitingReplies) throws Exception;

	/**
	 * Runs the handler's {@code handleFrame}.
	 * @param frame a frame no request was waiting for
	 * @throws Exception whatever the handler threw
	 */
	void handleFrame(ByteBuffer frame) throws Exception;

	/**
	 * Runs the handler's {@code handleClose}.
	 * @throws Exception whatever the handler threw
	 */
	void handleClose() throws Exception;

	/**
	 * Runs the handler's {@code handleError}.
	 * @param error what went wrong
	 * @throws Exception whatever the handler threw
	 */
	void handleError(Throwable error) throws Exception;

	/**
	 * Runs the handler's {@code ping}.
	 * @return the idle check's ping, or {@code null} for none
	 * @throws Exception whatever the handler threw
	 */
	ByteBuffer ping() throws Exception;

	/**
	 * Runs the handler's {@code handleTimeout}.
	 * @param error the timeout that dropped the connection
	 * @throws Exception whatever the handler threw
	 */
	void handleTimeout(RequestTimeoutException error) throws Exception;

}
