package dev.thousandisland.telemetry;

import java.util.Map;

/**
 * One telemetry event. Every event belongs to a {@link Span}: the listener, an acceptor, a
 * connection, or a span a handler opened itself with {@link Span#startChild}.
 *
 * <p>The name is {@code <span kind>.<event>}, mirroring Thousand Island's
 * {@code [:thousand_island, kind, event]}. Measurement and metadata keys keep Thousand Island's
 * names. Every span emits exactly one {@code start} and exactly one {@code stop} or
 * {@code exception}, whatever path ends it. Stop and exception events carry {@code duration}
 * (nanoseconds) and the start metadata, plus {@code error} in metadata when the span ended badly.
 *
 * <table>
 * <caption>Events emitted by a server</caption>
 * <tr><th>name</th><th>measurements</th><th>metadata (besides the span's own)</th></tr>
 * <tr><td>listener.start</td><td>-</td><td>local_address, local_port or unix_path, transport</td></tr>
 * <tr><td>listener.stop</td><td>duration</td><td>-</td></tr>
 * <tr><td>acceptor.start</td><td>-</td><td>acceptor_id</td></tr>
 * <tr><td>acceptor.stop</td><td>duration, connections</td><td>error when it died</td></tr>
 * <tr><td>acceptor.spawn_error</td><td>-</td><td>error ({@code too_many_connections}, or the exception)</td></tr>
 * <tr><td>acceptor.econnaborted</td><td>-</td><td>error</td></tr>
 * <tr><td>acceptor.einval</td><td>-</td><td>error</td></tr>
 * <tr><td>acceptor.accept_error</td><td>-</td><td>error</td></tr>
 * <tr><td>acceptor.emfile</td><td>-</td><td>error ({@code emfile} or {@code enfile})</td></tr>
 * <tr><td>connection.start</td><td>- (monotonic_time is the accept time)</td><td>remote_address, remote_port or unix_path</td></tr>
 * <tr><td>connection.ready</td><td>-</td><td>after the transport handshake succeeded</td></tr>
 * <tr><td>connection.async_recv</td><td>bytes</td><td>data read by the framework for handleData</td></tr>
 * <tr><td>connection.recv</td><td>bytes</td><td>data read by {@code Socket.recv}</td></tr>
 * <tr><td>connection.recv_error</td><td>-</td><td>error</td></tr>
 * <tr><td>connection.send</td><td>bytes</td><td>-</td></tr>
 * <tr><td>connection.send_error</td><td>bytes</td><td>error</td></tr>
 * <tr><td>connection.sendfile</td><td>offset, bytes_written</td><td>filename</td></tr>
 * <tr><td>connection.sendfile_error</td><td>offset, length</td><td>filename, error</td></tr>
 * <tr><td>connection.socket_shutdown</td><td>-</td><td>way ({@code read}, {@code write}, {@code read_write})</td></tr>
 * <tr><td>connection.frame_too_large</td><td>frame_size, max_frame_size</td><td>reason ({@code frame_too_large}):
 * a framed handler's client sent a frame over the maximum; the connection ends in error</td></tr>
 * <tr><td>connection.stop</td><td>duration, send_oct, send_cnt, recv_oct, recv_cnt</td><td>error unless closed cleanly</td></tr>
 * <tr><td>connection.exception</td><td>duration, send_oct, send_cnt, recv_oct, recv_cnt</td><td>exception, error</td></tr>
 * </table>
 *
 * <table>
 * <caption>Events emitted by a client connection ({@code dev.thousandisland.client})</caption>
 * <tr><th>name</th><th>measurements</th><th>metadata (besides the span's own)</th></tr>
 * <tr><td>client.start</td><td>-</td><td>name, address, transport ({@code start()} was called)</td></tr>
 * <tr><td>client.connect</td><td>duration (of the attempt)</td><td>kind ({@code first}, {@code reconnect}), attempt</td></tr>
 * <tr><td>client.connect_failed</td><td>duration (of the attempt)</td><td>error, attempt</td></tr>
 * <tr><td>client.backoff</td><td>delay (ns before the next attempt)</td><td>attempt</td></tr>
 * <tr><td>client.disconnect</td><td>-</td><td>reason ({@code peer_closed}, {@code protocol_error},
 * {@code request_timeout}, {@code socket_error}, {@code idle_check_failed}, {@code stopped}), error</td></tr>
 * <tr><td>client.stop</td><td>duration</td><td>- (the client's thread ended)</td></tr>
 * <tr><td>client_request.start</td><td>-</td><td>name (only while a listener is attached)</td></tr>
 * <tr><td>client_request.stop</td><td>duration, reply_bytes</td><td>-</td></tr>
 * <tr><td>client_request.exception</td><td>duration</td><td>exception, error (no reply: why)</td></tr>
 * </table>
 *
 * <table>
 * <caption>Events emitted by a {@link dev.thousandisland.pubsub.PubSub}</caption>
 * <tr><th>name</th><th>measurements</th><th>metadata (besides the span's own: name, node, adapter)</th></tr>
 * <tr><td>pubsub.start</td><td>-</td><td>name, node, adapter (the PubSub was built)</td></tr>
 * <tr><td>pubsub.stop</td><td>duration</td><td>- (the PubSub was closed)</td></tr>
 * <tr><td>pubsub.subscribe</td><td>-</td><td>topic, connection_id</td></tr>
 * <tr><td>pubsub.unsubscribe</td><td>-</td><td>topic, connection_id, reason ({@code unsubscribe}, {@code connection_end})</td></tr>
 * <tr><td>pubsub.broadcast</td><td>subscribers, delivered, dropped, published</td><td>topic, scope ({@code cluster}, {@code local})</td></tr>
 * <tr><td>pubsub.deliver</td><td>subscribers, delivered, dropped</td><td>topic (a broadcast of another instance)</td></tr>
 * <tr><td>pubsub.drop</td><td>count</td><td>topic, reason ({@code mailbox_full}, {@code closed_slow_subscriber},
 * {@code decode_failed}, or the adapter's reason)</td></tr>
 * <tr><td>pubsub.adapter_down</td><td>-</td><td>error</td></tr>
 * <tr><td>pubsub.adapter_up</td><td>lost</td><td>-</td></tr>
 * </table>
 *
 * <p>With {@code telemetryPayloads} enabled, {@code async_recv}, {@code recv} and {@code send}
 * also carry {@code data}: a copy of the bytes as a {@code byte[]}. It is off by default because
 * copying every payload is expensive.
 *
 * @param name the event name, such as {@code connection.stop}
 * @param span the span the event belongs to
 * @param monotonicTime {@link System#nanoTime()} when the event happened
 * @param measurements numeric measurements, keyed by Thousand Island's names
 * @param metadata descriptive metadata, keyed by Thousand Island's names
 */
