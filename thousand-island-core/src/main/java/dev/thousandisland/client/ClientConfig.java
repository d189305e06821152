package dev.thousandisland.client;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.thousandisland.InvalidOptionException;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.telemetry.TelemetryListener;
import dev.thousandisland.transport.Transport;

/**
 * How a {@link ClientConnection} reaches its server and talks to it. Build one with
 * {@link #builder(Framing)}; every option but the address and the reply framing has a default.
 *
 * @param name a name for logs, the client's thread and telemetry ({@code client})
 * @param address where to connect: an unresolved {@link InetSocketAddress} (resolved again on every
 * attempt, so a moved DNS name is followed) or a {@link UnixDomainSocketAddress}
 * @param transport plain ({@link Transport#plain()}, the default) or a client-mode
 * {@link dev.thousandisland.transport.TlsTransport}
 * @param replyFraming how replies are cut from the byte stream: one frame is one reply; for a
 * protocol like RESP whose replies are not one delimited frame, a {@link Framing} whose
 * {@link Framing#nextFrame} returns the length of the next whole reply
 * @param requestFraming how a request payload is framed on the wire, or {@code null} (the
 * default) to write payloads exactly as given
 * @param connectTimeout the longest a connect attempt (TCP connect and transport handshake) may
 * take (5 s)
 * @param backoff the waits between connect attempts ({@link Backoff#DEFAULT})
 * @param queueSize the most requests the client holds at once, waiting to be written or waiting
 * for their reply; more fail with {@link QueueFullException}; 0 refuses requests while not
 * connected ({@link NotConnectedException}) and puts no bound on them while connected (1024)
 * @param requestTimeout the timeout of requests made without one (5 s)
 * @param handler told of connects, drops and messages ({@link ClientHandler#NONE})
 * @param telemetryListeners where the client's telemetry events go (none)
 * @param onRequestTimeout what a request that times out after it was written costs: only itself,
 * its late reply discarded ({@link RequestTimeoutAction#DISCARD_LATE_REPLY}, the default), or the
 * connection ({@link RequestTimeoutAction#DROP_CONNECTION})
 * @param maxLateReplies with {@code DISCARD_LATE_REPLY}, the most timed-out requests whose replies
 * a connection may owe at once; one more drops it (16)
 * @param lateReplyTimeout with {@code DISCARD_LATE_REPLY}, how long after its request timed out a
 * late reply may take before the connection is dropped (30 s: blocking commands such as Redis's
 * {@code BLPOP} legitimately answer late)
 * @param liveness TCP keep-alive and the idle check, how a peer that vanished without closing is
 * noticed ({@link Liveness#NONE})
 */
