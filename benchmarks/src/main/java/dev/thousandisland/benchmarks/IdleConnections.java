package dev.thousandisland.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Idle client connections: opens a number of connections that send nothing, spread over one
 * selector thread per core and over 127.0.0.x source addresses, then holds them and watches for
 * the server closing them.
 *
 * <p>Prints {@code connected <open> <failures>} once every connect has finished, then
 * {@code closed <closed by the server> <open> <nanoTime of the last close seen>} when the server
 * has closed them all, when a {@code close} line or the end of standard input asks it to close its
 * own end, or when the hold time passes. {@link System#nanoTime()} is the system's monotonic clock
 * on Linux, the same in every process, so the last close can be compared with the server's time
 * of {@code stop()}.
 */
final class IdleConnections {

	private final InetSocketAddress server;

	private final int count;

	private final long holdNanos;

	private final LongAdder opened = new LongAdder();

	private final LongAdder closedByServer = new LongAdder();

	private final LongAdder failures = new LongAdder();

	private final AtomicLong lastClose = new AtomicLong(Long.MIN_VALUE);

	private volatile boolean closing;

	IdleConnections(InetSocketAddress server, int count, long holdNanos) {
		this.server = server;
		this.count = count;
		this.holdNanos = holdNanos;
	}

	/**
	 * Opens, holds and reports.
	 * @throws Exception if a thread fails
	 */
	void run() throws Exception {
		int threads = Math.min(Runtime.getRuntime().availableProcessors(), this.count);
		SourceAddresses sources = new SourceAddresses();
		CountDownLatch connected = new CountDownLatch(threads);
		long holdEnd = System.nanoTime() + this.holdNanos;
		Selector[] selectors = new Selector[threads];
		Thread[] workers = new Thread[threads];
		for (int i = 0; i < threads; i++) {
			int share = this.count / threads + ((i < this.count % threads) ? 1 : 0);
			selectors[i] = Selector.open();
			Selector selector = selectors[i];
			AtomicBoolean reported = new AtomicBoolean();
			Runnable reportConnected = () -> {
				if (reported.compareAndSet(false, true)) {
					connected.countDown();
				}
			};
			workers[i] = Thread.ofPlatform().name("idle-client-" + i).start(() -> {
				try {
					runThread(selector, share, sources, reportConnected, holdEnd);
				}
				catch (IOException ex) {
					this.failures.increment();
					System.err.println("idle client thread failed: " + ex);
				}
				finally {
					reportConnected.run();
				}
			});
		}
		connected.await(3, TimeUnit.MINUTES);
		System.out.println("connected " + this.opened.sum() + " " + this.failures.sum());
		System.out.flush();
		Thread.ofPlatform().daemon().name("idle-commands").start(() -> {
			try (BufferedReader commands = new BufferedReader(
					new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
				String line;
				while ((line = commands.readLine()) != null && !line.trim().equals("close")) {
					// only "close" means anything
				}
			}
			catch (IOException ex) {
				// treat as the end of input
			}
			this.closing = true;
			for (Selector selector : selectors) {
				selector.wakeup();
			}
		});
		for (Thread worker : workers) {
			worker.join();
		}
		System.out.println("closed " + this.closedByServer.sum() + " " + this.opened.sum() + " " + this.lastClose.get());
	}

	private void runThread(Selector selector, int share, SourceAddresses sources, Runnable reportConnected,
			long holdEnd) throws IOException {
		try (selector) {
			List<SocketChannel> channels = new Connector(selector, this.server, sources)
				.open(share, System.nanoTime() + TimeUnit.MINUTES.toNanos(2), this.failures);
			for (SocketChannel channel : channels) {
				channel.register(selector, SelectionKey.OP_READ);
			}
			this.opened.add(channels.size());
			reportConnected.run();
			ByteBuffer sink = ByteBuffer.allocateDirect(512);
			while (!this.closing && !selector.keys().isEmpty() && System.nanoTime() < holdEnd) {
				selector.select(100);
				Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
				while (keys.hasNext()) {
					SelectionKey key = keys.next();
					keys.remove();
					boolean closed;
					try {
						sink.clear();
						closed = ((SocketChannel) key.channel()).read(sink) < 0;
					}
					catch (IOException ex) {
						closed = true;
					}
					if (closed) {
						this.closedByServer.increment();
						this.lastClose.accumulateAndGet(System.nanoTime(), Math::max);
						key.cancel();
						key.channel().close();
					}
				}
			}
			for (SelectionKey key : selector.keys()) {
				key.channel().close();
			}
		}
	}

}
