package dev.thousandisland.transport;

import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Makes a {@link TlsTransport}'s engines, each from the context chosen for its connection, with the
 * transport's protocols, cipher suites, client authentication and ALPN protocols.
 */
final class TlsEngines {

	private final List<String> protocols;

	private final List<String> cipherSuites;

	private final ClientAuth clientAuth;

	private final List<String> applicationProtocols;

	TlsEngines(List<String> protocols, List<String> cipherSuites, ClientAuth clientAuth,
			List<String> applicationProtocols) {
		this.protocols = protocols;
		this.cipherSuites = cipherSuites;
		this.clientAuth = clientAuth;
		this.applicationProtocols = applicationProtocols;
	}

	/**
	 * A server-side engine.
	 * @param rejectServerNames whether to refuse every host name a client asks for
	 */
	SSLEngine server(SSLContext context, boolean rejectServerNames) {
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

	/** A client-side engine that verifies {@code peerHostName} and sends it with SNI. */
	SSLEngine client(SSLContext context, String peerHostName) {
		// The port only keys the JDK's session cache; the host is what is verified and sent.
		SSLEngine engine = context.createSSLEngine(peerHostName, 0);
		engine.setUseClientMode(true);
		SSLParameters parameters = engine.getSSLParameters();
		parameters.setProtocols(this.protocols.toArray(String[]::new));
		if (this.cipherSuites != null) {
			parameters.setCipherSuites(this.cipherSuites.toArray(String[]::new));
		}
		parameters.setEndpointIdentificationAlgorithm("HTTPS");
		if (!isIpLiteral(peerHostName)) {
			parameters.setServerNames(List.of(new SNIHostName(peerHostName)));
		}
		if (!this.applicationProtocols.isEmpty()) {
			parameters.setApplicationProtocols(this.applicationProtocols.toArray(String[]::new));
		}
		engine.setSSLParameters(parameters);
		return engine;
	}

	private static boolean isIpLiteral(String host) {
		return host.contains(":") || host.chars().allMatch((c) -> c == '.' || Character.isDigit(c));
	}

}
