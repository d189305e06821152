package dev.thousandisland;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What one client of the lifecycle stress test does, chosen from the run's seed alone (never from
 * timing), so that a seed always names the same operations.
 *
 * @param tag the client's tag, carried by every frame of its connection
 * @param keepsSlices whether the server's handler keeps a partial frame as a slice of the buffer
 * {@code handleData} received rather than as a copy (the most natural code to write)
 * @param startDelayMillis when the client connects, from the start of the round
 * @param ops what it does once connected, the last one ending the connection
 */
record StressScript(int tag, boolean keepsSlices, int startDelayMillis, List<Op> ops) {

	/** What a client can do on its connection. */
	enum Type {

		/** One frame echoed by handleData. */
		ECHO(false),
		/** One frame written in two parts, so that handleData sees a partial frame first. */
		SPLIT_ECHO(false),
		/** Several frames in one write, so that handleData sees several at once. */
		BURST(false),
		/** handleData calls {@code Socket.recv} for the next frame inside the callback. */
		RECV_NEXT(false),
		/** Another thread sends frames with {@code Socket.send}. */
		PUSH(false),
		/** Another thread {@code tell}s the connection; handleMessage answers. */
		TELL(false),
		/** The client says nothing for a while: the connection may hibernate. */
		PAUSE(false),
		/** STARTTLS, with another thread sending while the handshake runs. */
		STARTTLS(false),
		/** Another thread calls {@code Connection.close()}. */
		OUTSIDE_CLOSE(true),
		/** Another thread calls {@code Socket.close()}. */
		OUTSIDE_SOCKET_CLOSE(true),
		/** The client stops reading while another thread sends: the send times out. */
		FLOOD(true),
		/** The client goes silent: the read deadline set by the result passes. */
		IDLE(true),
		/** handleData calls {@code Socket.recv} and nothing comes: its timeout passes. */
		RECV_TIMEOUT(true),
		/** handleData returns {@code Result.close}. */
		CLOSE_REQUEST(true),
		/** handleData throws an exception, or (argument 1) an {@link Error}. */
		FAIL(true),
		/** The client closes its socket. */
		CLIENT_CLOSE(true),
		/** The client waits until the server stops. */
		LINGER(true);

		final boolean ends;

		Type(boolean ends) {
			this.ends = ends;
		}

	}

	/**
	 * One operation.
	 * @param type what
	 * @param argument how much or how long, depending on the type
	 */
	record Op(Type type, int argument) {

		@Override
		public String toString() {
			return this.type + "(" + this.argument + ")";
		}

	}

	private static final Type[] MIDDLE = { Type.ECHO, Type.SPLIT_ECHO, Type.BURST, Type.RECV_NEXT, Type.PUSH,
			Type.TELL, Type.PAUSE, Type.STARTTLS };

	private static final Type[] ENDINGS = { Type.OUTSIDE_CLOSE, Type.OUTSIDE_SOCKET_CLOSE, Type.FLOOD, Type.IDLE,
			Type.RECV_TIMEOUT, Type.CLOSE_REQUEST, Type.FAIL, Type.CLIENT_CLOSE, Type.LINGER, Type.LINGER };

	/**
	 * Chooses a client's script.
	 * @param random a generator seeded for this client alone
	 * @param tag the client's tag
	 * @param secure whether the server speaks TLS from the start (no STARTTLS then)
	 * @param roundMillis how long the round runs before its server stops
	 */
	static StressScript generate(Random random, int tag, boolean secure, int roundMillis) {
		boolean keepsSlices = random.nextBoolean();
		// Over the whole round, and for some clients in its last few milliseconds, so that
		// connections are being opened while the server stops.
		int startDelay = (random.nextInt(5) == 0) ? Math.max(0, roundMillis - 1 - random.nextInt(30))
				: random.nextInt(Math.max(1, roundMillis));
		List<Op> ops = new ArrayList<>();
		int middle = 1 + random.nextInt(6);
		boolean upgraded = secure;
		for (int i = 0; i < middle; i++) {
			Type type = MIDDLE[random.nextInt(MIDDLE.length)];
			if (type == Type.STARTTLS && upgraded) {
				type = Type.ECHO;
			}
			upgraded |= type == Type.STARTTLS;
			ops.add(new Op(type, argument(type, random)));
		}
		Type ending = ENDINGS[random.nextInt(ENDINGS.length)];
		ops.add(new Op(ending, argument(ending, random)));
		return new StressScript(tag, keepsSlices, startDelay, List.copyOf(ops));
	}

	private static int argument(Type type, Random random) {
		return switch (type) {
			case ECHO, SPLIT_ECHO -> random.nextInt(2 * StressFrame.HEADER + 1) * ((random.nextInt(4) == 0) ? 300 : 1);
			case BURST -> 2 + random.nextInt(8);
			case PUSH, TELL -> 1 + random.nextInt(20);
			case PAUSE -> 10 + random.nextInt(150);
			case STARTTLS -> random.nextInt(3) * 5;
			case IDLE, RECV_TIMEOUT -> 50 + random.nextInt(200);
			case OUTSIDE_CLOSE, OUTSIDE_SOCKET_CLOSE -> random.nextInt(20);
			case FAIL -> random.nextInt(2);
			default -> 0;
		};
	}

}
