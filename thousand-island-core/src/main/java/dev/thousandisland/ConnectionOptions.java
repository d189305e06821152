package dev.thousandisland;

import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import dev.thousandisland.proxy.ProxyProtocolMode;
import dev.thousandisland.proxy.ProxyTrustedSources;
import dev.thousandisland.telemetry.TelemetryListener;

/**
 * The options of every connection, and of logging and telemetry, as {@link ServerConfig.Builder}
 * sets them: the "Connections" and "Logging and telemetry" sections of
 * {@code docs/configuration.md}. Each setter documents its option once: meaning, default, bounds
 * and Thousand Island's name. Values are checked when the configuration is built, not here.
 *
 * <p>Package-private and sealed for the reason {@link ListeningOptions} gives.
 */
abstract sealed class ConnectionOptions extends ListeningOptions permits ServerConfig.Builder {

	Duration readTimeout = Duration.ofSeconds(60);

	Duration handshakeTimeout = Duration.ofSeconds(5);

	Duration sendTimeout = Duration.ofSeconds(30);

	Duration shutdownTimeout = Duration.ofSeconds(15);

	Duration hibernateAfter = Duration.ZERO;

	boolean tcpNoDelay = true;

	final Map<SocketOption<?>, Object> socketOptions = new LinkedHashMap<>();

	DataBuffers dataBuffers = DataBuffers.OWNED;

	int readBufferPoolSize = 64;

	int mailboxCapacity = ServerConfig.DEFAULT_MAILBOX_CAPACITY;

	int numPollers = Runtime.getRuntime().availableProcessors();

	boolean callbacksOnPoller;

	Duration pollerCallbackLimit = ServerConfig.DEFAULT_POLLER_CALLBACK_LIMIT;

	boolean silentTerminateOnError;

	Function<String, String> optionNames;

	final List<TelemetryListener> telemetryListeners = new ArrayList<>();

	boolean telemetryPayloads;

	ProxyProtocolMode proxyProtocol = ProxyProtocolMode.OFF;

	List<String> proxyTrustedSources = ProxyTrustedSources.loopback().sources();

	Duration proxyHeaderTimeout;

	ConnectionOptions(Handler<?> handler) {
		super(handler);
	}

	ConnectionOptions(ServerOptions from) {
		super(from);
		this.readTimeout = from.readTimeout();
		this.handshakeTimeout = from.handshakeTimeout();
		this.sendTimeout = from.sendTimeout();
		this.shutdownTimeout = from.shutdownTimeout();
		this.hibernateAfter = from.hibernateAfter();
		this.tcpNoDelay = from.tcpNoDelay();
		this.socketOptions.putAll(from.socketOptions());
		this.dataBuffers = from.dataBuffers();
		this.readBufferPoolSize = from.readBufferPoolSize();
		this.mailboxCapacity = from.mailboxCapacity();
		this.numPollers = from.numPollers();
		this.callbacksOnPoller = from.callbacksOnPoller();
		this.pollerCallbackLimit = from.pollerCallbackLimit();
		this.silentTerminateOnError = from.silentTerminateOnError();
		this.optionNames = from.optionNames();
		this.telemetryListeners.addAll(from.telemetryListeners());
		this.telemetryPayloads = from.telemetryPayloads();
		this.proxyProtocol = from.proxyProtocol();
		this.proxyTrustedSources = from.proxyTrustedSources().sources();
		this.proxyHeaderTimeout = from.proxyHeaderTimeout();
	}

	/**
	 * Sets how long a connection may wait for data between callbacks before
	 * {@link Handler#handleTimeout} runs; also the default timeout of {@link Socket#recv(int)}.
	 * Default 60 s, not negative; {@link ServerConfig#NO_TIMEOUT} waits forever. Thousand Island's
	 * {@code read_timeout}.
	 * @param readTimeout the timeout
	 * @return this builder
	 */
	public ServerConfig.Builder readTimeout(Duration readTimeout) {
		this.readTimeout = readTimeout;
		return self();
	}

