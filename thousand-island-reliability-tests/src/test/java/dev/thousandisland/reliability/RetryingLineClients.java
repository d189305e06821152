package dev.thousandisland.reliability;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Steady request/response load through a proxy, from clients that retry the way a careful client
 * of an idempotent service does. Each client, on a virtual thread of its own, sends
 * {@code GET <id>\n}, reads the reply line, pauses {@link #THINK}, and opens a new connection every
 * {@link #REQUESTS_PER_CONNECTION} requests (as pooled clients retire connections), so that the
 * proxy keeps balancing over the instances.
 *
 * <p><b>The retry rule.</b> Every request of this protocol is idempotent (it reads, it changes
 * nothing). A request is sent again, on a new connection, only when its connection failed before
 * the first byte of the reply arrived: the connect failed, the write failed, or the read met end of
 * stream or a reset with no byte of the reply read. At most {@link #ATTEMPTS} attempts, 20 ms apart.
 * A reply cut off after its first byte, a reply that does not answer the request, no reply within
 * the read timeout (the request may still be in the works), or the last attempt failing: each
 * counts as one failed request and is never retried.
 */
final class RetryingLineClients {

	static final int REQUESTS_PER_CONNECTION = 20;

	static final Duration THINK = Duration.ofMillis(25);

	static final int ATTEMPTS = 5;

	final LongAdder sent = new LongAdder();

	final LongAdder answered = new LongAdder();

	final LongAdder failed = new LongAdder();

	final LongAdder retries = new LongAdder();

	final LongAdder connections = new LongAdder();

	/** Replies whose client address is the client's own (127.0.0.1 and its local port). */
	final LongAdder ownAddressSeen = new LongAdder();

	final Map<String, LongAdder> answeredBy = new ConcurrentHashMap<>();

	/** The first few failures, described, for the assertion message. */
	final Queue<String> failures = new ConcurrentLinkedQueue<>();

	private final AtomicLong ids = new AtomicLong();

	private final AtomicBoolean stop = new AtomicBoolean();

	private final List<Future<?>> clients = new ArrayList<>();

	private final int port;

	private ExecutorService executor;

	RetryingLineClients(int port) {
		this.port = port;
	}

	void start(int count) {
		this.executor = Executors.newVirtualThreadPerTaskExecutor();
		for (int i = 0; i < count; i++) {
			this.clients.add(this.executor.submit(this::run));
		}
	}

	long answeredBy(String instance) {
		LongAdder count = this.answeredBy.get(instance);
		return (count != null) ? count.sum() : 0;
	}

	/** Lets every client finish the request it is on, and waits for all of them. */
	void stop(Duration wait) throws Exception {
		this.stop.set(true);
		long deadline = System.nanoTime() + wait.toNanos();
		for (Future<?> client : this.clients) {
			client.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		this.executor.shutdown();
	}

	private Void run() throws InterruptedException {
		Connection connection = null;
		int onConnection = 0;
		// Bounded: at one request per THINK, the test stops the clients long before this.
		for (int i = 0; i < 100_000 && !this.stop.get(); i++) {
			long id = this.ids.incrementAndGet();
			this.sent.increment();
			connection = request(id, connection);
			if (connection != null && ++onConnection == REQUESTS_PER_CONNECTION) {
				connection.close();
				connection = null;
			}
			if (connection == null) {
				onConnection = 0;
			}
			Thread.sleep(THINK);
		}
		if (connection != null) {
			connection.close();
		}
		return null;
	}

	/** Sends one request, retrying by the rule; returns the connection to go on with, or null. */
	private Connection request(long id, Connection connection) throws InterruptedException {
		for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
			if (attempt > 1) {
				this.retries.increment();
				Thread.sleep(20);
			}
			int replyBytes = 0;
			try {
				if (connection == null) {
					connection = new Connection(Clients.connect(this.port));
					this.connections.increment();
				}
				connection.write("GET " + id + "\n");
				StringBuilder reply = new StringBuilder();
				int b;
				while ((b = connection.in.read()) >= 0 && b != '\n') {
					replyBytes++;
					reply.append((char) b);
				}
				if (b < 0 && replyBytes == 0) {
					throw new IOException("end of stream before the reply");
				}
				if (b < 0) {
					fail(id, "reply cut off after " + replyBytes + " bytes: " + reply);
					connection.close();
					return null;
				}
				answered(id, reply.toString(), connection.socket.getLocalPort());
				return connection;
			}
			catch (SocketTimeoutException ex) {
				if (connection == null) {
					// The connect timed out: nothing was sent, so it is retried like a refused connect.
					continue;
				}
				fail(id, "no reply within the read timeout");
				connection.close();
				return null;
			}
			catch (IOException ex) {
				if (connection != null) {
					connection.close();
					connection = null;
				}
				if (replyBytes > 0) {
					fail(id, "reply cut off after " + replyBytes + " bytes: " + ex);
					return null;
				}
			}
		}
		fail(id, "closed before any byte of the reply on each of " + ATTEMPTS + " attempt(s)");
		return null;
	}

	private void answered(long id, String reply, int localPort) {
		String[] parts = reply.split(" ");
		if (parts.length != 3 || !parts[0].equals(Long.toString(id))) {
			fail(id, "reply does not answer the request: " + reply);
			return;
		}
		this.answered.increment();
		this.answeredBy.computeIfAbsent(parts[1], (k) -> new LongAdder()).increment();
		if (parts[2].equals("127.0.0.1:" + localPort)) {
			this.ownAddressSeen.increment();
		}
	}

	private void fail(long id, String why) {
		this.failed.increment();
		if (this.failures.size() < 10) {
			this.failures.add("GET " + id + ": " + why);
		}
	}

	/** A client connection with a buffered reader over its input. */
	private static final class Connection {

		final Socket socket;

		final InputStream in;

		Connection(Socket socket) throws IOException {
			this.socket = socket;
			this.in = new BufferedInputStream(socket.getInputStream(), 256);
		}

		void write(String line) throws IOException {
			this.socket.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
		}

		void close() {
			Clients.closeQuietly(this.socket);
		}

	}

}