public record ClientConfig(String name, SocketAddress address, Transport transport, Framing replyFraming,
		Framing requestFraming, Duration connectTimeout, Backoff backoff, int queueSize, Duration requestTimeout,
		ClientHandler handler, List<TelemetryListener> telemetryListeners, RequestTimeoutAction onRequestTimeout,
		int maxLateReplies, Duration lateReplyTimeout, Liveness liveness) {

	/**
	 * Checks the values.
	 * @param name the client's name
	 * @param address where to connect
	 * @param transport plain or TLS
	 * @param replyFraming how replies are cut
	 * @param requestFraming how requests are framed, or {@code null}
	 * @param connectTimeout the longest connect attempt
	 * @param backoff the waits between attempts
	 * @param queueSize the most requests held
	 * @param requestTimeout the default request timeout
	 * @param handler the handler
	 * @param telemetryListeners the telemetry listeners
	 * @param onRequestTimeout what a timeout after writing costs
	 * @param maxLateReplies the most late replies owed at once
	 * @param lateReplyTimeout how long a late reply may take
	 * @param liveness keep-alive and idle check
	 */
	public ClientConfig {
		Objects.requireNonNull(name, "name");
		if (!(address instanceof InetSocketAddress) && !(address instanceof UnixDomainSocketAddress)) {
			throw new InvalidOptionException("address", address, "must be a host and port or a Unix socket path");
		}
		Objects.requireNonNull(transport, "transport");
		Objects.requireNonNull(replyFraming, "replyFraming");
		requirePositive("connectTimeout", connectTimeout);
		Objects.requireNonNull(backoff, "backoff");
		if (queueSize < 0) {
			throw new InvalidOptionException("queueSize", queueSize, "must be 0 (no queueing) or positive");
		}
		requirePositive("requestTimeout", requestTimeout);
		Objects.requireNonNull(handler, "handler");
		telemetryListeners = List.copyOf(telemetryListeners);
		Objects.requireNonNull(onRequestTimeout, "onRequestTimeout");
		if (maxLateReplies < 1) {
			throw new InvalidOptionException("maxLateReplies", maxLateReplies, "must be at least 1");
		}
		requirePositive("lateReplyTimeout", lateReplyTimeout);
		Objects.requireNonNull(liveness, "liveness");
	}

	/**
	 * Starts a configuration whose replies are cut by {@code replyFraming}.
	 * @param replyFraming how replies are cut from the byte stream
	 * @return a builder
	 */
	public static Builder builder(Framing replyFraming) {
		return new Builder(replyFraming);
	}

	/**
	 * Returns the same configuration under another name (a pool names its members so).
	 * @param name the name
	 * @return the configuration
	 */
	public ClientConfig withName(String name) {
		return new ClientConfig(name, this.address, this.transport, this.replyFraming, this.requestFraming,
				this.connectTimeout, this.backoff, this.queueSize, this.requestTimeout, this.handler,
				this.telemetryListeners, this.onRequestTimeout, this.maxLateReplies, this.lateReplyTimeout,
				this.liveness);
	}

	static void requirePositive(String option, Duration value) {
		Objects.requireNonNull(value, option);
		if (value.isNegative() || value.isZero()) {
			throw new InvalidOptionException(option, value, "must be positive");
		}
	}

	/**
	 * Builds a {@link ClientConfig}.
	 */
	public static final class Builder {

		private final Framing replyFraming;

		private String name = "client";

		private SocketAddress address;

		private Transport transport = Transport.plain();

		private Framing requestFraming;

		private Duration connectTimeout = Duration.ofSeconds(5);

		private Backoff backoff = Backoff.DEFAULT;

		private int queueSize = 1024;

		private Duration requestTimeout = Duration.ofSeconds(5);

		private ClientHandler handler = ClientHandler.NONE;

		private List<TelemetryListener> telemetryListeners = List.of();

		private RequestTimeoutAction onRequestTimeout = RequestTimeoutAction.DISCARD_LATE_REPLY;

		private int maxLateReplies = 16;

		private Duration lateReplyTimeout = Duration.ofSeconds(30);
		private boolean keepAlive;

		private Duration keepAliveIdle;

		private Duration keepAliveInterval;

		private int keepAliveCount;

		private Duration idleCheckInterval;

		private Duration idleCheckTimeout;

		private Builder(Framing replyFraming) {
			this.replyFraming = replyFraming;
		}

		/**
		 * Connects over TCP to {@code host:port}; the name is resolved on each attempt.
		 * @param host a host name or address
		 * @param port the port
		 * @return this builder
		 */
		public Builder tcp(String host, int port) {
			this.address = InetSocketAddress.createUnresolved(host, port);
			return this;
		}

		/**
		 * Connects to a Unix domain socket.
		 * @param path the socket's path
		 * @return this builder
		 */
		public Builder unix(Path path) {
			this.address = UnixDomainSocketAddress.of(path);
			return this;
		}

		/**
		 * Sets the client's name (default {@code client}).
		 * @param name the name
		 * @return this builder
		 */
		public Builder name(String name) {
			this.name = name;
			return this;
		}

		/**
		 * Sets the transport (default plain).
		 * @param transport the transport; for TLS, built with
		 * {@link dev.thousandisland.transport.TlsTransport.Builder#clientMode(String)}
		 * @return this builder
		 */
		public Builder transport(Transport transport) {
			this.transport = transport;
			return this;
		}

		/**
		 * Frames every request payload with {@code requestFraming} (default: payloads go out as
		 * they are).
		 * @param requestFraming the framing, which must implement {@link Framing#encode}
		 * @return this builder
		 */
		public Builder requestFraming(Framing requestFraming) {
			this.requestFraming = requestFraming;
			return this;
		}

		/**
		 * Sets the connect timeout (default 5 s).
		 * @param connectTimeout the timeout
		 * @return this builder
		 */
		public Builder connectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
			return this;
		}

		/**
		 * Sets the backoff between connect attempts (default {@link Backoff#DEFAULT}).
		 * @param backoff the backoff
		 * @return this builder
		 */
		public Builder backoff(Backoff backoff) {
			this.backoff = backoff;
			return this;
		}

		/**
		 * Sets the most requests held at once (default 1024; 0 refuses requests while not
		 * connected).
		 * @param queueSize the bound
		 * @return this builder
		 */
		public Builder queueSize(int queueSize) {
			this.queueSize = queueSize;
			return this;
		}

		/**
		 * Sets the timeout of requests made without one (default 5 s).
		 * @param requestTimeout the timeout
		 * @return this builder
		 */
		public Builder requestTimeout(Duration requestTimeout) {
			this.requestTimeout = requestTimeout;
			return this;
		}

		/**
		 * Sets the handler (default {@link ClientHandler#NONE}).
		 * @param handler the handler
		 * @return this builder
		 */
		public Builder handler(ClientHandler handler) {
			this.handler = handler;
			return this;
		}

		/**
		 * Sets the telemetry listeners (default none).
		 * @param listeners the listeners
		 * @return this builder
		 */
		public Builder telemetryListeners(List<TelemetryListener> listeners) {
			this.telemetryListeners = listeners;
			return this;
		}

		/**
		 * Sets what a request that times out after it was written costs (default
		 * {@link RequestTimeoutAction#DISCARD_LATE_REPLY}: only itself).
		 * @param action discard its late reply, or drop the connection at once
		 * @return this builder
		 */
		public Builder onRequestTimeout(RequestTimeoutAction action) {
			this.onRequestTimeout = action;
			return this;
		}

		/**
		 * Turns TCP keep-alive ({@code SO_KEEPALIVE}) on or off (default off), with the system's
		 * probe timing (on Linux, 2 hours idle before the first probe unless the host was tuned).
		 * Ignored for Unix sockets.
		 * @param keepAlive whether to set it
		 * @return this builder
		 */
		public Builder keepAlive(boolean keepAlive) {
			this.keepAlive = keepAlive;
			if (!keepAlive) {
				this.keepAliveIdle = null;
				this.keepAliveInterval = null;
				this.keepAliveCount = 0;
			}
			return this;
		}

		/**
		 * Sets the most timed-out requests whose late replies a connection may owe at once before
		 * it is dropped (default 16; used with {@link RequestTimeoutAction#DISCARD_LATE_REPLY}).
		 * @param maxLateReplies the bound, at least 1
		 * @return this builder
		 */
		public Builder maxLateReplies(int maxLateReplies) {
			this.maxLateReplies = maxLateReplies;
			return this;
		}

		/**
		 * Turns TCP keep-alive on with its probe timing ({@code TCP_KEEPIDLE},
		 * {@code TCP_KEEPINTERVAL}, {@code TCP_KEEPCOUNT}): a peer that vanished is noticed about
		 * {@code idle + interval * count} after the last byte exchanged. Where the platform lacks
		 * these options, keep-alive is set with the system's timing and a warning is logged once.
		 * @param idle idle time before the first probe, whole seconds from 1 to 32767
		 * @param interval time between probes, whole seconds from 1 to 32767
		 * @param count unanswered probes that end the connection, 1 to 127
		 * @return this builder
		 */
		public Builder keepAlive(Duration idle, Duration interval, int count) {
			this.keepAlive = true;
			this.keepAliveIdle = Objects.requireNonNull(idle, "keepAliveIdle");
			this.keepAliveInterval = Objects.requireNonNull(interval, "keepAliveInterval");
			if (count <= 0) {
				throw new InvalidOptionException("keepAliveCount", count, "must be from 1 to 127");
			}
			this.keepAliveCount = count;
			return this;
		}

		/**
		 * Sets how long after its request timed out a late reply may take before the connection is
		 * dropped (default 30 s; used with {@link RequestTimeoutAction#DISCARD_LATE_REPLY}).
		 * @param lateReplyTimeout the limit
		 * @return this builder
		 */
		public Builder lateReplyTimeout(Duration lateReplyTimeout) {
			this.lateReplyTimeout = lateReplyTimeout;
			return this;
		}

		/**
		 * Turns the idle check on (default off): when nothing was received for {@code interval}
		 * and no request waits for a reply, the handler's {@link ClientHandler#ping ping} is sent;
		 * no reply within {@code timeout} drops the connection, and the client reconnects.
		 * @param interval how long the connection may be idle before a ping
		 * @param timeout how long the ping's reply may take
		 * @return this builder
		 */
		public Builder idleCheck(Duration interval, Duration timeout) {
			this.idleCheckInterval = Objects.requireNonNull(interval, "idleCheckInterval");
			this.idleCheckTimeout = Objects.requireNonNull(timeout, "idleCheckTimeout");
			return this;
		}

		/**
		 * Builds the configuration.
		 * @return the configuration
		 * @throws InvalidOptionException if no address was set or a value is out of range
		 */
		public ClientConfig build() {
			if (this.address == null) {
				throw new InvalidOptionException("address", null, "set one with tcp(host, port) or unix(path)");
			}
			return new ClientConfig(this.name, this.address, this.transport, this.replyFraming, this.requestFraming,
					this.connectTimeout, this.backoff, this.queueSize, this.requestTimeout, this.handler,
					this.telemetryListeners, this.onRequestTimeout, this.maxLateReplies, this.lateReplyTimeout,
					new Liveness(this.keepAlive, this.keepAliveIdle, this.keepAliveInterval, this.keepAliveCount,
							this.idleCheckInterval, this.idleCheckTimeout));
		}

	}

}
