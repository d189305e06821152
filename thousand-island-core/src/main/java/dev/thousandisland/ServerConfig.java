package dev.thousandisland;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.thousandisland.proxy.ProxyProtocolMode;
import dev.thousandisland.proxy.ProxyTrustedSources;
import dev.thousandisland.telemetry.TelemetryListener;
import dev.thousandisland.transport.Transport;

/**
 * Everything a server needs to start, with Thousand Island's option names and defaults. The only
 * way to make one is {@link #builder(Handler)} (or {@link #toBuilder()} from another), so adding an
 * option never breaks a caller. Every value is checked when the configuration is built, and a bad
 * one fails with an {@link InvalidOptionException} naming the option and the value.
 *
 * <p>Each option is documented once, on its {@link Builder} setter: meaning, default, bounds and
 * Thousand Island's name; {@code docs/configuration.md} lists them all with their Spring Boot
 * properties. A configuration is an immutable value: two are equal when every option is equal,
 * and {@link #toString()} lists every option.
 */
public final class ServerConfig {

	/** A timeout that never passes: Thousand Island's {@code :infinity}. */
	public static final Duration NO_TIMEOUT = ChronoUnit.FOREVER.getDuration();

	/** The default of {@link Builder#mailboxCapacity(int) Builder.mailboxCapacity}. */
	public static final int DEFAULT_MAILBOX_CAPACITY = 100_000;

	/** The default of {@link Builder#pollerCallbackLimit(Duration) Builder.pollerCallbackLimit}, in milliseconds. */
	public static final long DEFAULT_POLLER_CALLBACK_LIMIT_MILLIS = 100;

	/** The default of {@link Builder#pollerCallbackLimit(Duration) Builder.pollerCallbackLimit}. */
	public static final Duration DEFAULT_POLLER_CALLBACK_LIMIT = Duration.ofMillis(DEFAULT_POLLER_CALLBACK_LIMIT_MILLIS);

	private final ServerOptions options;

	private ServerConfig(ServerOptions options) {
		this.options = options;
	}

	/**
	 * Starts building a configuration with Thousand Island's defaults.
	 * @param handler the protocol the server speaks
	 * @return a builder
	 */
	public static Builder builder(Handler<?> handler) {
		return new Builder(handler);
	}

	/**
	 * Returns a builder holding this configuration's values, to derive another from it.
	 * @return a builder
	 */
	public Builder toBuilder() {
		return new Builder(this.options);
	}

	/** {@return the server's name: see {@link Builder#name(String) Builder.name}} */
	public String name() {
		return this.options.name();
	}

	/** {@return the protocol: see {@link Builder#handler(Handler) Builder.handler}} */
	public Handler<?> handler() {
		return this.options.handler();
	}

	/** {@return the transport, plain or TLS: see {@link Builder#transport(Transport) Builder.transport}} */
	public Transport transport() {
		return this.options.transport();
	}

	/** {@return the TCP port: see {@link Builder#port(int) Builder.port}} */
	public int port() {
		return this.options.port();
	}

	/**
	 * {@return the address to listen on, or {@code null}: see
	 * {@link Builder#bindAddress(InetAddress) Builder.bindAddress}}
	 */
	public InetAddress bindAddress() {
		return this.options.bindAddress();
	}

	/** {@return the Unix socket path, or {@code null}: see {@link Builder#unixPath(Path) Builder.unixPath}} */
	public Path unixPath() {
		return this.options.unixPath();
	}

	/** {@return the number of accept loops: see {@link Builder#numAcceptors(int) Builder.numAcceptors}} */
	public int numAcceptors() {
		return this.options.numAcceptors();
	}

	/** {@return the number of listen sockets: see {@link Builder#numListenSockets(int) Builder.numListenSockets}} */
	public int numListenSockets() {
		return this.options.numListenSockets();
	}

	/** {@return the connection limit per acceptor: see {@link Builder#numConnections(int) Builder.numConnections}} */
	public int numConnections() {
		return this.options.numConnections();
	}

	/** {@return the server's connection limit: see {@link Builder#maxConnections(int) Builder.maxConnections}} */
	public int maxConnections() {
		return this.options.maxConnections();
	}

	/**
	 * {@return the waits for room: see {@link Builder#maxConnectionsRetryCount(int) Builder.maxConnectionsRetryCount}}
	 */
	public int maxConnectionsRetryCount() {
		return this.options.maxConnectionsRetryCount();
	}

	/**
	 * {@return the length of a wait for room: see
	 * {@link Builder#maxConnectionsRetryWait(Duration) Builder.maxConnectionsRetryWait}}
	 */
	public Duration maxConnectionsRetryWait() {
		return this.options.maxConnectionsRetryWait();
	}

