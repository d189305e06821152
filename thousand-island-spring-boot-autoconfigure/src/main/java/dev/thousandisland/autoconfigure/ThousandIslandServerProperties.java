package dev.thousandisland.autoconfigure;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

import dev.thousandisland.DataBuffers;
import dev.thousandisland.ServerConfig;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Settings of one Thousand Island server. The top-level {@code thousandisland.*} values are the
 * defaults of every server; {@code thousandisland.servers.<name>.*} overrides them for one. Named
 * apart from Spring Boot's own {@code ServerProperties} ({@code server.*}), which configures the
 * web server. The kernel socket options are inherited from {@link ThousandIslandSocketProperties};
 * TLS is the nested {@code ssl} group, framing the nested {@code framing} group, the PROXY protocol
 * the nested {@code proxy-protocol} group.
 *
 * @see ThousandIslandProperties
 */
public class ThousandIslandServerProperties extends ThousandIslandSocketProperties {

	/**
	 * Whether to start this server.
	 */
	private boolean enabled = true;

	/**
	 * Name of the Handler bean the server runs. Defaults to the server's name.
	 */
	private @Nullable String handler;

	/**
	 * TCP port to listen on. 0 picks a free port, published in the
	 * local.thousandisland.servers.*.port property.
	 */
	private int port = 4000;

	/**
	 * Network address to bind to. Defaults to every interface.
	 */
	private @Nullable InetAddress address;

	/**
	 * Unix domain socket path to listen on instead of a TCP port.
	 */
	private @Nullable Path unixPath;

	/**
	 * Number of accept loops. Each admits at most max-connections-per-acceptor connections.
	 */
	private int acceptors = 10;

	/**
	 * Number of listen sockets sharing the port with SO_REUSEPORT, each served by its own
	 * acceptors. More than one needs reuse-port.
	 */
	private int listenSockets = 1;

	/**
	 * Maximum number of live connections each acceptor admits.
	 */
	private int maxConnectionsPerAcceptor = 16384;

	/**
	 * Maximum number of live connections on the whole server. When not set, acceptors times
	 * max-connections-per-acceptor.
	 */
	private @Nullable Integer maxConnections;

	/**
	 * Number of times an acceptor waits for room when a connection limit is reached before
	 * closing the new connection.
	 */
	private int maxConnectionsRetryCount = 5;

	/**
	 * Length of each wait for room when a connection limit is reached.
	 */
	private Duration maxConnectionsRetryWait = Duration.ofSeconds(1);

	/**
	 * Time a connection may wait for data between handler callbacks before handleTimeout runs.
	 */
	private Duration readTimeout = Duration.ofSeconds(60);

	/**
	 * Time a send may block before the connection is closed.
	 */
	private Duration sendTimeout = Duration.ofSeconds(30);

	/**
	 * Time connections get to finish when the server stops gracefully. When not set, or when
	 * longer, spring.lifecycle.timeout-per-shutdown-phase applies.
	 */
	private @Nullable Duration shutdownTimeout;

	/**
	 * Time a connection waits with nothing to do before its virtual thread ends; data, a told
	 * message, the read deadline or shutdown start a new one, and the connection's state carries
	 * over. 0 (the default) hibernates at every wait; thread identity and ThreadLocals such as an
	 * MDC do not survive a hibernation. A duration of 100 years or more means never: one thread
	 * for the connection's life.
	 */
	private Duration hibernateAfter = Duration.ZERO;

	/**
	 * Number of threads that watch waiting connections for readiness. The number of processors
	 * when not set.
	 */
	private @Nullable Integer pollers;

	/**
	 * Whether the handler promises that its callbacks never block, so that a connection with data
	 * to read is served on the thread of the poller that found it readable instead of on a thread
	 * started for it. A callback that waits on the socket hands polling to a new thread first; one
	 * that blocks elsewhere for longer than poller-callback-limit is moved to a thread of its own
	 * for good, with a warning. Connections then hibernate at every wait.
	 */
	private boolean callbacksOnPoller;

	/**
	 * Longest a callback may run on a poller's thread under callbacks-on-poller before its
	 * connection is moved to a thread of its own. At least 1ms.
	 */
	private Duration pollerCallbackLimit = Duration.ofMillis(100);

	/**
	 * Longest pause between accept attempts while accepting keeps failing (out of descriptors,
	 * buffers or memory, or any other error); the pause starts at 1 ms after the second failure in
	 * a row and doubles up to this. At least 1ms.
	 */
	private Duration maxAcceptBackoff = Duration.ofMillis(100);

	/**
	 * Who owns the buffer a handler's handleData receives. 'owned' (a copy the handler may keep)
	 * is the safe choice; 'lent' lends the pooled read buffer for the callback only, zero-copy, for
	 * handlers that never keep it; 'lent-checked' is 'lent' with use after the callback detected,
	 * for tests.
	 */
	private DataBuffers dataBuffers = DataBuffers.OWNED;

	/**
	 * Number of 64 KiB direct read buffers each server keeps for reuse.
	 */
	private int readBufferPoolSize = 64;

	/**
	 * Whether to log handler results that end a connection with an error. Exceptions thrown by
	 * a handler are always logged.
	 */
	private boolean logErrorResults = true;