public record TelemetryEvent(String name, Span span, long monotonicTime, Map<String, Object> measurements,
		Map<String, Object> metadata) {

	/** The listener bound its listen sockets. */
	public static final String LISTENER_START = "listener.start";

	/** The listener closed its listen sockets (stop or suspend). */
	public static final String LISTENER_STOP = "listener.stop";

	/** An acceptor started its accept loop. */
	public static final String ACCEPTOR_START = "acceptor.start";

	/** An acceptor left its accept loop. */
	public static final String ACCEPTOR_STOP = "acceptor.stop";

	/** A connection could not be started: the limit stayed full, or starting it failed. */
	public static final String ACCEPTOR_SPAWN_ERROR = "acceptor.spawn_error";

	/** accept(2) failed with ECONNABORTED; the acceptor carries on. */
	public static final String ACCEPTOR_ECONNABORTED = "acceptor.econnaborted";

	/** accept(2) failed with EINVAL; the acceptor carries on. */
	public static final String ACCEPTOR_EINVAL = "acceptor.einval";

	/** accept(2) failed with a transient error; the acceptor carries on. */
	public static final String ACCEPTOR_ACCEPT_ERROR = "acceptor.accept_error";

	/** accept(2) failed for lack of file descriptors; the acceptor backs off 100 ms. */
	public static final String ACCEPTOR_EMFILE = "acceptor.emfile";

	/** A connection was accepted and its thread started. */
	public static final String CONNECTION_START = "connection.start";

	/** The transport handshake finished; the handler is about to see the connection. */
	public static final String CONNECTION_READY = "connection.ready";

	/** The framework read data that it hands to {@code handleData}. */
	public static final String CONNECTION_ASYNC_RECV = "connection.async_recv";

	/** {@code Socket.recv} returned data. */
	public static final String CONNECTION_RECV = "connection.recv";

	/** {@code Socket.recv} failed (including a timeout). */
	public static final String CONNECTION_RECV_ERROR = "connection.recv_error";

	/** {@code Socket.send} wrote data. */
	public static final String CONNECTION_SEND = "connection.send";

	/** {@code Socket.send} failed. */
	public static final String CONNECTION_SEND_ERROR = "connection.send_error";

	/** {@code Socket.sendfile} wrote a file range. */
	public static final String CONNECTION_SENDFILE = "connection.sendfile";

	/** {@code Socket.sendfile} failed. */
	public static final String CONNECTION_SENDFILE_ERROR = "connection.sendfile_error";

	/** {@code Socket.shutdown} half-closed the socket. */
	public static final String CONNECTION_SOCKET_SHUTDOWN = "connection.socket_shutdown";

	/**
	 * A framed handler's client sent or announced a frame over the framing's maximum; the
	 * connection ends with a {@code FrameTooLargeException}.
	 */
	public static final String CONNECTION_FRAME_TOO_LARGE = "connection.frame_too_large";

	/** The connection ended. */
	public static final String CONNECTION_STOP = "connection.stop";

	/** The connection ended because a handler callback threw; replaces {@code stop}. */
	public static final String CONNECTION_EXCEPTION = "connection.exception";

	/** A client connection was started: its span begins. */
	public static final String CLIENT_START = "client.start";

	/** A client connected (TCP and transport handshake) to its server. */
	public static final String CLIENT_CONNECT = "client.connect";

	/** A client's connect attempt failed: refused, timed out, or its handshake failed. */
	public static final String CLIENT_CONNECT_FAILED = "client.connect_failed";

	/** A client waits before its next connect attempt; {@code delay} says how long. */
	public static final String CLIENT_BACKOFF = "client.backoff";

	/** A client's connection ended; {@code reason} says why. */
	public static final String CLIENT_DISCONNECT = "client.disconnect";

	/**
	 * The reply to a request that had already timed out came and was discarded
	 * ({@code onRequestTimeout} {@code DISCARD_LATE_REPLY}).
	 */
	public static final String CLIENT_LATE_REPLY = "client.late_reply";

	/** A client stopped (or gave up): its span ends. */
	public static final String CLIENT_STOP = "client.stop";

	/** A request was made on a client. */
	public static final String CLIENT_REQUEST_START = "client_request.start";

	/** A request got its reply. */
	public static final String CLIENT_REQUEST_STOP = "client_request.stop";

	/** A request failed: not connected, queue full, connection lost or timed out. */
	public static final String CLIENT_REQUEST_EXCEPTION = "client_request.exception";

	/** A PubSub was built: its span begins. */
	public static final String PUBSUB_START = "pubsub.start";

	/** A PubSub was closed: its span ends. */
	public static final String PUBSUB_STOP = "pubsub.stop";

	/** A connection subscribed to a topic. */
	public static final String PUBSUB_SUBSCRIBE = "pubsub.subscribe";

	/** A connection left a topic; {@code reason} says whether it unsubscribed or ended. */
	public static final String PUBSUB_UNSUBSCRIBE = "pubsub.unsubscribe";

	/** A broadcast was made on this instance; the measurements say how local delivery went. */
	public static final String PUBSUB_BROADCAST = "pubsub.broadcast";

	/** A broadcast of another instance was delivered to this instance's subscribers. */
	public static final String PUBSUB_DELIVER = "pubsub.deliver";

	/** Messages were not delivered; {@code reason} says why and {@code count} how many. */
	public static final String PUBSUB_DROP = "pubsub.drop";

	/** A PubSub adapter's transport failed; logged once until it is back. */
	public static final String PUBSUB_ADAPTER_DOWN = "pubsub.adapter_down";

	/** A PubSub adapter's transport is back; {@code lost} says how many messages were lost meanwhile. */
	public static final String PUBSUB_ADAPTER_UP = "pubsub.adapter_up";

	/**
	 * Returns a measurement as a {@code long}.
	 * @param key the measurement name
	 * @return its value, or 0 when the event has no such measurement
	 */
	public long measurement(String key) {
		return (this.measurements.get(key) instanceof Number number) ? number.longValue() : 0;
	}

}
