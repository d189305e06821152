package dev.thousandisland.transport;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import dev.thousandisland.InvalidOptionException;
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
 * <p>One listener can serve several host names, each with its own context, chosen by the name
 * the client asks for (SNI): see {@link Builder#serverName}. The name is read from the ClientHello
 * before the engine is made, since an engine comes from one context; each context keeps its own
 * key and trust material, while the protocols, cipher suites, client authentication and ALPN set
 * here apply to all. The mapping, like the default context, can be replaced while the server runs.
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

	private final LongAdder heldInboundBytes = new LongAdder();

	private TlsTransport(Builder builder) {
		this.sslContext = Objects.requireNonNull(builder.sslContext, "sslContext");
		this.protocols = List.copyOf(builder.protocols);
		this.cipherSuites = (builder.cipherSuites != null) ? List.copyOf(builder.cipherSuites) : null;
		this.clientAuth = builder.clientAuth;
		this.applicationProtocols = List.copyOf(builder.applicationProtocols);
		this.rejectUnknownServerNames = builder.rejectUnknownServerNames;
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
	 * @return host names and wildcards, lower case and in ASCII form, to their contexts; empty
	 * when every client gets {@link #sslContext()}
	 */
	public Map<String, SSLContext> serverNames() {
		return this.serverNames.get().asMap();
	}

	/**
	 * Maps a host name to the context that serves it, for connections accepted from now on,
	 * replacing the name's current context if it has one; live connections keep theirs.
	 * @param serverName a host name such as {@code api.example.com}, or a wildcard such as
	 * {@code *.example.com}
	 * @param sslContext its context
	 * @throws dev.thousandisland.InvalidOptionException naming {@code serverNames} if the name is
	 * not a host name or wildcard, or {@code protocols} / {@code cipherSuites} if the context does
	 * not support the configured ones
	 */
	public void serverName(String serverName, SSLContext sslContext) {
		check(Objects.requireNonNull(sslContext, "sslContext"));
		String normalised = checkedName(serverName);
		this.serverNames.updateAndGet((names) -> names.with(normalised, sslContext));
	}

	/**
	 * Replaces the whole host name mapping, for connections accepted from now on.
	 * @param serverNames host names or wildcards to their contexts; empty to serve every client
	 * with {@link #sslContext()}
	 * @throws dev.thousandisland.InvalidOptionException as {@link #serverName(String, SSLContext)}
	 */
	public void serverNames(Map<String, SSLContext> serverNames) {
		this.serverNames.set(checkedNames(serverNames));
	}

	/**
	 * Returns whether a client asking for a host name that is not mapped is refused.
	 * @return {@code true} if it gets an {@code unrecognized_name} alert, {@code false} if it
	 * gets the default context
	 */
	public boolean rejectsUnknownServerNames() {
		return this.rejectUnknownServerNames;
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

	@Override
	public TransportChannel handshake(SocketChannel socket, Readiness readiness, long deadline) throws IOException {
		ServerNameContexts names = this.serverNames.get();
		TlsChannel channel = names.isEmpty()
				? new TlsChannel(socket, newEngine(this.sslContext, this.rejectUnknownServerNames), this.heldInboundBytes)
				: TlsChannel.forServerName(socket, (serverName) -> engineFor(names, serverName),
						this.heldInboundBytes, readiness, deadline);
		try {
			channel.handshake(readiness, deadline);
		}
		catch (IOException | RuntimeException ex) {
			channel.abandon();
			throw ex;
		}
		return channel;
	}

	/**
	 * Returns the heap this transport's open connections hold right now for ciphertext they have
	 * received and not yet decrypted: the start of a TLS record whose rest has not arrived. A
	 * connection waiting for the rest holds exactly the bytes it received, so this is what idle
	 * and slow (slowloris) clients pin; a connection in the middle of a read briefly holds a
	 * full-size buffer of about 17 KiB. Decrypted bytes and bytes waiting to be sent are not counted.
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

	private SSLEngine engineFor(ServerNameContexts names, String serverName) {
		SSLContext context = names.find(serverName);
		return (context != null) ? newEngine(context, false) : newEngine(this.sslContext, this.rejectUnknownServerNames);
	}

	private SSLEngine newEngine(SSLContext context, boolean rejectServerNames) {
		SSLEngine engine = context.createSSLEngine();
		engine.setUseClientMode(false);
		SSLParameters parameters = engine.getSSLParameters();
		parameters.setProtocols(this.protocols.toArray(String[]::new));
		if (this.cipherSuites != null) {
			parameters.setCipherSuites(this.cipherSuites.toArray(String[]::new));
		}
		switch (this.clientAuth) {
			case NEED -> parameters.setNeedClientAuth(true);
			case WANT -> parameters.setWantClientAuth(true);
			case NONE -> {
			}
		}
		if (!this.applicationProtocols.isEmpty()) {
			parameters.setApplicationProtocols(this.applicationProtocols.toArray(String[]::new));
		}
		if (rejectServerNames) {
			// The JDK answers a name no matcher accepts with a fatal unrecognized_name alert; a
			// client that sends no name is not matched at all and gets the default context.
			parameters.setSNIMatchers(List.of(ServerNameContexts.REJECT_EVERY_NAME));
		}
		engine.setSSLParameters(parameters);
		return engine;
	}

	private ServerNameContexts checkedNames(Map<String, SSLContext> serverNames) {
		Map<String, SSLContext> checked = new LinkedHashMap<>();
		serverNames.forEach((name, context) -> {
			check(Objects.requireNonNull(context, "sslContext"));
			if (checked.putIfAbsent(checkedName(name), context) != null) {
				throw new InvalidOptionException(ServerNameContexts.OPTION, name, "is mapped twice");
			}
		});
		return ServerNameContexts.of(checked);
	}

	private static String checkedName(String serverName) {
		try {
			return ServerNameContexts.normalise(serverName);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidOptionException(ServerNameContexts.OPTION, serverName, ex.getMessage());
		}
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
		 * @param serverName a host name such as {@code api.example.com}, or a wildcard such as
		 * {@code *.example.com}, which matches exactly one label ({@code a.example.com}, not
		 * {@code example.com} nor {@code a.b.example.com}); case does not matter, and an
		 * internationalised name may be given in Unicode or as its {@code xn--} form
		 * @param sslContext the context for that name
		 * @return this builder
		 * @throws dev.thousandisland.InvalidOptionException naming {@code serverNames} if the name
		 * is not a host name or wildcard, or is already mapped
		 */
		public Builder serverName(String serverName, SSLContext sslContext) {
			String normalised = checkedName(serverName);
			if (this.serverNames.putIfAbsent(normalised, Objects.requireNonNull(sslContext, "sslContext")) != null) {
				throw new InvalidOptionException(ServerNameContexts.OPTION, serverName, "is mapped twice");
			}
			return this;
		}

		/**
		 * Sets whether a client asking for a host name that is not mapped is refused with a fatal
		 * {@code unrecognized_name} alert, before the handler runs (default {@code false}: it gets
		 * the default context). A client asking for no name always gets the default context.
		 * @param reject whether to refuse unknown names
		 * @return this builder
		 */
		public Builder rejectUnknownServerNames(boolean reject) {
			this.rejectUnknownServerNames = reject;
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