	/** {@return the read timeout: see {@link Builder#readTimeout(Duration) Builder.readTimeout}} */
	public Duration readTimeout() {
		return this.options.readTimeout();
	}

	/** {@return the handshake timeout: see {@link Builder#handshakeTimeout(Duration) Builder.handshakeTimeout}} */
	public Duration handshakeTimeout() {
		return this.options.handshakeTimeout();
	}

	/** {@return the PROXY protocol mode: see {@link Builder#proxyProtocol(ProxyProtocolMode) Builder.proxyProtocol}} */
	public ProxyProtocolMode proxyProtocol() {
		return this.options.proxyProtocol();
	}

	/** {@return who may send a PROXY header: see {@link Builder#proxyTrustedSources(List) Builder.proxyTrustedSources}} */
	public ProxyTrustedSources proxyTrustedSources() {
		return this.options.proxyTrustedSources();
	}

	/**
	 * {@return the PROXY header deadline, the read timeout unless set: see
	 * {@link Builder#proxyHeaderTimeout(Duration) Builder.proxyHeaderTimeout}}
	 */
	public Duration proxyHeaderTimeout() {
		Duration timeout = this.options.proxyHeaderTimeout();
		return (timeout != null) ? timeout : this.options.readTimeout();
	}

	/** {@return the shutdown timeout: see {@link Builder#shutdownTimeout(Duration) Builder.shutdownTimeout}} */
	public Duration shutdownTimeout() {
		return this.options.shutdownTimeout();
	}

	/** {@return the send timeout: see {@link Builder#sendTimeout(Duration) Builder.sendTimeout}} */
	public Duration sendTimeout() {
		return this.options.sendTimeout();
	}

	/**
	 * {@return the idle time before hibernating: see {@link Builder#hibernateAfter(Duration) Builder.hibernateAfter}}
	 */
	public Duration hibernateAfter() {
		return this.options.hibernateAfter();
	}

	/** {@return the listen queue length: see {@link Builder#backlog(int) Builder.backlog}} */
	public int backlog() {
		return this.options.backlog();
	}

	/** {@return whether TCP_NODELAY is set: see {@link Builder#tcpNoDelay(boolean) Builder.tcpNoDelay}} */
	public boolean tcpNoDelay() {
		return this.options.tcpNoDelay();
	}

	/** {@return whether SO_REUSEADDR is set: see {@link Builder#reuseAddress(boolean) Builder.reuseAddress}} */
	public boolean reuseAddress() {
		return this.options.reuseAddress();
	}

	/** {@return whether SO_REUSEPORT is set: see {@link Builder#reusePort(boolean) Builder.reusePort}} */
	public boolean reusePort() {
		return this.options.reusePort();
	}

	/**
	 * {@return the further socket options, unmodifiable: see
	 * {@link Builder#socketOption(SocketOption, Object) Builder.socketOption}}
	 */
	public Map<SocketOption<?>, Object> socketOptions() {
		return this.options.socketOptions();
	}

	/** {@return the number of poller threads: see {@link Builder#numPollers(int) Builder.numPollers}} */
	public int numPollers() {
		return this.options.numPollers();
	}

	/**
	 * {@return whether the handler's callbacks run on the pollers' threads: see
	 * {@link Builder#callbacksOnPoller(boolean) Builder.callbacksOnPoller}}
	 */
	public boolean callbacksOnPoller() {
		return this.options.callbacksOnPoller();
	}

	/**
	 * {@return how long a callback may run on a poller's thread: see
	 * {@link Builder#pollerCallbackLimit(Duration) Builder.pollerCallbackLimit}}
	 */
	public Duration pollerCallbackLimit() {
		return this.options.pollerCallbackLimit();
	}

	/**
	 * {@return the longest accept back-off: see {@link Builder#maxAcceptBackoff(Duration) Builder.maxAcceptBackoff}}
	 */
	public Duration maxAcceptBackoff() {
		return this.options.maxAcceptBackoff();
	}

	/**
	 * {@return whether error results go unlogged: see
	 * {@link Builder#silentTerminateOnError(boolean) Builder.silentTerminateOnError}}
	 */
	public boolean silentTerminateOnError() {
		return this.options.silentTerminateOnError();
	}

	/**
	 * {@return the telemetry listeners, unmodifiable: see
	 * {@link Builder#telemetryListener(TelemetryListener) Builder.telemetryListener}}
	 */
	public List<TelemetryListener> telemetryListeners() {
		return this.options.telemetryListeners();
	}

