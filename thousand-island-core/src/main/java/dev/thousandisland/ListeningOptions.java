package dev.thousandisland;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

import dev.thousandisland.transport.Transport;

/**
 * The options of the server, its listen sockets and its acceptors, as {@link ServerConfig.Builder}
 * sets them: the "Listening" and "Accepting and limits" sections of {@code docs/configuration.md}.
 * Each setter documents its option once: meaning, default, bounds and Thousand Island's name.
 * Values are checked when the configuration is built, not here.
 *
 * <p>Package-private and sealed: the setters are public members of the public
 * {@link ServerConfig.Builder}, which inherits them (and their Javadoc) so that no file holding the
 * options passes 400 lines, much as {@code StringBuilder} inherits from a package-private base.
 */
abstract sealed class ListeningOptions permits ConnectionOptions {

	Handler<?> handler;

	String name = "thousand-island";

	Transport transport = Transport.plain();

	int port = 4000;

	InetAddress bindAddress;

	Path unixPath;

	int backlog = 1024;

	boolean reuseAddress = true;

	boolean reusePort;

	int numListenSockets = 1;

	int numAcceptors = 10;

	int numConnections = 16_384;

	int maxConnections = Integer.MAX_VALUE;

	int maxConnectionsRetryCount = 5;

	Duration maxConnectionsRetryWait = Duration.ofSeconds(1);

	Duration maxAcceptBackoff = Duration.ofMillis(100);

	ListeningOptions(Handler<?> handler) {
		this.handler = handler;
	}

	ListeningOptions(ServerOptions from) {
		this.handler = from.handler();
		this.name = from.name();
		this.transport = from.transport();
		this.port = from.port();
		this.bindAddress = from.bindAddress();
		this.unixPath = from.unixPath();
		this.backlog = from.backlog();
		this.reuseAddress = from.reuseAddress();
		this.reusePort = from.reusePort();
		this.numListenSockets = from.numListenSockets();
		this.numAcceptors = from.numAcceptors();
		this.numConnections = from.numConnections();
		this.maxConnections = from.maxConnections();
		this.maxConnectionsRetryCount = from.maxConnectionsRetryCount();
		this.maxConnectionsRetryWait = from.maxConnectionsRetryWait();
		this.maxAcceptBackoff = from.maxAcceptBackoff();
	}

	/**
	 * Sets the protocol: the {@link Handler} whose callbacks run on every connection. Required;
	 * Thousand Island's {@code handler_module} and {@code handler_options} in one object.
	 * @param handler the handler
	 * @return this builder
	 */
	public ServerConfig.Builder handler(Handler<?> handler) {
		this.handler = handler;
		return self();
	}

	/**
	 * Sets the server's name, used in thread names, logs and the {@code server} metadata of every
	 * telemetry event. Default {@code thousand-island}; must not be blank. Not a Thousand Island
	 * option.
	 * @param name the name
	 * @return this builder
	 */
	public ServerConfig.Builder name(String name) {
		this.name = name;
		return self();
	}

	/**
	 * Sets how bytes travel: {@link Transport#plain()} (the default) or TLS through
	 * {@link Transport#tls} or {@link dev.thousandisland.transport.TlsTransport#builder}. Required;
	 * Thousand Island's {@code transport_module} and {@code transport_options}.
	 * @param transport the transport
	 * @return this builder
	 */
	public ServerConfig.Builder transport(Transport transport) {
		this.transport = transport;
		return self();
	}

	/**
	 * Sets the TCP port to listen on; 0 lets the system pick a free one, read back with
	 * {@link Server#port()}. Default 4000, between 0 and 65535; not used with
	 * {@link #unixPath(Path)}. Thousand Island's {@code port}.
	 * @param port the port
	 * @return this builder
	 */
	public ServerConfig.Builder port(int port) {
		this.port = port;
		return self();
	}

	/**
	 * Sets the address to listen on, such as {@code 127.0.0.1} or {@code ::1}. Default
	 * {@code null}: every interface; cannot be combined with {@link #unixPath(Path)}. Thousand
	 * Island's {@code ip} transport option.
	 * @param bindAddress the address, or {@code null} for every interface
	 * @return this builder
	 */
	public ServerConfig.Builder bindAddress(InetAddress bindAddress) {
		this.bindAddress = bindAddress;
		return self();
	}

	/**
	 * Sets a Unix domain socket path to listen on instead of TCP. A stale socket file there is
	 * removed at bind, and the file is removed at stop. Default none; at most 107 bytes in UTF-8.
	 * Thousand Island's {@code ip: {:local, path}}.
	 * @param unixPath the socket path, or {@code null} for TCP
	 * @return this builder
	 */
	public ServerConfig.Builder unixPath(Path unixPath) {
		this.unixPath = unixPath;
		return self();
	}

