package dev.thousandisland;

import java.net.InetAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.thousandisland.telemetry.TelemetryListener;
import dev.thousandisland.transport.Transport;


/**
 * Everything a server needs to start, with Thousand Island's option names and defaults. Build one
 * with {@link #builder(Handler)}; every value is checked when the configuration is built, and a
 * bad one fails with an {@link InvalidOptionException} naming the option and the value.
 *
 * @param name the server's name, used in thread names, logs and telemetry (default
 * {@code thousand-island})
 * @param handler the protocol (required)
 * @param transport plain or TLS (default {@link Transport#plain()})
 * @param port the TCP port; 0 picks a free one (default 4000; ignored for Unix sockets)
 * @param bindAddress the address to bind, {@code null} for every interface (default)
 * @param unixPath a Unix domain socket path to listen on instead of TCP (default none)
 * @param numAcceptors accept loops, each with its own share of connections (default 10)
 * @param numListenSockets listen sockets on the same port with SO_REUSEPORT; at most
 * {@code numAcceptors} and more than one needs {@code reusePort} (default 1)
 * @param numConnections live connections allowed per acceptor, as Thousand Island (default 16384)
 * @param maxConnections live connections allowed on the whole server, a hard cap (default
 * {@link Integer#MAX_VALUE}: none)
 * @param maxConnectionsRetryCount how many times an acceptor waits for room when a limit is
 * reached before closing the new connection (default 5)
 * @param maxConnectionsRetryWait how long each such wait is (default 1 s)
 * @param readTimeout how long a connection may wait for data between callbacks, and the default
 * timeout of {@link Socket#recv(int)} (default 60 s)
 * @param handshakeTimeout how long the transport handshake may take (default 5 s)
 * @param shutdownTimeout how long a stopping server waits for connections to finish before
 * closing them (default 15 s)
 * @param sendTimeout how long a send may block before the connection is closed (default 30 s)
 * @param hibernateAfter how long a connection waits with nothing to do before it hibernates: its
 * virtual thread ends and a new one takes over when data, a message or its read deadline comes,
 * like Erlang's {@code hibernate_after}; {@link Duration#ZERO} hibernates at every wait (default
 * {@link #NO_TIMEOUT}: never, one thread for the connection's life)
 * @param backlog the listen queue length (default 1024)
 * @param tcpNoDelay TCP_NODELAY on accepted TCP sockets (default true)
 * @param reuseAddress SO_REUSEADDR on listen sockets (default true)
 * @param reusePort SO_REUSEPORT on listen sockets (default false)
 * @param socketOptions further options set on every accepted socket that supports them
 * @param numPollers threads that watch waiting connections for readiness, each with its own
 * selector, connections spread over them by id; any number from 1 up is safe (default: the number
 * of processors, which measured fastest for many small messages and for bulk echo: see
 * {@code docs/benchmarks.md})
 * @param maxAcceptBackoff the longest pause between accept attempts while accept(2) keeps failing
 * (running out of descriptors or memory, or any other error): the first failure is retried at
 * once, the next after 1 ms, each following one after twice the pause before, up to this
 * (default 100 ms; at least 1 ms). See {@code docs/accept-errors.md}.
 * @param silentTerminateOnError whether {@link Result#error} results are not logged (default
 * false); exceptions are always logged
 * @param telemetryListeners who receives telemetry events (default none)
 * @param telemetryPayloads whether send and receive events carry a copy of the bytes (default
 * false)
 * @param dataBuffers who owns the buffer {@link Handler#handleData} receives (default
 * {@link DataBuffers#OWNED}: the handler, who may keep it; see {@link DataBuffers} for the expert
 * lending modes)
 * @param readBufferPoolSize how many 64 KiB direct read buffers the server keeps for reuse
 * (default 64). A buffer is out of the pool while one read (and under {@link DataBuffers#LENT} its
 * callback) runs; when all are out, a read gets a 17 KiB heap buffer made for it instead
 * @param mailboxCapacity how many {@linkplain Connection#tell told} messages a connection's
 * mailbox holds before {@code tell} throws {@link MailboxFullException}; a bound on the memory a
 * handler that falls behind its senders can pin (default 100,000)
 */