	/**
	 * {@return whether events carry payloads: see {@link Builder#telemetryPayloads(boolean) Builder.telemetryPayloads}}
	 */
	public boolean telemetryPayloads() {
		return this.options.telemetryPayloads();
	}

	/** {@return who owns received buffers: see {@link Builder#dataBuffers(DataBuffers) Builder.dataBuffers}} */
	public DataBuffers dataBuffers() {
		return this.options.dataBuffers();
	}

	/**
	 * {@return the number of pooled read buffers: see
	 * {@link Builder#readBufferPoolSize(int) Builder.readBufferPoolSize}}
	 */
	public int readBufferPoolSize() {
		return this.options.readBufferPoolSize();
	}

	/** {@return the mailbox capacity: see {@link Builder#mailboxCapacity(int) Builder.mailboxCapacity}} */
	public int mailboxCapacity() {
		return this.options.mailboxCapacity();
	}

	/**
	 * {@return how log messages name options, or {@code null} for the builder's own names: see
	 * {@link Builder#optionNames(Function) Builder.optionNames}}
	 */
	public Function<String, String> optionNames() {
		return this.options.optionNames();
	}

	/**
	 * Names an option in a log message: see {@link Builder#optionNames(Function) Builder.optionNames}.
	 * @param option the option's name as the builder spells it, such as {@code maxFrameSize}
	 * @return the name to print
	 */
	public String optionName(String option) {
		Function<String, String> names = this.options.optionNames();
		String named = (names != null) ? names.apply(option) : null;
		if (named != null) {
			return named;
		}
		return option.equals("maxFrameSize") ? "Framing.withMaxFrameSize" : "ServerConfig.Builder." + option;
	}

	/**
	 * Returns whether the server listens on a Unix domain socket.
	 * @return whether {@code unixPath} is set
	 */
	public boolean isUnix() {
		return this.options.unixPath() != null;
	}

	@Override
	public boolean equals(Object other) {
		return (other instanceof ServerConfig config) && this.options.equals(config.options);
	}

	@Override
	public int hashCode() {
		return this.options.hashCode();
	}

	/**
	 * Lists every option and its value, for logs and failure messages.
	 * @return {@code ServerConfig[name=..., handler=..., ...]}
	 */
	@Override
	public String toString() {
		// The record's own form names the record; callers know this type, not the record behind it.
		String components = this.options.toString();
		return "ServerConfig" + components.substring(components.indexOf('['));
	}

	/** Checks a timeout given outside a configuration (a stop, a result) as the options are. */
	static void requireTimeout(String option, Duration value) {
		ServerOptions.requireTimeout(option, value);
	}

	/**
	 * Builds a {@link ServerConfig}. Every setter names its option and documents it: meaning,
	 * default, bounds and Thousand Island's name. Setters only record values; {@link #build()}
	 * checks them all at once.
	 */
	public static final class Builder extends ConnectionOptions {

		private Builder(Handler<?> handler) {
			super(handler);
		}

		private Builder(ServerOptions options) {
			super(options);
		}

		/**
		 * Checks the options and builds the configuration. The builder may be changed and built
		 * again afterwards without affecting what it built before.
		 * @return the configuration
		 * @throws InvalidOptionException naming the first bad option and its value
		 */
		public ServerConfig build() {
			return new ServerConfig(new ServerOptions(this.name, this.handler, this.transport, this.port,
					this.bindAddress, this.unixPath, this.numAcceptors, this.numListenSockets, this.numConnections,
					this.maxConnections, this.maxConnectionsRetryCount, this.maxConnectionsRetryWait, this.readTimeout,
					this.handshakeTimeout, this.shutdownTimeout, this.sendTimeout, this.hibernateAfter, this.backlog,
					this.tcpNoDelay, this.reuseAddress, this.reusePort, this.socketOptions, this.numPollers,
					this.callbacksOnPoller, this.pollerCallbackLimit, this.maxAcceptBackoff, this.silentTerminateOnError, this.telemetryListeners, this.telemetryPayloads,
					this.dataBuffers, this.readBufferPoolSize, this.mailboxCapacity, this.proxyProtocol,
					ServerOptions.trustedSources(this.proxyTrustedSources), this.proxyHeaderTimeout, this.optionNames));
		}

		/**
		 * Builds the configuration and starts a server with it.
		 * @return the running server
		 * @throws InvalidOptionException naming the first bad option and its value
		 * @throws IOException if binding fails
		 */
		public Server start() throws IOException {
			return ThousandIsland.start(build());
		}

	}

}
