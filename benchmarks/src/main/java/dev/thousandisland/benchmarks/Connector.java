package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Opens many non-blocking client connections from one selector thread, a bounded number of
 * connects in flight at a time so that the server's accept queue is not flooded, and gives up at
 * a deadline.
 */
final class Connector {

	/** Connects in flight per thread. */
	static final int WINDOW = 128;

	private final Selector selector;

	private final InetSocketAddress server;

	private final SourceAddresses sources;

	Connector(Selector selector, InetSocketAddress server, SourceAddresses sources) {
		this.selector = selector;
		this.server = server;
		this.sources = sources;
	}

	/**
	 * Opens up to {@code count} connections.
	 * @param count how many to open
	 * @param deadline {@link System#nanoTime()} after which to stop trying
	 * @param failures counts connects that failed
	 * @return the connected channels, non-blocking and registered with no selector
	 * @throws IOException if the selector fails
	 */
	List<SocketChannel> open(int count, long deadline, LongAdder failures) throws IOException {
		List<SocketChannel> connected = new ArrayList<>(count);
		int started = 0;
		int pending = 0;
		while ((started < count || pending > 0) && System.nanoTime() < deadline) {
			while (pending < WINDOW && started < count) {
				started++;
				SocketChannel channel = start(failures);
				if (channel != null && channel.isConnected()) {
					connected.add(channel);
				}
				else if (channel != null) {
					pending++;
				}
			}
			this.selector.select(100);
			Iterator<SelectionKey> keys = this.selector.selectedKeys().iterator();
			while (keys.hasNext()) {
				SelectionKey key = keys.next();
				keys.remove();
				SocketChannel channel = (SocketChannel) key.channel();
				key.cancel();
				pending--;
				try {
					channel.finishConnect();
					connected.add(channel);
				}
				catch (IOException ex) {
					failures.increment();
					channel.close();
				}
			}
		}
		for (SelectionKey key : this.selector.keys()) {
			if (key.isValid()) {
				failures.increment();
				key.channel().close();
			}
		}
		this.selector.selectNow();
		return connected;
	}

	/**
	 * Starts one connect: binds the next source address, connects without blocking and registers
	 * for completion unless it completed at once.
	 * @param failures counts a connect that failed at once
	 * @return the channel, connected or connecting; {@code null} if it failed
	 */
	SocketChannel start(LongAdder failures) {
		SocketChannel channel = null;
		try {
			channel = SocketChannel.open();
			channel.configureBlocking(false);
			channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
			channel.bind(this.sources.next());
			if (!channel.connect(this.server)) {
				channel.register(this.selector, SelectionKey.OP_CONNECT);
			}
			return channel;
		}
		catch (IOException ex) {
			failures.increment();
			if (channel != null) {
				try {
					channel.close();
				}
				catch (IOException ignored) {
					// already failing
				}
			}
			return null;
		}
	}

}
