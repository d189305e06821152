package dev.thousandisland.transport;

import java.io.IOException;
import java.util.Locale;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

import dev.thousandisland.internal.channel.TlsChannel;
import dev.thousandisland.transport.ServerNameRefusedException.Reason;

/**
 * One connection's choice of {@link SSLContext} by the host name its ClientHello asks for, and the
 * check, once the handshake is over, that the name the engine negotiated (the one
 * {@code Socket.serverName()} reports) selects that same context. The two readings of the
 * ClientHello (the server's own, to choose, and the engine's) are meant to agree by construction:
 * the server's reader refuses every server_name the two could read differently. The check makes
 * that a guarantee rather than a hope: a connection whose handler would see a name whose context
 * did not serve it (its certificate, its trust store for client certificates) is closed first.
 */
final class ServerNameSelection {

	private final ServerNameContexts names;

	private final SSLContext defaultContext;

	private final boolean rejectUnknownNames;

	private final TlsEngines engines;

	/** The context the engine was made from; {@code null} until {@link #engineFor}. */
	private SSLContext chosen;

	ServerNameSelection(ServerNameContexts names, SSLContext defaultContext, boolean rejectUnknownNames,
			TlsEngines engines) {
		this.names = names;
		this.defaultContext = defaultContext;
		this.rejectUnknownNames = rejectUnknownNames;
		this.engines = engines;
	}

	/**
	 * Makes the engine for the name the server's reader found.
	 * @param serverName the name, lower case, or {@code null} when the client sent none (or its
	 * ClientHello could not be read: the engine then refuses it, or the check after catches it)
	 * @return the engine, from the name's context or the default one
	 * @throws ServerNameRefusedException ({@link Reason#UNKNOWN_NAME}) for a name with no entry
	 * when unknown names are refused
	 */
	SSLEngine engineFor(String serverName) throws ServerNameRefusedException {
		SSLContext named = this.names.find(serverName);
		if (serverName != null && named == null && this.rejectUnknownNames) {
			throw new ServerNameRefusedException(Reason.UNKNOWN_NAME,
					"The client asked for host name " + serverName + ", which has no entry");
		}
		this.chosen = (named != null) ? named : this.defaultContext;
		// With no name found, an engine that refuses every name keeps strict mode strict should the
		// engine find one after all.
		return this.engines.server(this.chosen, named == null && this.rejectUnknownNames);
	}

	/**
	 * Runs the handshake of the channel made by {@link #engineFor}, then {@link #verify}.
	 * @throws IOException if the handshake fails or the check refuses it; the channel is closed
	 */
	void handshake(TlsChannel channel, Readiness readiness, long deadline) throws IOException {
		try {
			channel.handshake(readiness, deadline);
			verify(channel.sslSession().orElseThrow());
		}
		catch (ServerNameRefusedException ex) {
			// The handshake is over: what is left to send is a close_notify, not an alert.
			channel.close();
			throw ex;
		}
		catch (IOException | RuntimeException ex) {
			channel.abandon();
			throw ex;
		}
	}

	/**
	 * Checks, after the handshake, that the name the engine negotiated selects the context chosen.
	 * @param session the handshake's session
	 * @throws ServerNameRefusedException ({@link Reason#MISMATCH}) when it does not
	 */
	void verify(SSLSession session) throws ServerNameRefusedException {
		String negotiated = negotiatedName(session);
		SSLContext named = this.names.find(negotiated);
		SSLContext selected = (named != null) ? named : this.defaultContext;
		if (selected != this.chosen) {
			throw new ServerNameRefusedException(Reason.MISMATCH, "The TLS engine negotiated "
					+ ((negotiated != null) ? "host name " + negotiated : "no host name")
					+ ", which selects another context than the one the ClientHello's server_name chose");
		}
	}

	/** The host name the engine reports, lower case, as {@code Socket.serverName()} reports it. */
	static String negotiatedName(SSLSession session) {
		if (!(session instanceof ExtendedSSLSession extended)) {
			return null;
		}
		return extended.getRequestedServerNames()
			.stream()
			.filter(SNIHostName.class::isInstance)
			.map((name) -> ((SNIHostName) name).getAsciiName().toLowerCase(Locale.ROOT))
			.findFirst()
			.orElse(null);
	}

}
