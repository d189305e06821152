package dev.thousandisland.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import dev.thousandisland.InvalidOptionException;
import dev.thousandisland.internal.channel.TlsBufferPool;
import dev.thousandisland.internal.channel.TlsChannel;

/**
 * TLS over TCP or Unix domain sockets, with {@link SSLEngine} over the connection's non-blocking
 * socket. The handshake runs on the connection's own virtual thread, never on an acceptor, bounded
 * by the server's {@code handshakeTimeout}.
 *
 * <p>The {@link SSLContext} can be replaced while the server runs ({@link #sslContext(SSLContext)}):
 * new connections use the new one, existing connections keep theirs. That is how a renewed
 * certificate is picked up without a restart.
 *
 * <p>One listener can serve several host names, each with its own context, chosen by the SNI
 * name in the ClientHello ({@link Builder#serverName}); protocols, suites and ALPN apply to all.
 * A ClientHello whose name could be read two ways is refused, and after every handshake the name
 * the engine negotiated must select the context that served it ({@link ServerNameRefusedException}).
 *
 * <p>The same transport speaks the client side of TLS when built with
 * {@link Builder#clientMode(String)}: the engine then starts the handshake, checks that the
 * server's certificate names the host (endpoint identification {@code HTTPS}, as browsers do) and
 * sends that host name with SNI. A client certificate, when the server asks for one, comes from
 * the key managers of the {@link SSLContext}.
 */
public final class TlsTransport implements Transport {

	/** The protocols enabled unless configured otherwise: TLS 1.3 and 1.2, nothing older. */
	public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

	private volatile SSLContext sslContext;

	private final AtomicReference<ServerNameContexts> serverNames;

	private final boolean rejectUnknownServerNames;

	private final List<String> protocols;

	private final List<String> cipherSuites;

	private final ClientAuth clientAuth;

	private final List<String> applicationProtocols;

	/** The server's host name for a client-mode transport; {@code null} on the server side. */
	private final String peerHostName;

	private final TlsEngines engines;

	private final LongAdder heldInboundBytes = new LongAdder();

	/** The full-size buffers its connections borrow while reading, shared so that a wake-up allocates none. */
	private final TlsBufferPool buffers = new TlsBufferPool();

	private TlsTransport(Builder builder) {
		this.sslContext = Objects.requireNonNull(builder.sslContext, "sslContext");
		this.protocols = List.copyOf(builder.protocols);
		this.cipherSuites = (builder.cipherSuites != null) ? List.copyOf(builder.cipherSuites) : null;
		this.clientAuth = builder.clientAuth;
		this.applicationProtocols = List.copyOf(builder.applicationProtocols);
		this.engines = new TlsEngines(this.protocols, this.cipherSuites, this.clientAuth, this.applicationProtocols);
		this.rejectUnknownServerNames = builder.rejectUnknownServerNames;
		this.peerHostName = builder.peerHostName;
		check(this.sslContext);
		this.serverNames = new AtomicReference<>(checkedNames(builder.serverNames));
	}

	/**
	 * Starts building a TLS transport.
	 * @param sslContext the context holding the server's key material (and trust material, for
	 * client certificates)
	 * @return a builder
	 */
	public static Builder builder(SSLContext sslContext) {
		return new Builder(sslContext);
	}

	/**
	 * Returns the context new connections use.
	 * @return the current context
	 */
	public SSLContext sslContext() {
		return this.sslContext;
	}

	/**
	 * Replaces the context for connections accepted from now on; live connections keep theirs.
	 * @param sslContext the new context
	 * @throws IllegalArgumentException if it does not support the configured protocols or cipher
	 * suites
	 */
	public void sslContext(SSLContext sslContext) {
		check(Objects.requireNonNull(sslContext, "sslContext"));
		this.sslContext = sslContext;
	}

	/**
	 * Returns the contexts chosen by the host name a client asks for (SNI).
	 * @return host names and wildcards, lower case and in ASCII form, to their contexts
	 */
	public Map<String, SSLContext> serverNames() {
		return this.serverNames.get().asMap();
	}

	/**
	 * Maps a host name, as {@link Builder#serverName}, for connections accepted from now on,
	 * replacing its context if it had one; live connections keep theirs.
	 * @param serverName a host name or wildcard
	 * @param sslContext its context
	 * @throws dev.thousandisland.InvalidOptionException as {@link Builder#serverName}
	 */
	public void serverName(String serverName, SSLContext sslContext) {
		check(Objects.requireNonNull(sslContext, "sslContext"));
		String normalised = ServerNameContexts.checkedName(serverName);
		this.serverNames.updateAndGet((names) -> names.with(normalised, sslContext));
	}