	/**
	 * Sets how long the transport (TLS) handshake may take before the connection is closed.
	 * Default 5 s, not negative. Thousand Island's {@code handshake_timeout}.
	 * @param handshakeTimeout the timeout
	 * @return this builder
	 */
	public ServerConfig.Builder handshakeTimeout(Duration handshakeTimeout) {
		this.handshakeTimeout = handshakeTimeout;
		return self();
	}

	/**
	 * Sets how long a send may make no progress before the connection is closed. Default 30 s,
	 * not negative. Thousand Island's {@code send_timeout} transport option.
	 * @param sendTimeout the timeout
	 * @return this builder
	 */
	public ServerConfig.Builder sendTimeout(Duration sendTimeout) {
		this.sendTimeout = sendTimeout;
		return self();
	}

	/**
	 * Sets how long a stopping server lets its connections finish before it closes them.
	 * Default 15 s, not negative. Thousand Island's {@code shutdown_timeout}.
	 * @param shutdownTimeout the timeout
	 * @return this builder
	 */
	public ServerConfig.Builder shutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
		return self();
	}

	/**
	 * Sets how long a connection waits with nothing to do before it hibernates: its virtual
	 * thread ends, and a new one (with the same name) takes over with its state when data, a told
	 * message, its read deadline or shutdown comes. Callbacks never overlap either way, but thread
	 * identity and {@code ThreadLocal}s (an MDC set in {@code handleConnection}, say) do not
	 * survive a hibernation: keep per-connection context in the handler's state.
	 * <p>Default {@link Duration#ZERO}: hibernate at every wait, as Spring Boot's own servers on
	 * virtual threads run each request on a new thread. A waiting connection then holds no thread,
	 * only its objects (about 1.2 KB of heap), and measured faster too: resuming a parked virtual
	 * thread thaws its saved stack, which costs more than starting a fresh one (see
	 * {@code docs/benchmarks.md}). {@link ServerConfig#NO_TIMEOUT} keeps one thread for the
	 * connection's whole life. Not negative. Erlang's {@code hibernate_after}, not a Thousand
	 * Island option.
	 * @param hibernateAfter the idle time before hibernating
	 * @return this builder
	 */
	public ServerConfig.Builder hibernateAfter(Duration hibernateAfter) {
		this.hibernateAfter = hibernateAfter;
		return self();
	}

	/**
	 * Sets TCP_NODELAY on accepted TCP sockets. Default {@code true}. Thousand Island's
	 * {@code nodelay} transport option.
	 * @param tcpNoDelay whether to set it
	 * @return this builder
	 */
	public ServerConfig.Builder tcpNoDelay(boolean tcpNoDelay) {
		this.tcpNoDelay = tcpNoDelay;
		return self();
	}

	/**
	 * Sets an option on every accepted socket that supports it, such as
	 * {@link StandardSocketOptions#SO_KEEPALIVE} or {@link StandardSocketOptions#SO_SNDBUF}; may be
	 * called once per option. Default none. Thousand Island passes these in
	 * {@code transport_options}.
	 * @param option the option
	 * @param value its value
	 * @param <T> the option's type
	 * @return this builder
	 */
	public <T> ServerConfig.Builder socketOption(SocketOption<T> option, T value) {
		this.socketOptions.put(Objects.requireNonNull(option, "option"), Objects.requireNonNull(value, "value"));
		return self();
	}

	/**
	 * Sets who owns the buffer {@link Handler#handleData} receives: {@link DataBuffers#OWNED}
	 * (the default), a copy the handler may keep, or one of the expert lending modes that
	 * {@link DataBuffers} describes. Required. Not a Thousand Island option.
	 * @param dataBuffers the ownership mode
	 * @return this builder
	 */
	public ServerConfig.Builder dataBuffers(DataBuffers dataBuffers) {
		this.dataBuffers = dataBuffers;
		return self();
	}

	/**
	 * Sets how many 64 KiB direct read buffers the server keeps for reuse. A buffer is out of the
	 * pool while one read (and under {@link DataBuffers#LENT} its callback) runs; when all are out,
	 * a read gets a 17 KiB heap buffer made for it instead. Default 64, at least 1. Not a Thousand
	 * Island option.
	 * @param size the number of pooled buffers
	 * @return this builder
	 */
	public ServerConfig.Builder readBufferPoolSize(int size) {
		this.readBufferPoolSize = size;
		return self();
	}

	/**
	 * Sets how many {@linkplain Connection#tell told} messages a connection's mailbox holds before
	 * {@code tell} throws {@link MailboxFullException}: a bound on the memory a handler that falls
	 * behind its senders can pin. Default {@value ServerConfig#DEFAULT_MAILBOX_CAPACITY}, at least
	 * 1. Not a Thousand Island option (an Erlang mailbox is unbounded).
	 * @param capacity the number of messages
	 * @return this builder
	 */
	public ServerConfig.Builder mailboxCapacity(int capacity) {
		this.mailboxCapacity = capacity;
		return self();
	}

	/**
	 * Sets how many threads watch waiting connections for readiness, each with its own selector;
	 * connections are spread over them by id, and any number from 1 up is safe. Default the number
	 * of processors, which measured fastest for many small messages and for bulk echo (see
	 * {@code docs/benchmarks.md}). Not a Thousand Island option.
	 * @param numPollers the number of poller threads
	 * @return this builder
	 */
	public ServerConfig.Builder numPollers(int numPollers) {
		this.numPollers = numPollers;
		return self();
	}

	/**
	 * Sets whether the handler promises that its callbacks never block, so that a connection with
	 * data to read is served on the thread of the poller that found it readable, as an event loop
	 * serves its channels, instead of on a virtual thread started for it: no thread start and no
	 * scheduler round trip per message. Every other connection keeps a thread of its own.
	 * <p>Blocking stays safe, only dearer: a callback that must wait on Thousand Island (a send
	 * that finds the socket full, another sender holding the send lock, a read with a timeout)
	 * first hands polling to a new thread and goes on as its connection's own; one that blocks
	 * elsewhere (a sleep, a lock, a database call) is moved once it has run for
	 * {@link #pollerCallbackLimit(Duration) pollerCallbackLimit}, its connection is never served on
	 * a poller again, and a warning names the handler (at most one a minute). Meanwhile the other
	 * connections of that poller wait. A connection served this way hibernates at every wait,
	 * whatever {@link #hibernateAfter(Duration) hibernateAfter} says, and its callbacks see the
	 * poller's thread as the current one: keep per-connection context in the handler's state, not
	 * in thread locals. Default {@code false}. Not a Thousand Island option (every Erlang process
	 * has its own scheduler slot).
	 * @param callbacksOnPoller whether callbacks run on the pollers' threads
	 * @return this builder
	 */
	public ServerConfig.Builder callbacksOnPoller(boolean callbacksOnPoller) {
		this.callbacksOnPoller = callbacksOnPoller;
		return self();
	}

	/**
	 * Sets how long a callback may run on a poller's thread under
	 * {@link #callbacksOnPoller(boolean) callbacksOnPoller} before the server takes it for a
	 * broken promise: polling moves to a new thread and the connection gets a thread of its own
	 * for good. The poller's other connections wait up to about one and a half times this. Default
	 * {@value ServerConfig#DEFAULT_POLLER_CALLBACK_LIMIT_MILLIS} ms, at least 1 ms. Not a Thousand
	 * Island option.
	 * @param limit the longest callback on a poller's thread
	 * @return this builder
	 */
	public ServerConfig.Builder pollerCallbackLimit(Duration limit) {
		this.pollerCallbackLimit = limit;
		return self();
	}

	/**
	 * Sets whether connections ended by a {@link Result#error} result are not logged; exceptions
	 * are always logged. Default {@code false}. Thousand Island's
	 * {@code silent_terminate_on_error}.
	 * @param silent whether to leave such ends unlogged
	 * @return this builder
	 */
	public ServerConfig.Builder silentTerminateOnError(boolean silent) {
		this.silentTerminateOnError = silent;
		return self();
	}

	/**
	 * Sets how log messages name this server's options, for a framework that sets them under names
	 * of its own: the messages about errors a client caused say which option to change (a frame
	 * over {@code maxFrameSize}, a handshake over {@code handshakeTimeout}, a PROXY header from
	 * outside {@code proxyTrustedSources}). Given the option's name as this builder spells it
	 * ({@code maxFrameSize} for {@code Framing.withMaxFrameSize}), the function returns the name to
	 * print, such as a Spring Boot property. Default: the builder's own names
	 * ({@code Framing.withMaxFrameSize}, {@code ServerConfig.Builder.handshakeTimeout}). Logging
	 * only: no option's value depends on it.
	 * @param names the option's name to the name to print; {@code null} for the default
	 * @return this builder
	 */
	public ServerConfig.Builder optionNames(Function<String, String> names) {
		this.optionNames = names;
		return self();
	}

	/**
	 * Adds a receiver of every telemetry event; may be called more than once. Default none.
	 * Thousand Island's {@code :telemetry} handlers, attached per server.
	 * @param listener the listener
	 * @return this builder
	 */
	public ServerConfig.Builder telemetryListener(TelemetryListener listener) {
		this.telemetryListeners.add(Objects.requireNonNull(listener, "listener"));
		return self();
	}

	/**
	 * Sets whether send and receive telemetry events carry a copy of the bytes. Default
	 * {@code false}; Thousand Island's {@code recv} and {@code send} events always carry the data.
	 * @param payloads whether to copy the bytes into events
	 * @return this builder
	 */
	public ServerConfig.Builder telemetryPayloads(boolean payloads) {
		this.telemetryPayloads = payloads;
		return self();
	}

	/**
	 * Sets whether each connection starts with a PROXY protocol header (version 1 or 2) that tells
	 * the client's address, as a load balancer such as HAProxy sends with {@code send-proxy-v2}.
	 * Default {@link ProxyProtocolMode#OFF}. The header is read on the connection's own thread,
	 * before the transport handshake; the handler then sees the client's address as
	 * {@link Socket#remoteAddress()} and the header as {@link Socket#proxyHeader()}. A connection
	 * whose header is refused (untrusted peer, malformed, missing in
	 * {@link ProxyProtocolMode#REQUIRED REQUIRED} mode, late) is closed before any handler callback,
	 * with a {@code proxy_*} stop reason. Not part of Thousand Island; see
	 * {@code docs/proxy-protocol.md}.
	 * @param mode {@code OFF}, {@code REQUIRED} or {@code OPTIONAL}
	 * @return this builder
	 */
	public ServerConfig.Builder proxyProtocol(ProxyProtocolMode mode) {
		this.proxyProtocol = mode;
		return self();
	}

	/**
	 * Sets the peers a PROXY protocol header is accepted from: IPv4 and IPv6 addresses and CIDR
	 * blocks ({@code 10.0.0.0/8}, {@code fd00::/8}), literals only. Default the loopback addresses,
	 * {@code 127.0.0.0/8} and {@code ::1}; peers on a Unix domain socket are always trusted. In
	 * {@code REQUIRED} mode any other peer is closed at once; in {@code OPTIONAL} mode it is served
	 * directly unless it sends a header, which closes it. Used only when
	 * {@link #proxyProtocol(ProxyProtocolMode) proxyProtocol} is on.
	 * @param sources the addresses and blocks; an empty list trusts no IP peer
	 * @return this builder
	 */
	public ServerConfig.Builder proxyTrustedSources(List<String> sources) {
		this.proxyTrustedSources = sources;
		return self();
	}

	/**
	 * Sets how long a connection may take to send its whole PROXY protocol header, from the moment
	 * its thread starts reading it; a connection still short of it then is closed with reason
	 * {@code proxy_timeout} ({@code OPTIONAL} mode: one that has sent nothing at all is served
	 * without a header). Default {@code null}: the {@link #readTimeout(Duration) read timeout}.
	 * Not negative.
	 * @param timeout the timeout, or {@code null} for the read timeout
	 * @return this builder
	 */
	public ServerConfig.Builder proxyHeaderTimeout(Duration timeout) {
		this.proxyHeaderTimeout = timeout;
		return self();
	}

}
