package dev.thousandisland.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;

/**
 * The subscribers of {@link PubSubFanOutBenchmark}, in a JVM of their own:
 * {@code FanOutClients <port> <connections>} opens the connections (plain NIO, one selector
 * thread per core, sources spread over 127.0.0.2–254), reads everything they receive from then on,
 * and prints {@code connected <open> <failures>}. Then, on standard input:
 * <ul>
 * <li>{@code measure <warm-up ms> <measure ms>}: waits out the warm-up, prints {@code measuring},
 * counts for the window, prints {@code measured}, then
 * {@code delivered <messages> <p50 ns> <p99 ns> <p99.9 ns> <max ns> <out of order> <missed>}:
 * the 64-byte messages received in the window on all connections, the latency from the
 * publisher's time stamp to the read that completed each message, the messages that came after
 * a later one on their connection, and the sequence numbers a connection skipped;
 * <li>{@code stop} (or the end of input): closes everything and exits.
 * </ul>
 */
public final class FanOutClients {

	private FanOutClients() {
	}

	public static void main(String[] args) throws Exception {
		LifetimeLimit.haltAfter(Duration.ofMinutes(10), "FanOutClients");
		InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0]));
		int connections = Integer.parseInt(args[1]);
		int threads = Runtime.getRuntime().availableProcessors();
		SourceAddresses sources = new SourceAddresses();
		LongAdder failures = new LongAdder();
		LongAdder open = new LongAdder();
		CountDownLatch connected = new CountDownLatch(threads);
		List<Reader> readers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int share = connections / threads + ((t < connections % threads) ? 1 : 0);
			Reader reader = new Reader(Selector.open());
			readers.add(reader);
			Thread.ofPlatform().daemon().name("subscribers-" + t).start(() -> {
				try {
					List<SocketChannel> channels = new Connector(reader.selector, server, sources).open(share,
							System.nanoTime() + Duration.ofSeconds(60).toNanos(), failures);
					open.add(channels.size());
					for (SocketChannel channel : channels) {
						channel.register(reader.selector, SelectionKey.OP_READ, new Stream());
					}
				}
				catch (IOException ex) {
					System.err.println("FanOutClients: " + ex);
				}
				connected.countDown();
				reader.run();
			});
		}
		connected.await();
		System.out.println("connected " + open.sum() + " " + failures.sum());
		System.out.flush();
		BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String command;
		while ((command = commands.readLine()) != null) {
			String[] words = command.trim().split(" ");
			if (words[0].equals("measure")) {
				measure(readers, Long.parseLong(words[1]), Long.parseLong(words[2]));
			}
			else if (words[0].equals("stop")) {
				break;
			}
		}
		System.exit(0);
	}

	private static void measure(List<Reader> readers, long warmupMillis, long measureMillis)
			throws InterruptedException {
		Thread.sleep(warmupMillis);
		long[] before = new long[3];
		for (Reader reader : readers) {
			reader.startWindow(before);
		}
		System.out.println("measuring");
		System.out.flush();
		Thread.sleep(measureMillis);
		long[] after = new long[3];
		Histogram latency = new Histogram(3);
		for (Reader reader : readers) {
			latency.add(reader.endWindow(after));
		}
		System.out.println("measured");
		System.out.println("delivered " + (after[0] - before[0]) + " " + latency.getValueAtPercentile(50) + " "
				+ latency.getValueAtPercentile(99) + " " + latency.getValueAtPercentile(99.9) + " "
				+ latency.getMaxValue() + " " + (after[1] - before[1]) + " " + (after[2] - before[2]));
		System.out.flush();
	}

	/** What one connection has read of the message under way. */
	static final class Stream {

		final ByteBuffer header = ByteBuffer.allocate(FanOutMessage.HEADER);

		int offset;

		long lastSequence = -1;

	}

	/** One selector thread: reads its connections and counts complete messages. */
	static final class Reader {

		final Selector selector;

		private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);

		private volatile long messages;

		private volatile long disorders;

		private volatile long missed;

		private Histogram latency = new Histogram(3);

		Reader(Selector selector) {
			this.selector = selector;
		}

		synchronized void startWindow(long[] counts) {
			counts[0] += this.messages;
			counts[1] += this.disorders;
			counts[2] += this.missed;
			this.latency = new Histogram(3);
		}

		synchronized Histogram endWindow(long[] counts) {
			counts[0] += this.messages;
			counts[1] += this.disorders;
			counts[2] += this.missed;
			return this.latency.copy();
		}

		void run() {
			try {
				while (true) {
					this.selector.select(100);
					Iterator<SelectionKey> keys = this.selector.selectedKeys().iterator();
					while (keys.hasNext()) {
						SelectionKey key = keys.next();
						keys.remove();
						read(key);
					}
				}
			}
			catch (IOException ex) {
				System.err.println("FanOutClients: " + ex);
			}
		}

		private void read(SelectionKey key) {
			SocketChannel channel = (SocketChannel) key.channel();
			this.buffer.clear();
			int read;
			try {
				read = channel.read(this.buffer);
			}
			catch (IOException ex) {
				read = -1;
			}
			if (read < 0) {
				key.cancel();
				try {
					channel.close();
				}
				catch (IOException ignored) {
					// closing anyway
				}
				return;
			}
			this.buffer.flip();
			long now = System.nanoTime();
			synchronized (this) {
				parse((Stream) key.attachment(), now);
			}
		}

		private void parse(Stream stream, long now) {
			ByteBuffer data = this.buffer;
			while (data.hasRemaining()) {
				if (stream.offset == 0 && data.remaining() >= FanOutMessage.SIZE) {
					long stamp = data.getLong();
					long sequence = data.getLong();
					data.position(data.position() + FanOutMessage.SIZE - FanOutMessage.HEADER);
					complete(stream, stamp, sequence, now);
					continue;
				}
				int take = Math.min(data.remaining(), FanOutMessage.SIZE - stream.offset);
				for (int i = 0; i < take; i++) {
					byte b = data.get();
					if (stream.offset + i < FanOutMessage.HEADER) {
						stream.header.put(b);
					}
				}
				stream.offset += take;
				if (stream.offset == FanOutMessage.SIZE) {
					stream.header.flip();
					long stamp = stream.header.getLong();
					long sequence = stream.header.getLong();
					stream.header.clear();
					stream.offset = 0;
					complete(stream, stamp, sequence, now);
				}
			}
		}

		private void complete(Stream stream, long stamp, long sequence, long now) {
			this.messages++;
			this.latency.recordValue(Math.max(0, now - stamp));
			if (sequence <= stream.lastSequence) {
				this.disorders++;
			}
			else if (sequence > stream.lastSequence + 1) {
				this.missed += sequence - stream.lastSequence - 1;
			}
			stream.lastSequence = Math.max(stream.lastSequence, sequence);
		}

	}

}
