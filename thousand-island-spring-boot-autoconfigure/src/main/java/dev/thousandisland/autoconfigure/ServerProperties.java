package dev.thousandisland.autoconfigure;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.util.unit.DataSize;

import dev.thousandisland.transport.ClientAuth;

/**
 * Settings of one Thousand Island server. The top-level {@code thousandisland.*} values are the
 * defaults; {@code thousandisland.servers.<name>.*} overrides them for one server.
 *
 * @see ThousandIslandProperties
 */
public class ServerProperties {

	/**
	 * Whether to start this server.
	 */
	private boolean enabled = true;

	/**
	 * Name of the Handler bean the server runs. Defaults to the server's name.
	 */
	private String handler;

	/**
	 * TCP port to listen on; 0 picks a free port (published as local.thousandisland.port).
	 */
	private int port = 4000;

	/**
	 * Network address to bind to. Defaults to every interface.
	 */
	private InetAddress address;

	/**
	 * Unix domain socket path to listen on instead of a TCP port.
	 */
	private Path unixPath;

	/**
	 * Number of accept loops, each with its own share of the connections.
	 */
	private int numAcceptors = 10;

	/**
	 * Number of listen sockets sharing the port with SO_REUSEPORT. More than one needs
	 * reuse-port.
	 */
	private int numListenSockets = 1;

	/**
	 * Maximum number of live connections per acceptor (Thousand Island's num_connections).
	 */
	private int numConnections = 16384;

	/**
	 * Maximum number of live connections on the whole server. Unlimited when not set.
	 */
	private Integer maxConnections;

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
	 * Time the TLS handshake may take.
	 */
	private Duration handshakeTimeout = Duration.ofSeconds(5);

	/**
	 * Time connections get to finish when the server stops on its own. Within a Spring context
	 * the shorter of this and spring.lifecycle.timeout-per-shutdown-phase applies.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(15);

	/**
	 * Time a send may block before the connection is closed.
	 */
	private Duration sendTimeout = Duration.ofSeconds(30);

	/**
	 * Time a connection waits with nothing to do before its virtual thread ends; data, a told
	 * message, the read deadline or shutdown start a new one, and the connection's state carries
	 * over. 0 hibernates at every wait. Never when not set: one thread for the connection's life.
	 */
	private Duration hibernateAfter;

	/**
	 * Length of the listen queue.
	 */
	private int backlog = 1024;

	/**
	 * Whether to set TCP_NODELAY on accepted connections.
	 */
	private boolean tcpNoDelay = true;

	/**
	 * Whether to set SO_REUSEADDR on listen sockets.
	 */
	private boolean reuseAddress = true;

	/**
	 * Whether to set SO_REUSEPORT on listen sockets.
	 */
	private boolean reusePort;

	/**
	 * Whether to set SO_KEEPALIVE on accepted connections. Left to the system when not set.
	 */
	private Boolean keepAlive;

	/**
	 * Size of the kernel send buffer of accepted connections (SO_SNDBUF). Left to the system
	 * when not set.
	 */
	private DataSize sendBufferSize;

	/**
	 * Size of the kernel receive buffer of accepted connections (SO_RCVBUF). Left to the system
	 * when not set.
	 */
	private DataSize receiveBufferSize;

	/**
	 * Number of threads that watch waiting connections for readiness. The number of processors
	 * when not set.
	 */
	private Integer numPollers;

	/**
	 * Longest pause between accept attempts while accepting keeps failing (out of descriptors,
	 * buffers or memory, or any other error); the pause starts at 1 ms after the second failure in
	 * a row and doubles up to this. At least 1ms.
	 */
	private Duration maxAcceptBackoff = Duration.ofMillis(100);

	/**
	 * Whether handler results that end a connection with an error are not logged. Exceptions
	 * are always logged.
	 */
	private boolean silentTerminateOnError;

	/**
	 * TLS settings.
	 */
	private final Ssl ssl = new Ssl();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getHandler() {
		return this.handler;
	}

	public void setHandler(String handler) {
		this.handler = handler;
	}

	public int getPort() {
		return this.port;
	}

	public void setPort(int port) {
		this.port = port;
	}

	public InetAddress getAddress() {
		return this.address;
	}

	public void setAddress(InetAddress address) {
		this.address = address;
	}

	public Path getUnixPath() {
		return this.unixPath;
	}

	public void setUnixPath(Path unixPath) {
		this.unixPath = unixPath;
	}

	public int getNumAcceptors() {
		return this.numAcceptors;
	}

	public void setNumAcceptors(int numAcceptors) {
		this.numAcceptors = numAcceptors;
	}

	public int getNumListenSockets() {
		return this.numListenSockets;
	}

