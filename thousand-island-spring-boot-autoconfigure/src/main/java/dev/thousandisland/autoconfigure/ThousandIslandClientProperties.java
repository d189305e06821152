package dev.thousandisland.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

import dev.thousandisland.client.RequestTimeoutAction;

/**
 * Settings of one Thousand Island client, under {@code thousandisland.clients.<name>.*}: where it
 * connects, how it reconnects, how its requests queue and how its replies are framed. Each client
 * becomes a {@link ThousandIslandClient} in {@link ThousandIslandClients}, started with the
 * application context.
 *
 * @see dev.thousandisland.client.ClientConfig
 */
public class ThousandIslandClientProperties {

	/**
	 * Host name or address of the server to connect to, resolved again on every connect attempt.
	 * Not used with unix-path.
	 */
	private String host = "localhost";

	/**
	 * TCP port of the server to connect to. Required unless unix-path is set.
	 */
	private @Nullable Integer port;

	/**
	 * Path of a Unix domain socket to connect to instead of a TCP host and port.
	 */
	private @Nullable Path unixPath;

	/**
	 * Name of the SSL bundle (spring.ssl.bundle.*) whose trust material verifies the server; its
	 * key material, if any, is the client certificate. The server's certificate must be issued
	 * for the host (or ssl-server-name). Not set: plain TCP.
	 */
	private @Nullable String sslBundle;

	/**
	 * Host name the server's certificate must carry and that is sent with SNI. Defaults to host.
	 */
	private @Nullable String sslServerName;

	/**
	 * Longest a connect attempt (TCP connect and TLS handshake) may take.
	 */
	private Duration connectTimeout = Duration.ofSeconds(5);

	/**
	 * Number of connections: 1 is a single ClientConnection, more make a ClientPool that sends each
	 * request to the one with the fewest outstanding; with pool.max-size, a growing pool's minimum.
	 */
	private int poolSize = 1;

	/**
	 * How a pool grows past pool-size under load and shrinks back.
	 */
	@NestedConfigurationProperty
	private final ThousandIslandClientPoolProperties pool = new ThousandIslandClientPoolProperties();

	/**
	 * Timeout of requests made without one, waiting in the queue included.
	 */
	private Duration requestTimeout = Duration.ofSeconds(5);

	/**
	 * Most requests one connection holds at once, queued or waiting for their reply; more fail
	 * with QueueFullException. 0 refuses requests while not connected.
	 */
	private int queueSize = 1024;

	/**
	 * What a request that times out after it was written costs: discard-late-reply keeps the
	 * connection and discards the reply when it comes; drop-connection drops the connection at
	 * once, failing the other requests written on it.
	 */
	private RequestTimeoutAction onRequestTimeout = RequestTimeoutAction.DISCARD_LATE_REPLY;

	/**
	 * With discard-late-reply, the most timed-out requests whose replies one connection may owe at
	 * once; one more drops the connection.
	 */
	private int maxLateReplies = 16;

	/**
	 * With discard-late-reply, how long after its request timed out a late reply may take before
	 * the connection is dropped.
	 */
	private Duration lateReplyTimeout = Duration.ofSeconds(30);

	/**
	 * Name of the ClientHandler bean told of connects, drops and messages. Not set: none.
	 */
	private @Nullable String handler;

	/**
	 * Waits between connect attempts.
	 */
	private final Backoff backoff = new Backoff();

	/**
	 * How replies are cut from the byte stream, and requests framed. Without a type, the
	 * Framing bean named "<name>Framing", or else the only Framing bean, cuts the replies.
	 */
	@NestedConfigurationProperty
	private final ThousandIslandFramingProperties framing = new ThousandIslandFramingProperties();

	/**
	 * Whether the built-in framing also frames each request payload (adds the line end, the
	 * length header); when false, payloads are written exactly as given.
	 */
	private boolean frameRequests = true;

	/**
	 * Whether TCP connections set SO_KEEPALIVE. Not set: on when a keep-alive timing is set,
	 * off otherwise. Unix sockets ignore it.
	 */
	private @Nullable Boolean keepAlive;

	/**
	 * Idle time before the first keep-alive probe (TCP_KEEPIDLE), whole seconds. Set together
	 * with keep-alive-interval and keep-alive-count; not set: the system's timing.
	 */
	private @Nullable Duration keepAliveIdle;

	/**
	 * Time between keep-alive probes (TCP_KEEPINTERVAL), whole seconds.
	 */
	private @Nullable Duration keepAliveInterval;

	/**
	 * Unanswered keep-alive probes that end the connection (TCP_KEEPCOUNT), 1 to 127.
	 */
	private @Nullable Integer keepAliveCount;

	/**
	 * Idle time, with nothing received and nothing in flight, after which the handler's ping is
	 * sent. Not set: no idle check.
	 */
	private @Nullable Duration idleCheckInterval;

	/**
	 * How long the idle check's ping may wait for its reply before the connection is dropped and
	 * made again.
	 */
	private Duration idleCheckTimeout = Duration.ofSeconds(5);

	public String getHost() {
		return this.host;
	}

	public void setHost(String host) {
		this.host = host;
	}

