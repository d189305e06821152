package dev.thousandisland.benchmarks;

import java.nio.ByteBuffer;

/**
 * The 64-byte message of the fan-out and cross-instance benchmarks: the publisher's
 * {@link System#nanoTime()} when it broadcast it (Linux's monotonic clock, the same in every JVM
 * on the machine, so a client in another JVM can take the delivery latency), its sequence number,
 * and a filler pattern.
 */
final class FanOutMessage {

	/** The size of every message. */
	static final int SIZE = 64;

	/** Where the sequence number starts. */
	static final int SEQUENCE_OFFSET = 8;

	/** The bytes a receiver needs to read the time stamp and the sequence number. */
	static final int HEADER = 16;

	private FanOutMessage() {
	}

	/**
	 * Returns a new message stamped now.
	 * @param sequence its sequence number
	 * @return the 64 bytes
	 */
	static byte[] stampedNow(long sequence) {
		byte[] message = new byte[SIZE];
		ByteBuffer buffer = ByteBuffer.wrap(message);
		buffer.putLong(System.nanoTime()).putLong(sequence);
		for (int i = HEADER; i < SIZE; i++) {
			message[i] = (byte) ('a' + (i % 26));
		}
		return message;
	}

	/**
	 * Reads the sequence number of a message.
	 * @param message the 64 bytes
	 * @return its sequence number
	 */
	static long sequence(byte[] message) {
		return ByteBuffer.wrap(message).getLong(SEQUENCE_OFFSET);
	}

	/**
	 * Reads the time stamp of a message.
	 * @param message the 64 bytes
	 * @return the publisher's {@code nanoTime} when it was broadcast
	 */
	static long stamp(byte[] message) {
		return ByteBuffer.wrap(message).getLong(0);
	}

}
