package dev.thousandisland.client;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import dev.thousandisland.internal.client.ClientLoop;

/**
 * One connection to someone else's server (a database, a cache, a legacy system), shared by many
 * caller threads and kept up through drops: Elixir's GenServer with the {@code Connection}
 * behaviour, as the drivers on the BEAM build it.
 *
 * <p>{@link #start()} returns at once; the client connects on a virtual thread of its own, within
 * {@link ClientConfig#connectTimeout()}, and when a connect fails or the connection drops it waits
 * its {@link Backoff} and connects again. Callers meanwhile make requests from any thread:
 * <ul>
 * <li>While the client connects or backs off, requests wait in a queue bounded by
 * {@link ClientConfig#queueSize()}, each at most its timeout.
 * <li>Once connected, the client writes each request as it comes without waiting for earlier
 * replies (pipelining), and completes the requests in the order they were written as replies
 * arrive: the server must answer in order, as Redis, memcached, SMTP and most line protocols do.
 * A reply is what {@link ClientConfig#replyFraming()} cuts from the stream.
 * <li>Every request ends within its timeout, with the reply or one of the
 * {@link RequestFailedException}s, which say whether the request may have run.
 * </ul>
 *
 * <p>The client reads only to complete requests: the read buffer is bounded by the reply
 * framing's {@link dev.thousandisland.framing.Framing#maxBufferedBytes()}, and a reply that comes
 * when no request is in flight (more replies than requests) is a protocol error that drops the
 * connection, so a peer flooding the client cannot grow its memory (unless the handler's
 * {@link ClientHandler#classify} takes such frames as pushes). A request that was sent and timed
 * out keeps its place, and its late reply is discarded when it comes; the connection is dropped
 * only past {@link ClientConfig#maxLateReplies()} or {@link ClientConfig#lateReplyTimeout()}, or at
 * once with {@link RequestTimeoutAction#DROP_CONNECTION}.
 *
 * <p>{@link #stop(Duration)} drains like a server connection: no new requests, those outstanding
 * get until the deadline, the rest fail.
 */
public final class ClientConnection implements AutoCloseable {

	private final ClientConfig config;

	private final ClientLoop loop;

	/**
	 * Creates a client; it connects when {@link #start()} is called.
	 * @param config the configuration
	 */
	public ClientConnection(ClientConfig config) {
		this.config = config;
		this.loop = new ClientLoop(config, new HandlerBoundToClient(config.handler(), this));
	}

	/**
	 * Creates a client and starts it.
	 * @param config the configuration
	 * @return the client, connecting in the background
	 */
	public static ClientConnection start(ClientConfig config) {
		return new ClientConnection(config).start();
	}

	/**
	 * Starts connecting in the background and returns at once.
	 * @return this client
	 * @throws IllegalStateException if it was already started
	 */
	public ClientConnection start() {
		this.loop.start();
		return this;
	}

	/**
	 * Sends a request and waits for its reply, at most the configured
	 * {@link ClientConfig#requestTimeout()}.
	 * @param payload the request's bytes (framed with {@link ClientConfig#requestFraming()} if set)
	 * @return the reply's payload, the caller's own
	 * @throws RequestFailedException if there is no reply, and why
	 * @throws InterruptedException if the caller is interrupted while waiting
	 */
	public ByteBuffer request(ByteBuffer payload) throws RequestFailedException, InterruptedException {
		return request(payload, this.config.requestTimeout());
	}

	/**
	 * Sends a request and waits for its reply.
	 * @param payload the request's bytes (framed with {@link ClientConfig#requestFraming()} if set)
	 * @param timeout the longest wait, queueing included
	 * @return the reply's payload, the caller's own
	 * @throws RequestFailedException if there is no reply, and why
	 * @throws InterruptedException if the caller is interrupted while waiting
	 * @throws IllegalStateException on the client's own thread (inside a {@link ClientHandler}
	 * callback), where waiting would wait for itself: use {@link #requestAsync} there
	 */
	public ByteBuffer request(ByteBuffer payload, Duration timeout) throws RequestFailedException, InterruptedException {
		if (this.loop.isClientThread()) {
			throw new IllegalStateException("A handler callback cannot wait for a reply its own thread must read; "
					+ "use requestAsync");
		}
		try {
			return requestAsync(payload, timeout).get();
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RequestFailedException failure) {
				throw failure;
			}
			throw new IllegalStateException("Unexpected failure of a request", ex.getCause());
		}
	}

	/**
	 * Sends a request without waiting; the future completes with the reply, or fails with a
	 * {@link RequestFailedException} within the configured {@link ClientConfig#requestTimeout()}.
	 * @param payload the request's bytes
	 * @return the reply's future
	 */
	public CompletableFuture<ByteBuffer> requestAsync(ByteBuffer payload) {
		return requestAsync(payload, this.config.requestTimeout());
	}

	/**
	 * Sends a request without waiting. Made from {@link ClientHandler#handleConnection}, it goes
	 * out before the requests that waited in the queue.
	 * @param payload the request's bytes (framed with {@link ClientConfig#requestFraming()} if
	 * set); the client keeps it until written, so do not change it meanwhile
	 * @param timeout the longest wait, queueing included
	 * @return the reply's future, failing with a {@link RequestFailedException} (a
	 * {@link RequestTimeoutException} when the timeout passes)
	 */
	public CompletableFuture<ByteBuffer> requestAsync(ByteBuffer payload, Duration timeout) {
		ClientConfig.requirePositive("timeout", timeout);
		return this.loop.submit(new ByteBuffer[] { payload }, timeout);
	}

	/**
	 * Hands a message to {@link ClientHandler#handleMessage} on the client's thread.
	 * @param message the message
	 */
	public void tell(Object message) {
		this.loop.tell(message);
	}

	/**
	 * Returns where the client is in its life.
	 * @return the state
	 */
	public ClientState state() {
		return this.loop.state();
	}

	/**
	 * Returns whether the client is connected now.
	 * @return whether requests are written as they come
	 */
	public boolean isConnected() {
		return state() == ClientState.CONNECTED;
	}

	/**
	 * Returns how many requests the client holds: queued, or written and waiting for a reply.
	 * A pool sends new requests to the member with the fewest.
	 * @return the count
	 */
	public int outstanding() {
		return this.loop.outstanding();
	}

	/**
	 * Returns how many requests wait to be written.
	 * @return the count
	 */
	public int queued() {
		return this.loop.queued();
	}

	/**
	 * Returns the configuration.
	 * @return the configuration
	 */
	public ClientConfig config() {
		return this.config;
	}

	/**
	 * Stops the client: new requests fail with {@link NotConnectedException}; requests already
	 * written get until {@code timeout} for their replies and queued ones are still written if
	 * connected; what is left then fails ({@link ConnectionLostException} if written,
	 * {@link NotConnectedException} if not), the connection is closed and
	 * {@link ClientHandler#handleClose} runs. Returns once the client's thread has ended, or about
	 * a second after the deadline if a callback holds it.
	 * @param timeout how long outstanding requests may take
	 * @return whether every outstanding request finished in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean stop(Duration timeout) throws InterruptedException {
		return this.loop.stop(timeout);
	}

	/**
	 * Stops the client with the configured {@link ClientConfig#requestTimeout()} as the drain
	 * deadline.
	 */
	@Override
	public void close() {
		try {
			stop(this.config.requestTimeout());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public String toString() {
		return "ClientConnection[" + this.config.name() + " -> " + this.config.address() + ", " + state() + "]";
	}

}