	public @Nullable Integer getPort() {
		return this.port;
	}

	public void setPort(@Nullable Integer port) {
		this.port = port;
	}

	public @Nullable Path getUnixPath() {
		return this.unixPath;
	}

	public void setUnixPath(@Nullable Path unixPath) {
		this.unixPath = unixPath;
	}

	public @Nullable String getSslBundle() {
		return this.sslBundle;
	}

	public void setSslBundle(@Nullable String sslBundle) {
		this.sslBundle = sslBundle;
	}

	public @Nullable String getSslServerName() {
		return this.sslServerName;
	}

	public void setSslServerName(@Nullable String sslServerName) {
		this.sslServerName = sslServerName;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public int getPoolSize() {
		return this.poolSize;
	}

	public void setPoolSize(int poolSize) {
		this.poolSize = poolSize;
	}

	public ThousandIslandClientPoolProperties getPool() {
		return this.pool;
	}

	public Duration getRequestTimeout() {
		return this.requestTimeout;
	}

	public void setRequestTimeout(Duration requestTimeout) {
		this.requestTimeout = requestTimeout;
	}

	public int getQueueSize() {
		return this.queueSize;
	}

	public void setQueueSize(int queueSize) {
		this.queueSize = queueSize;
	}

	public RequestTimeoutAction getOnRequestTimeout() {
		return this.onRequestTimeout;
	}

	public void setOnRequestTimeout(RequestTimeoutAction onRequestTimeout) {
		this.onRequestTimeout = onRequestTimeout;
	}

	public int getMaxLateReplies() {
		return this.maxLateReplies;
	}

	public void setMaxLateReplies(int maxLateReplies) {
		this.maxLateReplies = maxLateReplies;
	}

	public Duration getLateReplyTimeout() {
		return this.lateReplyTimeout;
	}

	public void setLateReplyTimeout(Duration lateReplyTimeout) {
		this.lateReplyTimeout = lateReplyTimeout;
	}

	public @Nullable String getHandler() {
		return this.handler;
	}

	public void setHandler(@Nullable String handler) {
		this.handler = handler;
	}

	public Backoff getBackoff() {
		return this.backoff;
	}

	public ThousandIslandFramingProperties getFraming() {
		return this.framing;
	}

	public boolean isFrameRequests() {
		return this.frameRequests;
	}

	public void setFrameRequests(boolean frameRequests) {
		this.frameRequests = frameRequests;
	}

	public @Nullable Boolean getKeepAlive() {
		return this.keepAlive;
	}

	public void setKeepAlive(@Nullable Boolean keepAlive) {
		this.keepAlive = keepAlive;
	}

	public @Nullable Duration getKeepAliveIdle() {
		return this.keepAliveIdle;
	}

	public void setKeepAliveIdle(@Nullable Duration keepAliveIdle) {
		this.keepAliveIdle = keepAliveIdle;
	}

	public @Nullable Duration getKeepAliveInterval() {
		return this.keepAliveInterval;
	}

	public void setKeepAliveInterval(@Nullable Duration keepAliveInterval) {
		this.keepAliveInterval = keepAliveInterval;
	}

	public @Nullable Integer getKeepAliveCount() {
		return this.keepAliveCount;
	}

	public void setKeepAliveCount(@Nullable Integer keepAliveCount) {
		this.keepAliveCount = keepAliveCount;
	}

	public @Nullable Duration getIdleCheckInterval() {
		return this.idleCheckInterval;
	}

	public void setIdleCheckInterval(@Nullable Duration idleCheckInterval) {
		this.idleCheckInterval = idleCheckInterval;
	}

	public Duration getIdleCheckTimeout() {
		return this.idleCheckTimeout;
	}

	public void setIdleCheckTimeout(Duration idleCheckTimeout) {
		this.idleCheckTimeout = idleCheckTimeout;
	}

	/**
	 * Waits between connect attempts: attempt n waits initial x multiplier^(n-1), capped at max,
	 * less a random part of up to jitter of it.
	 */
	public static class Backoff {

		/**
		 * Wait after the first failed attempt.
		 */
		private Duration initial = Duration.ofMillis(100);

		/**
		 * Longest wait between attempts.
		 */
		private Duration max = Duration.ofSeconds(5);

		/**
		 * Factor by which each wait grows.
		 */
		private double multiplier = 2.0;

		/**
		 * Largest fraction (0 to 1) taken off each wait at random, so that many clients cut off
		 * at once do not come back in the same instant.
		 */
		private double jitter = 0.2;

		/**
		 * Failed attempts in a row after which the client gives up (state FAILED); 0 never gives
		 * up.
		 */
		private int maxAttempts;

		public Duration getInitial() {
			return this.initial;
		}

		public void setInitial(Duration initial) {
			this.initial = initial;
		}

		public Duration getMax() {
			return this.max;
		}

		public void setMax(Duration max) {
			this.max = max;
		}

		public double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(double multiplier) {
			this.multiplier = multiplier;
		}

		public double getJitter() {
			return this.jitter;
		}

		public void setJitter(double jitter) {
			this.jitter = jitter;
		}

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

	}

}