	public void setNumListenSockets(int numListenSockets) {
		this.numListenSockets = numListenSockets;
	}

	public int getNumConnections() {
		return this.numConnections;
	}

	public void setNumConnections(int numConnections) {
		this.numConnections = numConnections;
	}

	public Integer getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(Integer maxConnections) {
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

	public Duration getHandshakeTimeout() {
		return this.handshakeTimeout;
	}

	public void setHandshakeTimeout(Duration handshakeTimeout) {
		this.handshakeTimeout = handshakeTimeout;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public Duration getHibernateAfter() {
		return this.hibernateAfter;
	}

	public void setHibernateAfter(Duration hibernateAfter) {
		this.hibernateAfter = hibernateAfter;
	}

	public Duration getSendTimeout() {
		return this.sendTimeout;
	}

	public void setSendTimeout(Duration sendTimeout) {
		this.sendTimeout = sendTimeout;
	}

	public int getBacklog() {
		return this.backlog;
	}

	public void setBacklog(int backlog) {
		this.backlog = backlog;
	}

	public boolean isTcpNoDelay() {
		return this.tcpNoDelay;
	}

	public void setTcpNoDelay(boolean tcpNoDelay) {
		this.tcpNoDelay = tcpNoDelay;
	}

	public boolean isReuseAddress() {
		return this.reuseAddress;
	}

	public void setReuseAddress(boolean reuseAddress) {
		this.reuseAddress = reuseAddress;
	}

	public boolean isReusePort() {
		return this.reusePort;
	}

	public void setReusePort(boolean reusePort) {
		this.reusePort = reusePort;
	}

	public Boolean getKeepAlive() {
		return this.keepAlive;
	}

	public void setKeepAlive(Boolean keepAlive) {
		this.keepAlive = keepAlive;
	}

	public DataSize getSendBufferSize() {
		return this.sendBufferSize;
	}

	public void setSendBufferSize(DataSize sendBufferSize) {
		this.sendBufferSize = sendBufferSize;
	}

	public DataSize getReceiveBufferSize() {
		return this.receiveBufferSize;
	}

	public void setReceiveBufferSize(DataSize receiveBufferSize) {
		this.receiveBufferSize = receiveBufferSize;
	}

	public Integer getNumPollers() {
		return this.numPollers;
	}

	public void setNumPollers(Integer numPollers) {
		this.numPollers = numPollers;
	}

	public Duration getMaxAcceptBackoff() {
		return this.maxAcceptBackoff;
	}

	public void setMaxAcceptBackoff(Duration maxAcceptBackoff) {
		this.maxAcceptBackoff = maxAcceptBackoff;
	}

	public boolean isSilentTerminateOnError() {
		return this.silentTerminateOnError;
	}

	public void setSilentTerminateOnError(boolean silentTerminateOnError) {
		this.silentTerminateOnError = silentTerminateOnError;
	}

	public Ssl getSsl() {
		return this.ssl;
	}

	/**
	 * TLS settings of a server.
	 */
	public static class Ssl {

		/**
		 * Name of the SSL bundle (spring.ssl.bundle.*) holding the server's key material. TLS
		 * is off when not set. With reload-on-update on the bundle, new connections use a
		 * renewed certificate without a restart.
		 */
		private String bundle;

		/**
		 * Whether clients are asked for a certificate.
		 */
		private ClientAuth clientAuth = ClientAuth.NONE;

		/**
		 * Enabled protocols. Defaults to the bundle's enabled protocols, else TLSv1.3 and
		 * TLSv1.2.
		 */
		private List<String> protocols = new ArrayList<>();

		/**
		 * Enabled cipher suites. Defaults to the bundle's ciphers, else the JDK's defaults.
		 */
		private List<String> ciphers = new ArrayList<>();

		/**
		 * ALPN protocols offered to clients, most preferred first.
		 */
		private List<String> applicationProtocols = new ArrayList<>();

		public String getBundle() {
			return this.bundle;
		}

		public void setBundle(String bundle) {
			this.bundle = bundle;
		}

		public ClientAuth getClientAuth() {
			return this.clientAuth;
		}

		public void setClientAuth(ClientAuth clientAuth) {
			this.clientAuth = clientAuth;
		}

		public List<String> getProtocols() {
			return this.protocols;
		}

		public void setProtocols(List<String> protocols) {
			this.protocols = protocols;
		}

		public List<String> getCiphers() {
			return this.ciphers;
		}

		public void setCiphers(List<String> ciphers) {
			this.ciphers = ciphers;
		}

		public List<String> getApplicationProtocols() {
			return this.applicationProtocols;
		}

		public void setApplicationProtocols(List<String> applicationProtocols) {
			this.applicationProtocols = applicationProtocols;
		}

	}

}
