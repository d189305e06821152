package dev.thousandisland.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The server JVM of {@link PubSubFanOutBenchmark}: {@code FanOutServer <thousand-island|netty-epoll>}
 * starts a {@link FanOutPeer}, prints {@code ready <port> <description>} and answers one command a
 * line on standard input:
 * <ul>
 * <li>{@code wait <n>}: waits (at most two minutes) until {@code n} connections receive
 * broadcasts, then prints {@code subscribed <count>};
 * <li>{@code publish <ms>}: starts the publisher, one platform thread broadcasting 64-byte
 * messages ({@link FanOutMessage}) back to back for that long, and prints
 * {@code published <broadcasts> <stalled>} when it ends ({@code stalled} is 1 if a broadcast
 * never completed);
 * <li>{@code cpu}: prints {@code cpu <process CPU nanoseconds>} ({@link ServerCpu});
 * <li>{@code stop} (or the end of input): stops the server and exits.
 * </ul>
 *
 * <p>The publisher never has more than {@link #WINDOW_DELIVERIES} deliveries outstanding
 * (broadcasts not yet written to every subscriber's socket, rounded to whole broadcasts, at least
 * one): without such a window a publisher faster than the sockets only fills memory, with
 * Netty's outbound buffers or with Thousand Island's mailboxes (which then drop). Both peers get
 * the same window, and the broadcast's completion is the peer's own: Netty's group future, or
 * every subscriber's {@code handleMessage} having sent it.
 */
public final class FanOutServer {

	/** Deliveries the publisher may have outstanding. */
	static final int WINDOW_DELIVERIES = 32_768;

	private FanOutServer() {
	}

	public static void main(String[] args) throws Exception {
		LifetimeLimit.haltAfter(Duration.ofMinutes(10), "FanOutServer");
		FanOutPeer peer = switch (Peer.of(args[0])) {
			case THOUSAND_ISLAND -> new ThousandIslandFanOut();
			case NETTY_EPOLL -> new NettyFanOut();
			default -> throw new IllegalArgumentException("No fan-out peer '" + args[0] + "'");
		};
		System.out.println("ready " + peer.port() + " " + peer.description());
		System.out.flush();
		BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String command;
		while ((command = commands.readLine()) != null) {
			String[] words = command.trim().split(" ");
			switch (words[0]) {
				case "wait" -> {
					int expected = Integer.parseInt(words[1]);
					long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
					while (peer.subscribers() < expected && System.nanoTime() - deadline < 0) {
						Thread.sleep(20);
					}
					System.out.println("subscribed " + peer.subscribers());
				}
				case "publish" -> {
					long millis = Long.parseLong(words[1]);
					Thread.ofPlatform().name("publisher").start(() -> publish(peer, millis));
				}
				case "cpu" -> System.out.println("cpu " + ServerCpu.ofThisProcess());
				case "stop" -> {
					peer.stop();
					System.exit(0);
				}
				default -> System.out.println("error unknown command '" + command + "'");
			}
			System.out.flush();
		}
		peer.stop();
		System.exit(0);
	}

	private static void publish(FanOutPeer peer, long millis) {
		int window = Math.max(1, WINDOW_DELIVERIES / Math.max(1, peer.subscribers()));
		Semaphore permits = new Semaphore(window);
		long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
		long sequence = 0;
		int stalled = 0;
		try {
			while (System.nanoTime() - end < 0) {
				if (!permits.tryAcquire(10, TimeUnit.SECONDS)) {
					stalled = 1;
					break;
				}
				peer.broadcast(FanOutMessage.stampedNow(sequence++), permits::release);
			}
			// Every broadcast written before the publisher says it is done, so that stopping the
			// server afterwards meets no message still on its way.
			if (stalled == 0 && !permits.tryAcquire(window, 10, TimeUnit.SECONDS)) {
				stalled = 1;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		synchronized (System.out) {
			System.out.println("published " + sequence + " " + stalled);
			System.out.flush();
		}
	}

}
