package dev.thousandisland.internal.connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import dev.thousandisland.DataBuffers;
import dev.thousandisland.Handler;
import dev.thousandisland.ServerConfig;

/**
 * Reads the bytes a connection hands to {@link Handler#handleData}, in the form
 * {@link ServerConfig#dataBuffers()} asks for, and takes the buffer back after the callback. One
 * per server, shared by its connections; it keeps no state of its own between calls.
 */
final class DataReader {

	private final DataBuffers mode;

	private final BufferPool pool;

	DataReader(DataBuffers mode, BufferPool pool) {
		this.mode = mode;
		this.pool = pool;
	}

	/**
	 * Reads what has arrived, without waiting. Owner thread of the connection only.
	 * @param socket the connection's socket
	 * @return the bytes for the handler, {@link Received#NOTHING} or {@link Received#END_OF_STREAM}
	 * @throws IOException if the read fails
	 */
	Received read(ConnectionSocket socket) throws IOException {
		// Under LENT_CHECKED every read gets memory no other read ever used or will use, so that
		// even a handler that breaks the lending contract sees only its own bytes (then poison).
		ByteBuffer buffer = (this.mode == DataBuffers.LENT_CHECKED) ? ByteBuffer.allocate(this.pool.bufferSize())
				: this.pool.take();
		boolean lent = false;
		try {
			int read = socket.readForHandler(buffer);
			if (read < 0) {
				return Received.END_OF_STREAM;
			}
			if (read == 0) {
				return Received.NOTHING;
			}
			boolean filled = !buffer.hasRemaining();
			buffer.flip();
			if (this.mode == DataBuffers.OWNED) {
				// A right-sized copy: nothing the framework reuses is reachable from it.
				return new Received(ByteBuffer.allocate(read).put(buffer).flip(), filled);
			}
			lent = true;
			return new Received(buffer, filled);
		}
		finally {
			if (!lent && this.mode != DataBuffers.LENT_CHECKED) {
				this.pool.give(buffer);
			}
		}
	}

	/**
	 * Takes back what {@link #read} gave, once the callback has returned.
	 * @param data the buffer of a {@link Received} with data
	 */
	void giveBack(ByteBuffer data) {
		switch (this.mode) {
			case OWNED -> {
				// The handler's own: nothing to take back.
			}
			case LENT -> this.pool.give(data);
			case LENT_CHECKED -> poison(data);
		}
	}

	/**
	 * The outcome of one read.
	 * @param data the bytes for the handler, ready to read; empty for the two constants
	 * @param filled whether the read filled its buffer, so that more may be waiting
	 */
	record Received(ByteBuffer data, boolean filled) {

		/** Nothing had arrived. */
		static final Received NOTHING = new Received(ByteBuffer.allocate(0), false);

		/** The client closed its side. */
		static final Received END_OF_STREAM = new Received(ByteBuffer.allocate(0), false);

	}

	/** Fills a lent buffer's memory with {@link #DataBuffers.POISON} and empties the buffer object itself. */
	private static void poison(ByteBuffer lent) {
		lent.clear();
		if (lent.hasArray()) {
			Arrays.fill(lent.array(), lent.arrayOffset(), lent.arrayOffset() + lent.capacity(), DataBuffers.POISON);
		}
		else {
			while (lent.hasRemaining()) {
				lent.put(DataBuffers.POISON);
			}
		}
		lent.clear().limit(0);
	}

}