	/**
	 * Most messages a connection's mailbox holds before Connection.tell throws
	 * MailboxFullException.
	 */
	private int mailboxCapacity = ServerConfig.DEFAULT_MAILBOX_CAPACITY;

	/**
	 * TLS settings.
	 */
	@NestedConfigurationProperty
	private final ThousandIslandSslProperties ssl = new ThousandIslandSslProperties();

	/**
	 * Framing of a server that runs a FramedHandler bean.
	 */
	@NestedConfigurationProperty
	private final ThousandIslandFramingProperties framing = new ThousandIslandFramingProperties();

	/**
	 * PROXY protocol settings.
	 */
	@NestedConfigurationProperty
	private final ThousandIslandProxyProtocolProperties proxyProtocol = new ThousandIslandProxyProtocolProperties();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable String getHandler() {
		return this.handler;
	}

	public void setHandler(@Nullable String handler) {
		this.handler = handler;
	}

	public int getPort() {
		return this.port;
	}

	public void setPort(int port) {
		this.port = port;
	}

	public @Nullable InetAddress getAddress() {
		return this.address;
	}

	public void setAddress(@Nullable InetAddress address) {
		this.address = address;
	}

	public @Nullable Path getUnixPath() {
		return this.unixPath;
	}

	public void setUnixPath(@Nullable Path unixPath) {
		this.unixPath = unixPath;
	}

	public int getAcceptors() {
		return this.acceptors;
	}

	public void setAcceptors(int acceptors) {
		this.acceptors = acceptors;
	}

	public int getListenSockets() {
		return this.listenSockets;
	}

	public void setListenSockets(int listenSockets) {
		this.listenSockets = listenSockets;
	}

	public int getMaxConnectionsPerAcceptor() {
		return this.maxConnectionsPerAcceptor;
	}

	public void setMaxConnectionsPerAcceptor(int maxConnectionsPerAcceptor) {
		this.maxConnectionsPerAcceptor = maxConnectionsPerAcceptor;
	}

	public @Nullable Integer getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(@Nullable Integer maxConnections) {
		this.maxConnections = maxConnections;
	}

	public int getMaxConnectionsRetryCount() {
		return this.maxConnectionsRetryCount;
	}

	public void setMaxConnectionsRetryCount(int maxConnectionsRetryCount) {
		this.maxConnectionsRetryCount = maxConnectionsRetryCount;
	}

	public Duration getMaxConnectionsRetryWait() {
		return this.maxConnectionsRetryWait;
	}

	public void setMaxConnectionsRetryWait(Duration maxConnectionsRetryWait) {
		this.maxConnectionsRetryWait = maxConnectionsRetryWait;
	}

	public Duration getReadTimeout() {
		return this.readTimeout;
	}

	public void setReadTimeout(Duration readTimeout) {
		this.readTimeout = readTimeout;
	}

	public Duration getSendTimeout() {
		return this.sendTimeout;
	}

	public void setSendTimeout(Duration sendTimeout) {
		this.sendTimeout = sendTimeout;
	}

	public @Nullable Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(@Nullable Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public Duration getHibernateAfter() {
		return this.hibernateAfter;
	}

	public void setHibernateAfter(Duration hibernateAfter) {
		this.hibernateAfter = hibernateAfter;
	}

	public @Nullable Integer getPollers() {
		return this.pollers;
	}

	public void setPollers(@Nullable Integer pollers) {
		this.pollers = pollers;
	}

	public boolean isCallbacksOnPoller() {
		return this.callbacksOnPoller;
	}

	public void setCallbacksOnPoller(boolean callbacksOnPoller) {
		this.callbacksOnPoller = callbacksOnPoller;
	}

	public Duration getPollerCallbackLimit() {
		return this.pollerCallbackLimit;
	}

	public void setPollerCallbackLimit(Duration pollerCallbackLimit) {
		this.pollerCallbackLimit = pollerCallbackLimit;
	}

	public Duration getMaxAcceptBackoff() {
		return this.maxAcceptBackoff;
	}

	public void setMaxAcceptBackoff(Duration maxAcceptBackoff) {
		this.maxAcceptBackoff = maxAcceptBackoff;
	}

	public int getMailboxCapacity() {
		return this.mailboxCapacity;
	}

	public void setMailboxCapacity(int mailboxCapacity) {
		this.mailboxCapacity = mailboxCapacity;
	}

	public DataBuffers getDataBuffers() {
		return this.dataBuffers;
	}

	public void setDataBuffers(DataBuffers dataBuffers) {
		this.dataBuffers = dataBuffers;
	}

	public int getReadBufferPoolSize() {
		return this.readBufferPoolSize;
	}

	public void setReadBufferPoolSize(int readBufferPoolSize) {
		this.readBufferPoolSize = readBufferPoolSize;
	}

	public boolean isLogErrorResults() {
		return this.logErrorResults;
	}

	public void setLogErrorResults(boolean logErrorResults) {
		this.logErrorResults = logErrorResults;
	}

	public ThousandIslandSslProperties getSsl() {
		return this.ssl;
	}

	public ThousandIslandFramingProperties getFraming() {
		return this.framing;
	}

	public ThousandIslandProxyProtocolProperties getProxyProtocol() {
		return this.proxyProtocol;
	}

}
