package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connect-read-close clients for a daytime-like server: a fixed number of connections in flight,
 * spread over one selector thread per core. Each connects (from the next 127.0.0.x source
 * address), reads until the server closes, closes its end and is replaced by a new connect. Only
 * connections that complete inside the measurement window count.
 */
final class ChurnClients {

	private final InetSocketAddress server;

	private final int concurrency;

	private final long warmupNanos;

	private final long measureNanos;

	private final LongAdder completed = new LongAdder();

	private final LongAdder failures = new LongAdder();

	private final LongAdder started = new LongAdder();

	ChurnClients(InetSocketAddress server, int concurrency, long warmupNanos, long measureNanos) {
		this.server = server;
		this.concurrency = concurrency;
		this.warmupNanos = warmupNanos;
		this.measureNanos = measureNanos;
	}

	/**
	 * Runs the clients and prints {@code churn <completed connections> <failures> <connects started>},
	 * completions counted over the measurement window, connects over the whole run.
	 * @throws Exception if a thread fails
	 */
	void run() throws Exception {
		int threads = Math.min(Runtime.getRuntime().availableProcessors(), this.concurrency);
		SourceAddresses sources = new SourceAddresses();
		long warmupEnd = System.nanoTime() + this.warmupNanos;
		long end = warmupEnd + this.measureNanos;
		MeasurementWindow.announce(warmupEnd, end);
		Thread[] workers = new Thread[threads];
		for (int i = 0; i < threads; i++) {
			int share = this.concurrency / threads + ((i < this.concurrency % threads) ? 1 : 0);
			workers[i] = Thread.ofPlatform().name("churn-client-" + i).start(() -> {
				try {
					runThread(share, sources, warmupEnd, end);
				}
				catch (IOException ex) {
					this.failures.increment();
					System.err.println("churn client thread failed: " + ex);
				}
			});
		}
		for (Thread worker : workers) {
			worker.join();
		}
		System.out.println("churn " + this.completed.sum() + " " + this.failures.sum() + " " + this.started.sum());
	}

	private void runThread(int inFlight, SourceAddresses sources, long warmupEnd, long end) throws IOException {
		ByteBuffer sink = ByteBuffer.allocateDirect(512);
		long count = 0;
		try (Selector selector = Selector.open()) {
			Connector connector = new Connector(selector, this.server, sources);
			int open = 0;
			while (System.nanoTime() < end) {
				while (open < inFlight && startOne(connector, selector)) {
					open++;
				}
				selector.select(100);
				Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
				while (keys.hasNext()) {
					SelectionKey key = keys.next();
					keys.remove();
					SocketChannel channel = (SocketChannel) key.channel();
					boolean finished = false;
					try {
						if (key.isConnectable()) {
							channel.finishConnect();
							key.interestOps(SelectionKey.OP_READ);
						}
						else if (key.isReadable()) {
							sink.clear();
							if (channel.read(sink) < 0) {
								finished = true;
								long now = System.nanoTime();
								if (now >= warmupEnd && now < end) {
									count++;
								}
							}
						}
					}
					catch (IOException ex) {
						this.failures.increment();
						finished = true;
					}
					if (finished) {
						key.cancel();
						channel.close();
						open--;
					}
				}
			}
			for (SelectionKey key : selector.keys()) {
				key.channel().close();
			}
		}
		this.completed.add(count);
	}

	/**
	 * Starts one connection.
	 * @return whether it started; a failure is counted, and the slot tried again after the next
	 * select
	 */
	private boolean startOne(Connector connector, Selector selector) throws IOException {
		this.started.increment();
		SocketChannel channel = connector.start(this.failures);
		if (channel != null && channel.isConnected()) {
			channel.register(selector, SelectionKey.OP_READ);
		}
		return channel != null;
	}

}
