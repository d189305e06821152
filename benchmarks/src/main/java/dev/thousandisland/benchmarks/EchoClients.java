package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;

/**
 * Echo clients: a number of connections, each with exactly one message outstanding, spread over
 * one selector thread per core. Each connection sends its message, waits until all of it came
 * back, records the round trip and sends again. Only round trips that complete inside the
 * measurement window (after the warm-up) count. A raw message only has to come back whole (as many
 * bytes as were sent); a framed one ({@link Framing#LINE}, {@link Framing#LENGTH}) must come back
 * byte for byte, one frame for one frame: a reply that differs, or a message still unanswered a
 * second after the window closes, counts as a failure and ends that connection.
 */
final class EchoClients {

	/** The longest round trip the histogram tells apart; longer ones are recorded as this. */
	private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);

	/**
	 * How long a framed message may still wait for its reply when the window closes before the
	 * connection counts as failed: a server that drops or merges frames leaves one waiting forever.
	 */
	private static final long STALLED_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final InetSocketAddress server;

	private final int connections;

	private final int messageSize;

	private final long warmupNanos;

	private final long measureNanos;

	private final LongAdder messages = new LongAdder();

	private final LongAdder failures = new LongAdder();

	private final LongAdder connected = new LongAdder();

	private final Histogram latency = new Histogram(HIGHEST_NANOS, 3);

	private final AtomicLong warmupEnd = new AtomicLong();

	private final Framing framing;

	EchoClients(InetSocketAddress server, int connections, int messageSize, long warmupNanos, long measureNanos) {
		this(server, connections, messageSize, warmupNanos, measureNanos, Framing.RAW);
	}

	/**
	 * Creates echo clients whose message is one frame of {@code framing}, so that a framed echo
	 * server sends back exactly the message, as a raw one does.
	 */
	EchoClients(InetSocketAddress server, int connections, int messageSize, long warmupNanos, long measureNanos,
			Framing framing) {
		this.framing = framing;
		this.server = server;
		this.connections = connections;
		this.messageSize = messageSize;
		this.warmupNanos = warmupNanos;
		this.measureNanos = measureNanos;
	}

	/**
	 * Runs the clients and prints {@code echo <connections> <messages> <bytes> <p50 ns> <p99 ns>
	 * <p99.9 ns> <failures>}, counts over the measurement window.
	 * @throws Exception if a thread fails
	 */
	void run() throws Exception {
		int threads = Math.min(Runtime.getRuntime().availableProcessors(), this.connections);
		SourceAddresses sources = new SourceAddresses();
		CyclicBarrier opened = new CyclicBarrier(threads, () -> {
			this.warmupEnd.set(System.nanoTime() + this.warmupNanos);
			MeasurementWindow.announce(this.warmupEnd.get(), this.warmupEnd.get() + this.measureNanos);
		});
		Thread[] workers = new Thread[threads];
		for (int i = 0; i < threads; i++) {
			int share = this.connections / threads + ((i < this.connections % threads) ? 1 : 0);
			workers[i] = Thread.ofPlatform().name("echo-client-" + i).start(() -> {
				try {
					runThread(share, sources, opened);
				}
				catch (IOException | InterruptedException | BrokenBarrierException ex) {
					this.failures.increment();
					System.err.println("echo client thread failed: " + ex);
				}
			});
		}
		for (Thread worker : workers) {
			worker.join();
		}
		System.out.println("echo " + this.connected.sum() + " " + this.messages.sum() + " "
				+ this.messages.sum() * this.messageSize + " " + this.latency.getValueAtPercentile(50) + " "
				+ this.latency.getValueAtPercentile(99) + " " + this.latency.getValueAtPercentile(99.9) + " "
				+ this.failures.sum());
	}

	private void runThread(int share, SourceAddresses sources, CyclicBarrier opened)
			throws IOException, InterruptedException, BrokenBarrierException {
		Histogram local = new Histogram(HIGHEST_NANOS, 3);
		long count = 0;
		try (Selector selector = Selector.open()) {
			List<SocketChannel> channels = new Connector(selector, this.server, sources)
				.open(share, System.nanoTime() + TimeUnit.SECONDS.toNanos(60), this.failures);
			this.connected.add(channels.size());
			try {
				opened.await(2, TimeUnit.MINUTES);
			}
			catch (java.util.concurrent.TimeoutException ex) {
				throw new IOException("other client threads did not finish connecting", ex);
			}
			long warmupEnd = this.warmupEnd.get();
			long end = warmupEnd + this.measureNanos;
			for (SocketChannel channel : channels) {
				RoundTrip trip = new RoundTrip(channel, this.messageSize, this.framing);
				trip.key = channel.register(selector, 0, trip);
				trip.send();
			}
			while (System.nanoTime() < end && !selector.keys().isEmpty()) {
				selector.select(100);
				Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
				while (keys.hasNext()) {
					SelectionKey key = keys.next();
					keys.remove();
					RoundTrip trip = (RoundTrip) key.attachment();
					try {
						if (trip.progress()) {
							long now = System.nanoTime();
							if (now >= warmupEnd && now < end) {
								local.recordValue(Math.min(now - trip.sentAt, HIGHEST_NANOS));
								count++;
							}
							if (now < end) {
								trip.send();
							}
						}
					}
					catch (IOException ex) {
						this.failures.increment();
						if (trip.verify) {
							System.err.println("echo client: " + ex.getMessage());
						}
						key.cancel();
						key.channel().close();
					}
				}
			}
			long closing = System.nanoTime();
			for (SelectionKey key : selector.keys()) {
				RoundTrip trip = (RoundTrip) key.attachment();
				if (key.isValid() && trip.verify && trip.waiting() && closing - trip.sentAt > STALLED_NANOS) {
					this.failures.increment();
					System.err.println("echo client: a framed message got no reply within 1 s");
				}
				key.channel().close();
			}
		}
		this.messages.add(count);
		synchronized (this.latency) {
			this.latency.add(local);
		}
	}

	/** What the message looks like; any of them suits a raw echo server. */
	enum Framing {

		/** Letters only. */
		RAW,

		/** Letters and a final LF: one line. */
		LINE,

		/** A 4-byte big-endian length of the rest, then letters. */
		LENGTH

	}

	/** One connection's message in flight. */
	private static final class RoundTrip {

		private final SocketChannel channel;

		private final ByteBuffer out;

		private final ByteBuffer in;

		/** Whether each reply must equal the message (framed messages). */
		private final boolean verify;

		private SelectionKey key;

		private long sentAt;

		RoundTrip(SocketChannel channel, int size, Framing framing) {
			this.channel = channel;
			this.out = ByteBuffer.allocateDirect(size);
			for (int i = 0; i < size; i++) {
				this.out.put(i, (byte) ('a' + i % 26));
			}
			if (framing == Framing.LINE) {
				this.out.put(size - 1, (byte) '\n');
			}
			else if (framing == Framing.LENGTH) {
				this.out.putInt(0, size - 4);
			}
			this.in = ByteBuffer.allocateDirect(size);
			this.verify = framing != Framing.RAW;
		}

		/** Returns whether the message was sent and its reply has not all come back yet. */
		boolean waiting() {
			return this.in.hasRemaining() || this.out.hasRemaining();
		}

		void send() throws IOException {
			this.out.clear();
			this.in.clear();
			this.sentAt = System.nanoTime();
			this.channel.write(this.out);
			this.key.interestOps(this.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
					: SelectionKey.OP_READ);
		}

		/**
		 * Writes what is left to write and reads what has arrived.
		 * @return whether the whole message came back
		 * @throws IOException if the connection failed, the server closed it, or a framed message
		 * came back different
		 */
		boolean progress() throws IOException {
			if (this.key.isWritable() && this.out.hasRemaining()) {
				this.channel.write(this.out);
				if (!this.out.hasRemaining()) {
					this.key.interestOps(SelectionKey.OP_READ);
				}
			}
			if (this.key.isReadable()) {
				if (this.channel.read(this.in) < 0) {
					throw new IOException("the server closed the connection");
				}
			}
			if (waiting()) {
				return false;
			}
			if (this.verify && this.in.flip().mismatch(this.out.clear()) >= 0) {
				throw new IOException("the reply differs from the framed message sent");
			}
			return true;
		}

	}

}
