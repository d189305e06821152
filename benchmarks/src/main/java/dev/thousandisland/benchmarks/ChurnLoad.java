package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A connect-read-close load generator, run in its own JVM so that the server under test does not
 * share its threads: {@code ChurnLoad <port> <threads> <seconds>}. Each thread connects, reads
 * until the server closes, and starts over; spreading source addresses over 127.0.0.x keeps
 * ephemeral ports from running short. Prints the number of completed connections, then exits.
 */
public final class ChurnLoad {

	private ChurnLoad() {
	}

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		int threads = Integer.parseInt(args[1]);
		long deadline = System.nanoTime() + Long.parseLong(args[2]) * 1_000_000_000L;
		LongAdder completed = new LongAdder();
		AtomicLong failures = new AtomicLong();
		Thread[] workers = new Thread[threads];
		for (int i = 0; i < threads; i++) {
			InetAddress source = InetAddress.getByAddress(new byte[] { 127, 0, 0, (byte) (2 + i % 200) });
			workers[i] = Thread.ofPlatform().start(() -> {
				byte[] buffer = new byte[256];
				while (System.nanoTime() < deadline) {
					try (Socket socket = new Socket()) {
						socket.setSoTimeout(5000);
						socket.bind(new InetSocketAddress(source, 0));
						socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
						InputStream in = socket.getInputStream();
						while (in.read(buffer) >= 0) {
							// read to the end: the server closes after its line
						}
						completed.increment();
					}
					catch (IOException ex) {
						failures.incrementAndGet();
					}
				}
			});
		}
		for (Thread worker : workers) {
			worker.join();
		}
		System.out.println(completed.sum() + " " + failures.get());
	}

}
