package dev.thousandisland.internal.connection;

import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import dev.thousandisland.ServerConfig;
import dev.thousandisland.ServerInfo;
import dev.thousandisland.framing.FrameTooLargeException;
import dev.thousandisland.framing.FramingException;
import dev.thousandisland.proxy.ProxyHeaderException;

/**
 * The log of the errors a server's clients cause: a frame over the maximum or input that cannot
 * be framed, a PROXY header refused, a failed TLS handshake. A hostile or broken client can cause
 * one per connection, as fast as it can connect, so none is a warning and none carries a stack
 * trace: each is one DEBUG line with the client's address, and at most one INFO line per
 * {@link #SUMMARY_INTERVAL} per server sums them up by kind and says which option to change if
 * such input is in fact valid. The summary names no client: addresses are for the DEBUG lines,
 * where whoever asked for them expects one line per connection. A summary is written by the error that finds the interval over, so
 * errors after the last summary are counted in the next one.
 */
final class PeerErrors {

	/** The least time between two summaries of one server. */
	static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(1);

	private static final System.Logger logger = System.getLogger(PeerErrors.class.getName());

	private final ServerConfig config;

	private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

	/** {@link System#nanoTime()} from which the next summary may be written. */
	private final AtomicLong nextSummary = new AtomicLong(System.nanoTime());

	PeerErrors(ServerConfig config) {
		this.config = config;
	}

	/** A frame over the maximum, or input the framing could not cut into frames. */
	void framing(long connectionId, SocketAddress peer, FramingException error) {
		if (error instanceof FrameTooLargeException tooLarge) {
			record("frame_too_large", connectionId, peer, "a frame of " + Long.toUnsignedString(tooLarge.frameSize())
					+ " bytes or more, over the maximum frame size of " + tooLarge.maxFrameSize() + " bytes");
		}
		else {
			record("framing_error", connectionId, peer, error.getMessage());
		}
	}

	void proxyRefused(long connectionId, SocketAddress peer, ProxyHeaderException error) {
		record("proxy_" + error.reason().telemetryName(), connectionId, peer, error.getMessage());
	}

	void handshakeFailed(long connectionId, SocketAddress peer, Throwable error) {
		record("handshake_failed", connectionId, peer, "TLS handshake failed: " + error);
	}

	private void record(String kind, long connectionId, SocketAddress peer, String detail) {
		if (logger.isLoggable(Level.DEBUG)) {
			String from = (peer != null) ? ServerInfo.format(peer) : "an unknown address";
			logger.log(Level.DEBUG, "Server '" + this.config.name() + "': connection " + connectionId + " from " + from
					+ " ended by the client's error (" + kind + "): " + detail);
		}
		this.counts.computeIfAbsent(kind, (key) -> new LongAdder()).increment();
		long now = System.nanoTime();
		long next = this.nextSummary.get();
		if (now - next >= 0 && this.nextSummary.compareAndSet(next, now + SUMMARY_INTERVAL.toNanos())) {
			summarize();
		}
	}

	private void summarize() {
		Map<String, Long> kinds = new TreeMap<>();
		this.counts.forEach((kind, count) -> {
			long sum = count.sumThenReset();
			if (sum > 0) {
				kinds.put(kind, sum);
			}
		});
		long total = kinds.values().stream().mapToLong(Long::longValue).sum();
		if (total == 0 || !logger.isLoggable(Level.INFO)) {
			return;
		}
		StringJoiner byKind = new StringJoiner(", ");
		kinds.forEach((kind, count) -> byKind.add(kind + " " + count));
		logger.log(Level.INFO, "Server '" + this.config.name() + "': " + total
				+ " connection(s) ended by errors of their clients since the last such line (" + byKind + ")."
				+ hints(kinds) + " At most one such line a minute; each connection is logged at DEBUG by "
				+ PeerErrors.class.getName() + ".");
	}

	private String hints(Map<String, Long> kinds) {
		StringBuilder hints = new StringBuilder();
		if (kinds.containsKey("frame_too_large")) {
			hints.append(" If such frames are valid, raise ").append(this.config.optionName("maxFrameSize")).append('.');
		}
		if (kinds.containsKey("handshake_failed")) {
			hints.append(" A handshake fails on a client that does not speak TLS or trusts no certificate offered, or "
					+ "that takes longer than ")
				.append(this.config.optionName("handshakeTimeout"))
				.append('.');
		}
		if (kinds.containsKey("proxy_untrusted")) {
			hints.append(" PROXY headers are read only from ").append(this.config.optionName("proxyTrustedSources"))
				.append('.');
		}
		return hints.toString();
	}

}
