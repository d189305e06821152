package dev.thousandisland.internal.proxy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.transport.Readiness;

/**
 * Readiness from a selector of the test's own (with one socket registered for reading), standing
 * in for the server's poller.
 */
record SelectorReadiness(Selector selector) implements Readiness {

	@Override
	public void awaitReadable(long deadline) throws IOException {
		long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
		if (remaining <= 0) {
			throw new SocketTimeoutException("deadline passed");
		}
		this.selector.select(remaining);
		this.selector.selectedKeys().clear();
	}

	@Override
	public void awaitWritable(long deadline) {
		throw new UnsupportedOperationException("the header reader only reads");
	}

}