	/**
	 * Replaces the whole host name mapping, for connections accepted from now on.
	 * @param serverNames host names or wildcards to their contexts; may be empty
	 * @throws dev.thousandisland.InvalidOptionException as {@link #serverName(String, SSLContext)}
	 */
	public void serverNames(Map<String, SSLContext> serverNames) {
		this.serverNames.set(checkedNames(serverNames));
	}

	/**
	 * Returns the enabled protocols.
	 * @return protocol names such as {@code TLSv1.3}
	 */
	public List<String> protocols() {
		return this.protocols;
	}

	/**
	 * Returns the enabled cipher suites.
	 * @return the suites, or {@code null} for the JDK's defaults
	 */
	public List<String> cipherSuites() {
		return this.cipherSuites;
	}

	/**
	 * Returns whether clients are asked for a certificate.
	 * @return the client authentication mode
	 */
	public ClientAuth clientAuth() {
		return this.clientAuth;
	}

	/**
	 * Returns the ALPN protocols offered, in order of preference.
	 * @return the protocols; empty when ALPN is not used
	 */
	public List<String> applicationProtocols() {
		return this.applicationProtocols;
	}

	/**
	 * Returns the host name a client-mode transport verifies and sends with SNI.
	 * @return the host name, or empty for a server-side transport
	 */
	public Optional<String> peerHostName() {
		return Optional.ofNullable(this.peerHostName);
	}

	@Override
	public TransportChannel handshake(SocketChannel socket, Readiness readiness, long deadline) throws IOException {
		return handshake(socket, readiness, deadline, ByteBuffer.allocate(0));
	}

	/**
	 * Performs the handshake with the bytes read before it (the start of the ClientHello, read
	 * while looking for a PROXY header in {@code OPTIONAL} mode) put ahead of the socket's.
	 */
	@Override
	public TransportChannel handshake(SocketChannel socket, Readiness readiness, long deadline, ByteBuffer alreadyRead)
			throws IOException {
		if (this.peerHostName != null) {
			TlsChannel channel = new TlsChannel(socket, this.engines.client(this.sslContext, this.peerHostName),
					this.heldInboundBytes, this.buffers);
			channel.replay(alreadyRead);
			try {
				channel.handshake(readiness, deadline);
			}
			catch (IOException | RuntimeException ex) {
				channel.abandon();
				throw ex;
			}
			return channel;
		}
		ServerNameSelection selection = new ServerNameSelection(this.serverNames.get(), this.sslContext,
				this.rejectUnknownServerNames, this.engines);
		TlsChannel channel = TlsChannel.forServerName(socket, alreadyRead, selection::engineFor, this.heldInboundBytes,
				this.buffers, readiness, deadline);
		selection.handshake(channel, readiness, deadline);
		return channel;
	}

	/**
	 * Returns the heap this transport's open connections hold right now for ciphertext they have
	 * received and not yet decrypted: the start of a TLS record whose rest has not arrived. A
	 * connection waiting for the rest holds the bytes it received (exactly, when they came in one
	 * read; at most twice as many as more trickle in, its buffer doubling when full), so this is
	 * what idle and slow (slowloris) clients pin; a connection in the middle of a read briefly
	 * holds a full-size buffer of about 18 KiB, borrowed from the transport's pool. Decrypted bytes and bytes waiting to be sent are not counted.
	 * @return the bytes, summed over open connections
	 */
	public long heldInboundBytes() {
		return this.heldInboundBytes.sum();
	}

	@Override
	public boolean isSecure() {
		return true;
	}

	@Override
	public String name() {
		return "tls";
	}

	@Override
	public String toString() {
		return "TlsTransport" + this.protocols;
	}

	private ServerNameContexts checkedNames(Map<String, SSLContext> serverNames) {
		serverNames.values().forEach((context) -> check(Objects.requireNonNull(context, "sslContext")));
		return ServerNameContexts.checked(serverNames);
	}

	private void check(SSLContext context) {
		SSLParameters supported = context.getSupportedSSLParameters();
		Set<String> protocols = Set.of(supported.getProtocols());
		for (String protocol : this.protocols) {
			if (!protocols.contains(protocol)) {
				throw new InvalidOptionException("protocols", protocol,
						"is not supported by this SSLContext; supported: " + Arrays.toString(supported.getProtocols()));
			}
		}
		if (this.cipherSuites != null) {
			Set<String> suites = Set.of(supported.getCipherSuites());
			for (String suite : this.cipherSuites) {
				if (!suites.contains(suite)) {
					throw new InvalidOptionException("cipherSuites", suite, "is not supported by this SSLContext");
				}
			}
		}
	}

