package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.Socket;
import dev.thousandisland.pubsub.PubSub;

/**
 * The system under test of the fan-out comparison: a Thousand Island server with its defaults
 * (read timeout off, as in {@link ThousandIslandServer}) whose handler subscribes each connection
 * to one topic of a {@link PubSub} (its defaults: local adapter, drop policy) in
 * {@code handleConnection} and writes each message it is delivered to its socket in
 * {@code handleMessage}. A broadcast is {@link PubSub#broadcast}; it is complete once every
 * subscriber's {@code handleMessage} has sent it, or the PubSub dropped it for that subscriber.
 */
final class ThousandIslandFanOut implements FanOutPeer {

	static final String TOPIC = "fan-out";

	/**
	 * Broadcasts tracked at once; more than the publisher ever has outstanding
	 * ({@link FanOutServer#WINDOW_DELIVERIES}), so a slot is free again before it is reused.
	 */
	private static final int SLOTS = 1 << 16;

	private final PubSub pubsub = PubSub.builder().name("bench").build();

	/** Per broadcast slot: the subscribers that have not yet sent it. */
	private final AtomicIntegerArray remaining = new AtomicIntegerArray(SLOTS);

	private final AtomicReferenceArray<Runnable> done = new AtomicReferenceArray<>(SLOTS);

	private final Server server;

	ThousandIslandFanOut() throws IOException {
		this.server = ServerConfig.builder(new Subscriber())
			.name("bench-fan-out")
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.readTimeout(ServerConfig.NO_TIMEOUT)
			.start();
	}

	@Override
	public int port() {
		return this.server.port();
	}

	@Override
	public String description() {
		ServerConfig config = this.server.config();
		return "thousand-island (PubSub.broadcast, local adapter, " + config.numPollers() + " poller(s), "
				+ "hibernateAfter " + config.hibernateAfter() + ", mailbox " + config.mailboxCapacity() + ")";
	}

	@Override
	public int subscribers() {
		return this.pubsub.subscriberCount(TOPIC);
	}

	@Override
	public void broadcast(byte[] message, Runnable whenDone) {
		int slot = slot(FanOutMessage.sequence(message));
		int expected = subscribers();
		this.done.set(slot, whenDone);
		// Counted before the broadcast: a subscriber may send it before broadcast() returns.
		this.remaining.set(slot, expected + 1);
		int delivered = this.pubsub.broadcast(TOPIC, message);
		// What the PubSub did not put in a mailbox (dropped, or a subscriber gone) is done now,
		// and so is the publisher's own hold on the slot.
		sent(slot, expected - delivered + 1);
	}

	private void sent(int slot, int count) {
		if (count > 0 && this.remaining.addAndGet(slot, -count) == 0) {
			this.done.getAndSet(slot, null).run();
		}
	}

	private static int slot(long sequence) {
		return (int) (sequence & (SLOTS - 1));
	}

	@Override
	public void stop() {
		this.server.stop();
		this.pubsub.close();
	}

	/** Subscribes each connection, and writes every message it is delivered. */
	final class Subscriber implements Handler<Void> {

		@Override
		public Result<Void> handleConnection(Socket socket, Void state) {
			ThousandIslandFanOut.this.pubsub.subscribe(socket.connection(), TOPIC);
			return Result.continueWith(state);
		}

		@Override
		public Result<Void> handleMessage(Object message, Socket socket, Void state) {
			byte[] bytes = (byte[]) message;
			long sequence = FanOutMessage.sequence(bytes);
			try {
				socket.send(bytes);
				return Result.continueWith(state);
			}
			catch (IOException ex) {
				// The client has gone: as a real subscriber would, end quietly.
				return Result.close(state);
			}
			finally {
				sent(slot(sequence), 1);
			}
		}

	}

}