public record ServerConfig(String name, Handler<?> handler, Transport transport, int port, InetAddress bindAddress,
		Path unixPath, int numAcceptors, int numListenSockets, int numConnections, int maxConnections,
		int maxConnectionsRetryCount, Duration maxConnectionsRetryWait, Duration readTimeout,
		Duration handshakeTimeout, Duration shutdownTimeout, Duration sendTimeout, Duration hibernateAfter, int backlog,
		boolean tcpNoDelay, boolean reuseAddress, boolean reusePort, Map<SocketOption<?>, Object> socketOptions, int numPollers,
		Duration maxAcceptBackoff, boolean silentTerminateOnError, List<TelemetryListener> telemetryListeners,
		boolean telemetryPayloads, DataBuffers dataBuffers, int readBufferPoolSize, int mailboxCapacity) {

	/** A timeout that never passes: Thousand Island's {@code :infinity}. */
	public static final Duration NO_TIMEOUT = ChronoUnit.FOREVER.getDuration();

	/** The default of {@link #mailboxCapacity()}. */
	public static final int DEFAULT_MAILBOX_CAPACITY = 100_000;

	/** Linux's limit on a Unix socket path, in bytes, without the terminating NUL. */
	static final int MAX_UNIX_PATH_BYTES = 107;

	/**
	 * Checks every option.
	 * @throws InvalidOptionException naming the first bad option and its value
	 */
	public ServerConfig {
		require(handler != null, "handler", null, "is required: pass the Handler that speaks the protocol");
		require(name != null && !name.isBlank(), "name", name, "must not be blank");
		require(transport != null, "transport", null, "is required");
		require(port >= 0 && port <= 65535, "port", port, "must be between 0 and 65535");
		require(numAcceptors >= 1, "numAcceptors", numAcceptors, "must be at least 1");
		require(numListenSockets >= 1, "numListenSockets", numListenSockets, "must be at least 1");
		require(numListenSockets <= numAcceptors, "numListenSockets", numListenSockets,
				"must not exceed numAcceptors (" + numAcceptors + "): each listen socket needs an acceptor");
		require(numListenSockets == 1 || reusePort, "numListenSockets", numListenSockets,
				"needs reusePort=true so that the sockets can share one port");
		require(numListenSockets == 1 || unixPath == null, "numListenSockets", numListenSockets,
				"must be 1 for a Unix domain socket: a path cannot be bound twice");
		require(numConnections >= 1, "numConnections", numConnections, "must be at least 1");
		require(maxConnections >= 1, "maxConnections", maxConnections, "must be at least 1");
		require(maxConnectionsRetryCount >= 0, "maxConnectionsRetryCount", maxConnectionsRetryCount,
				"must not be negative");
		requireTimeout("maxConnectionsRetryWait", maxConnectionsRetryWait);
		requireTimeout("readTimeout", readTimeout);
		requireTimeout("handshakeTimeout", handshakeTimeout);
		requireTimeout("shutdownTimeout", shutdownTimeout);
		requireTimeout("sendTimeout", sendTimeout);
		requireTimeout("hibernateAfter", hibernateAfter);
		require(backlog >= 1, "backlog", backlog, "must be at least 1");
		require(numPollers >= 1, "numPollers", numPollers, "must be at least 1");
		require(maxAcceptBackoff != null, "maxAcceptBackoff", null, "is required");
		require(maxAcceptBackoff.compareTo(Duration.ofMillis(1)) >= 0, "maxAcceptBackoff", maxAcceptBackoff,
				"must be at least 1 ms");
		require(dataBuffers != null, "dataBuffers", null, "is required");
		require(readBufferPoolSize >= 1, "readBufferPoolSize", readBufferPoolSize, "must be at least 1");
		require(mailboxCapacity >= 1, "mailboxCapacity", mailboxCapacity, "must be at least 1");
		if (unixPath != null) {
			int length = unixPath.toString().getBytes(StandardCharsets.UTF_8).length;
			require(length <= MAX_UNIX_PATH_BYTES, "unixPath", unixPath,
					"is " + length + " bytes long; Unix socket paths are limited to " + MAX_UNIX_PATH_BYTES
							+ " bytes: use a shorter path");
			require(bindAddress == null, "bindAddress", bindAddress, "cannot be combined with unixPath");
		}
		socketOptions = Map.copyOf(socketOptions);
		telemetryListeners = List.copyOf(telemetryListeners);
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
		return new Builder(this);
	}

	/**
	 * Returns whether the server listens on a Unix domain socket.
	 * @return whether {@code unixPath} is set
	 */
	public boolean isUnix() {
		return this.unixPath != null;
	}

	static void requireTimeout(String option, Duration value) {
		require(value != null, option, null, "is required");
		require(!value.isNegative(), option, value, "must not be negative");
	}

	private static void require(boolean condition, String option, Object value, String problem) {
		if (!condition) {
			throw new InvalidOptionException(option, value, problem);
		}
	}

	/**
	 * Builds a {@link ServerConfig}. Every setter names its option; defaults are Thousand
	 * Island's.
	 */
	public static final class Builder {

		private String name = "thousand-island";

		private Handler<?> handler;

		private Transport transport = Transport.plain();

		private int port = 4000;

		private InetAddress bindAddress;

		private Path unixPath;

		private int numAcceptors = 10;

		private int numListenSockets = 1;

		private int numConnections = 16_384;

		private int maxConnections = Integer.MAX_VALUE;

		private int maxConnectionsRetryCount = 5;

		private Duration maxConnectionsRetryWait = Duration.ofSeconds(1);

		private Duration readTimeout = Duration.ofSeconds(60);

		private Duration handshakeTimeout = Duration.ofSeconds(5);

		private Duration shutdownTimeout = Duration.ofSeconds(15);

		private Duration sendTimeout = Duration.ofSeconds(30);

		private Duration hibernateAfter = NO_TIMEOUT;

		private int backlog = 1024;

		private boolean tcpNoDelay = true;

		private boolean reuseAddress = true;

		private boolean reusePort;

		private final Map<SocketOption<?>, Object> socketOptions = new LinkedHashMap<>();

		private int numPollers = Runtime.getRuntime().availableProcessors();

		private Duration maxAcceptBackoff = Duration.ofMillis(100);

		private boolean silentTerminateOnError;

		private final List<TelemetryListener> telemetryListeners = new ArrayList<>();

		private boolean telemetryPayloads;

		private DataBuffers dataBuffers = DataBuffers.OWNED;

		private int readBufferPoolSize = 64;
		private int mailboxCapacity = DEFAULT_MAILBOX_CAPACITY;

		private Builder(Handler<?> handler) {
			this.handler = handler;
		}

		private Builder(ServerConfig config) {
			this.name = config.name;
			this.handler = config.handler;
			this.transport = config.transport;
			this.port = config.port;
			this.bindAddress = config.bindAddress;
			this.unixPath = config.unixPath;
			this.numAcceptors = config.numAcceptors;
			this.numListenSockets = config.numListenSockets;
			this.numConnections = config.numConnections;
			this.maxConnections = config.maxConnections;
			this.maxConnectionsRetryCount = config.maxConnectionsRetryCount;
			this.maxConnectionsRetryWait = config.maxConnectionsRetryWait;
			this.readTimeout = config.readTimeout;
			this.handshakeTimeout = config.handshakeTimeout;
			this.shutdownTimeout = config.shutdownTimeout;
			this.sendTimeout = config.sendTimeout;
			this.hibernateAfter = config.hibernateAfter;
			this.backlog = config.backlog;
			this.tcpNoDelay = config.tcpNoDelay;
			this.reuseAddress = config.reuseAddress;
			this.reusePort = config.reusePort;
			this.socketOptions.putAll(config.socketOptions);
			this.numPollers = config.numPollers;
			this.maxAcceptBackoff = config.maxAcceptBackoff;
			this.silentTerminateOnError = config.silentTerminateOnError;
			this.telemetryListeners.addAll(config.telemetryListeners);
			this.telemetryPayloads = config.telemetryPayloads;
			this.dataBuffers = config.dataBuffers;
			this.readBufferPoolSize = config.readBufferPoolSize;
			this.mailboxCapacity = config.mailboxCapacity;
		}

		/** @param name see {@link ServerConfig#name()}
		 * @return this builder */
		public Builder name(String name) {
			this.name = name;
			return this;
		}

		/** @param handler see {@link ServerConfig#handler()}
		 * @return this builder */
		public Builder handler(Handler<?> handler) {
			this.handler = handler;
			return this;
		}

		/** @param transport see {@link ServerConfig#transport()}
		 * @return this builder */
		public Builder transport(Transport transport) {
			this.transport = transport;
			return this;
		}

		/** @param port see {@link ServerConfig#port()}
		 * @return this builder */
		public Builder port(int port) {
			this.port = port;
			return this;
		}

		/** @param bindAddress see {@link ServerConfig#bindAddress()}
		 * @return this builder */
		public Builder bindAddress(InetAddress bindAddress) {
			this.bindAddress = bindAddress;
			return this;
		}

		/** @param unixPath see {@link ServerConfig#unixPath()}
		 * @return this builder */
		public Builder unixPath(Path unixPath) {
			this.unixPath = unixPath;
			return this;
		}

		/** @param numAcceptors see {@link ServerConfig#numAcceptors()}
		 * @return this builder */
		public Builder numAcceptors(int numAcceptors) {
			this.numAcceptors = numAcceptors;
			return this;
		}

		/** @param numListenSockets see {@link ServerConfig#numListenSockets()}
		 * @return this builder */
		public Builder numListenSockets(int numListenSockets) {
			this.numListenSockets = numListenSockets;
			return this;
		}

		/** @param numConnections see {@link ServerConfig#numConnections()}
		 * @return this builder */
		public Builder numConnections(int numConnections) {
			this.numConnections = numConnections;
			return this;
		}

		/** @param maxConnections see {@link ServerConfig#maxConnections()}
		 * @return this builder */
		public Builder maxConnections(int maxConnections) {
			this.maxConnections = maxConnections;
			return this;
		}

		/** @param count see {@link ServerConfig#maxConnectionsRetryCount()}
		 * @return this builder */
		public Builder maxConnectionsRetryCount(int count) {
			this.maxConnectionsRetryCount = count;
			return this;
		}

		/** @param wait see {@link ServerConfig#maxConnectionsRetryWait()}
		 * @return this builder */
		public Builder maxConnectionsRetryWait(Duration wait) {
			this.maxConnectionsRetryWait = wait;
			return this;
		}

		/** @param readTimeout see {@link ServerConfig#readTimeout()}
		 * @return this builder */
		public Builder readTimeout(Duration readTimeout) {
			this.readTimeout = readTimeout;
			return this;
		}

		/** @param handshakeTimeout see {@link ServerConfig#handshakeTimeout()}
		 * @return this builder */
		public Builder handshakeTimeout(Duration handshakeTimeout) {
			this.handshakeTimeout = handshakeTimeout;
			return this;
		}

		/** @param shutdownTimeout see {@link ServerConfig#shutdownTimeout()}
		 * @return this builder */
		public Builder shutdownTimeout(Duration shutdownTimeout) {
			this.shutdownTimeout = shutdownTimeout;
			return this;
		}

		/** @param sendTimeout see {@link ServerConfig#sendTimeout()}
		 * @return this builder */
		public Builder sendTimeout(Duration sendTimeout) {
			this.sendTimeout = sendTimeout;
			return this;
		}

		/** @param hibernateAfter see {@link ServerConfig#hibernateAfter()}
		 * @return this builder */
		public Builder hibernateAfter(Duration hibernateAfter) {
			this.hibernateAfter = hibernateAfter;
			return this;
		}

		/** @param backlog see {@link ServerConfig#backlog()}
		 * @return this builder */
		public Builder backlog(int backlog) {
			this.backlog = backlog;
			return this;
		}

		/** @param tcpNoDelay see {@link ServerConfig#tcpNoDelay()}
		 * @return this builder */
		public Builder tcpNoDelay(boolean tcpNoDelay) {
			this.tcpNoDelay = tcpNoDelay;
			return this;
		}

		/** @param reuseAddress see {@link ServerConfig#reuseAddress()}
		 * @return this builder */
		public Builder reuseAddress(boolean reuseAddress) {
			this.reuseAddress = reuseAddress;
			return this;
		}

		/** @param reusePort see {@link ServerConfig#reusePort()}
		 * @return this builder */
		public Builder reusePort(boolean reusePort) {
			this.reusePort = reusePort;
			return this;
		}

		/**
		 * Sets an option on every accepted socket that supports it, such as
		 * {@link StandardSocketOptions#SO_KEEPALIVE} or {@link StandardSocketOptions#SO_SNDBUF}.
		 * @param option the option
		 * @param value its value
		 * @param <T> the option's type
		 * @return this builder
		 */
		public <T> Builder socketOption(SocketOption<T> option, T value) {
			this.socketOptions.put(Objects.requireNonNull(option, "option"), Objects.requireNonNull(value, "value"));
			return this;
		}

		/** @param numPollers see {@link ServerConfig#numPollers()}
		 * @return this builder */
		public Builder numPollers(int numPollers) {
			this.numPollers = numPollers;
			return this;
		}

		/** @param maxAcceptBackoff see {@link ServerConfig#maxAcceptBackoff()}
		 * @return this builder */
		public Builder maxAcceptBackoff(Duration maxAcceptBackoff) {
			this.maxAcceptBackoff = maxAcceptBackoff;
			return this;
		}

		/** @param silent see {@link ServerConfig#silentTerminateOnError()}
		 * @return this builder */
		public Builder silentTerminateOnError(boolean silent) {
			this.silentTerminateOnError = silent;
			return this;
		}

		/** @param listener added to {@link ServerConfig#telemetryListeners()}
		 * @return this builder */
		public Builder telemetryListener(TelemetryListener listener) {
			this.telemetryListeners.add(Objects.requireNonNull(listener, "listener"));
			return this;
		}

		/** @param payloads see {@link ServerConfig#telemetryPayloads()}
		 * @return this builder */
		public Builder telemetryPayloads(boolean payloads) {
			this.telemetryPayloads = payloads;
			return this;
		}

		/** @param dataBuffers see {@link ServerConfig#dataBuffers()}
		 * @return this builder */
		public Builder dataBuffers(DataBuffers dataBuffers) {
			this.dataBuffers = dataBuffers;
			return this;
		}

		/** @param size see {@link ServerConfig#readBufferPoolSize()}
		 * @return this builder */
		public Builder readBufferPoolSize(int size) {
			this.readBufferPoolSize = size;
			return this;
		}

		/** @param capacity see {@link ServerConfig#mailboxCapacity()} @return this builder */
		public Builder mailboxCapacity(int capacity) {
			this.mailboxCapacity = capacity;
			return this;
		}

		/**
		 * Checks the options and builds the configuration.
		 * @return the configuration
		 * @throws IllegalArgumentException naming the first bad option
		 */
		public ServerConfig build() {
			return new ServerConfig(this.name, this.handler, this.transport, this.port, this.bindAddress,
					this.unixPath, this.numAcceptors, this.numListenSockets, this.numConnections, this.maxConnections,
					this.maxConnectionsRetryCount, this.maxConnectionsRetryWait, this.readTimeout,
					this.handshakeTimeout, this.shutdownTimeout, this.sendTimeout, this.hibernateAfter, this.backlog,
					this.tcpNoDelay, this.reuseAddress, this.reusePort, this.socketOptions, this.numPollers,
					this.maxAcceptBackoff, this.silentTerminateOnError, this.telemetryListeners, this.telemetryPayloads,
					this.dataBuffers, this.readBufferPoolSize, this.mailboxCapacity);
		}

		/**
		 * Builds the configuration and starts a server with it.
		 * @return the running server
		 * @throws java.io.IOException if binding fails
		 */
		public Server start() throws java.io.IOException {
			return ThousandIsland.start(build());
		}

	}

}