	/**
	 * Builds a {@link TlsTransport}.
	 */
	public static final class Builder {

		private final SSLContext sslContext;

		private List<String> protocols = DEFAULT_PROTOCOLS;

		private List<String> cipherSuites;

		private ClientAuth clientAuth = ClientAuth.NONE;

		private List<String> applicationProtocols = List.of();

		private final Map<String, SSLContext> serverNames = new LinkedHashMap<>();

		private boolean rejectUnknownServerNames;
		private String peerHostName;

		private Builder(SSLContext sslContext) {
			this.sslContext = sslContext;
		}

		/**
		 * Sets the enabled protocols (default TLS 1.3 and 1.2).
		 * @param protocols protocol names such as {@code TLSv1.3}
		 * @return this builder
		 */
		public Builder protocols(List<String> protocols) {
			if (protocols.isEmpty()) {
				throw new InvalidOptionException("protocols", protocols, "must not be empty");
			}
			this.protocols = protocols;
			return this;
		}

		/**
		 * Sets the enabled cipher suites (default: the JDK's defaults for the protocols).
		 * @param cipherSuites suite names
		 * @return this builder
		 */
		public Builder cipherSuites(List<String> cipherSuites) {
			this.cipherSuites = cipherSuites;
			return this;
		}

		/**
		 * Sets whether clients are asked for a certificate (default {@link ClientAuth#NONE}).
		 * @param clientAuth the mode
		 * @return this builder
		 */
		public Builder clientAuth(ClientAuth clientAuth) {
			this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
			return this;
		}

		/**
		 * Sets the ALPN protocols the server offers, most preferred first. A client offering none
		 * of them fails the handshake with a {@code no_application_protocol} alert.
		 * @param applicationProtocols protocol ids such as {@code h2}
		 * @return this builder
		 */
		public Builder applicationProtocols(List<String> applicationProtocols) {
			this.applicationProtocols = applicationProtocols;
			return this;
		}

		/**
		 * Serves a host name with a context of its own, chosen by the name the client asks for
		 * (SNI). A client asking for no name, or for a name not mapped, gets the default context.
		 * @param serverName a host name ({@code api.example.com}; any case; an IDN in Unicode or
		 * {@code xn--} form) or a wildcard matching one label ({@code *.example.com})
		 * @param sslContext the context for that name
		 * @return this builder
		 * @throws dev.thousandisland.InvalidOptionException naming {@code serverNames} if the name
		 * is not a host name or wildcard, or is already mapped
		 */
		public Builder serverName(String serverName, SSLContext sslContext) {
			String normalised = ServerNameContexts.checkedName(serverName);
			if (this.serverNames.putIfAbsent(normalised, Objects.requireNonNull(sslContext, "sslContext")) != null) {
				throw new InvalidOptionException(ServerNameContexts.OPTION, serverName, "is mapped twice");
			}
			return this;
		}

		/**
		 * Sets whether a client asking for a name that is not mapped is refused with a fatal
		 * {@code unrecognized_name} alert (default {@code false}: it gets the default context).
		 * @param reject whether to refuse unknown names
		 * @return this builder
		 */
		public Builder rejectUnknownServerNames(boolean reject) {
			this.rejectUnknownServerNames = reject;
			return this;
		}

		/**
		 * Makes this a client-side transport, for a {@code dev.thousandisland.client} connection:
		 * the engine runs in client mode, verifies that the server's certificate is issued for
		 * {@code serverHostName} (endpoint identification {@code HTTPS}) and sends it with SNI
		 * (unless it is an IP address). {@link #clientAuth} does not apply; a client certificate
		 * comes from the context's key managers.
		 * @param serverHostName the host name the server's certificate must carry
		 * @return this builder
		 */
		public Builder clientMode(String serverHostName) {
			if (serverHostName == null || serverHostName.isBlank()) {
				throw new InvalidOptionException("serverHostName", serverHostName, "must name the server's host");
			}
			this.peerHostName = serverHostName;
			return this;
		}

		/**
		 * Builds the transport.
		 * @return the transport
		 * @throws IllegalArgumentException if the context does not support a configured protocol
		 * or cipher suite
		 */
		public TlsTransport build() {
			return new TlsTransport(this);
		}

	}

}