	/**
	 * Sets the length of the kernel's queue of connections not yet accepted. Default 1024, at
	 * least 1. Thousand Island's {@code backlog} transport option.
	 * @param backlog the queue length
	 * @return this builder
	 */
	public ServerConfig.Builder backlog(int backlog) {
		this.backlog = backlog;
		return self();
	}

	/**
	 * Sets SO_REUSEADDR on the listen sockets. Default {@code true}. Thousand Island's
	 * {@code reuseaddr} transport option.
	 * @param reuseAddress whether to set it
	 * @return this builder
	 */
	public ServerConfig.Builder reuseAddress(boolean reuseAddress) {
		this.reuseAddress = reuseAddress;
		return self();
	}

	/**
	 * Sets SO_REUSEPORT on the listen sockets, which {@link #numListenSockets(int)} above 1 needs.
	 * Default {@code false}. Thousand Island's {@code reuseport} transport option.
	 * @param reusePort whether to set it
	 * @return this builder
	 */
	public ServerConfig.Builder reusePort(boolean reusePort) {
		this.reusePort = reusePort;
		return self();
	}

	/**
	 * Sets how many listen sockets share the port through SO_REUSEPORT, the acceptors spread
	 * over them. Default 1; at most {@link #numAcceptors(int)}, and more than one needs
	 * {@link #reusePort(boolean)} and TCP. Thousand Island's {@code num_listen_sockets}.
	 * @param numListenSockets the number of listen sockets
	 * @return this builder
	 */
	public ServerConfig.Builder numListenSockets(int numListenSockets) {
		this.numListenSockets = numListenSockets;
		return self();
	}

	/**
	 * Sets how many accept loops run, each with its own set of connections and its own share of
	 * the limits. Default 10 (Thousand Island's is 100: see {@code docs/configuration.md}), at
	 * least 1. Thousand Island's {@code num_acceptors}.
	 * @param numAcceptors the number of acceptors
	 * @return this builder
	 */
	public ServerConfig.Builder numAcceptors(int numAcceptors) {
		this.numAcceptors = numAcceptors;
		return self();
	}

	/**
	 * Sets how many live connections each acceptor allows, a soft limit sharded over the
	 * acceptors. Default 16384, at least 1. Thousand Island's {@code num_connections}.
	 * @param numConnections the limit per acceptor
	 * @return this builder
	 */
	public ServerConfig.Builder numConnections(int numConnections) {
		this.numConnections = numConnections;
		return self();
	}

	/**
	 * Sets how many live connections the whole server allows, a hard cap. Default
	 * {@link Integer#MAX_VALUE}: none beyond {@code numAcceptors × numConnections}; at least 1. Not
	 * a Thousand Island option.
	 * @param maxConnections the limit for the server
	 * @return this builder
	 */
	public ServerConfig.Builder maxConnections(int maxConnections) {
		this.maxConnections = maxConnections;
		return self();
	}

	/**
	 * Sets how many times an acceptor waits for room when a connection limit is reached before
	 * it closes the new connection. Default 5, not negative. Thousand Island's
	 * {@code max_connections_retry_count}.
	 * @param count the number of waits
	 * @return this builder
	 */
	public ServerConfig.Builder maxConnectionsRetryCount(int count) {
		this.maxConnectionsRetryCount = count;
		return self();
	}

	/**
	 * Sets how long each such wait lasts; the acceptor accepts nothing meanwhile. Default 1 s, not
	 * negative. Thousand Island's {@code max_connections_retry_wait}.
	 * @param wait the length of one wait
	 * @return this builder
	 */
	public ServerConfig.Builder maxConnectionsRetryWait(Duration wait) {
		this.maxConnectionsRetryWait = wait;
		return self();
	}

	/**
	 * Sets the longest pause between accept attempts while accept(2) keeps failing (out of
	 * descriptors or memory, or any other error): the first failure is retried at once, the next
	 * after 1 ms, each following one after twice the pause before, up to this. Default 100 ms, at
	 * least 1 ms; see {@code docs/accept-errors.md}. Not a Thousand Island option.
	 * @param maxAcceptBackoff the longest pause
	 * @return this builder
	 */
	public ServerConfig.Builder maxAcceptBackoff(Duration maxAcceptBackoff) {
		this.maxAcceptBackoff = maxAcceptBackoff;
		return self();
	}

	/** The builder this is; the cast holds because the only subclass chain ends in it. */
	final ServerConfig.Builder self() {
		return (ServerConfig.Builder) this;
	}

}
