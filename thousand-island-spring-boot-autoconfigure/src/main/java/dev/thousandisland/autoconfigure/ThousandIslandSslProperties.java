package dev.thousandisland.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.thousandisland.transport.ClientAuth;

/**
 * TLS settings of a Thousand Island server, under {@code thousandisland.ssl.*} (every server's
 * default) and {@code thousandisland.servers.<name>.ssl.*}.
 *
 * @see ThousandIslandServerProperties
 */
public class ThousandIslandSslProperties {

	/**
	 * Name of the SSL bundle (spring.ssl.bundle.*) holding the server's key material. TLS
	 * is off when not set. With reload-on-update on the bundle, new connections use a
	 * renewed certificate without a restart.
	 */
	private @Nullable String bundle;

	/**
	 * Whether clients are asked for a certificate.
	 */
	private ClientAuth clientAuth = ClientAuth.NONE;

	/**
	 * Enabled TLS protocols. Defaults to the bundle's enabled protocols, else TLSv1.3 and
	 * TLSv1.2.
	 */
	private List<String> enabledProtocols = new ArrayList<>();

	/**
	 * Enabled cipher suites. Defaults to the bundle's ciphers, else the JDK's defaults.
	 */
	private List<String> ciphers = new ArrayList<>();

	/**
	 * ALPN protocols offered to clients, most preferred first.
	 */
	private List<String> applicationProtocols = new ArrayList<>();

	/**
	 * Time the TLS handshake may take.
	 */
	private Duration handshakeTimeout = Duration.ofSeconds(5);

	/**
	 * SSL bundles chosen by the host name a client asks for (SNI), each a server-name (a
	 * host name, or a wildcard such as *.example.com matching one label) and a bundle.
	 * Clients asking for no name, or another name, get the bundle of the bundle property.
	 * Each bundle with reload-on-update reloads on its own.
	 */
	private List<ServerNameSslBundle> serverNameBundles = new ArrayList<>();

	/**
	 * Whether a client asking for a host name that no server-name-bundles entry matches is
	 * refused with an unrecognized_name alert instead of getting the default bundle.
	 */
	private boolean rejectUnknownServerNames;

	public @Nullable String getBundle() {
		return this.bundle;
	}

	public void setBundle(@Nullable String bundle) {
		this.bundle = bundle;
	}

	public ClientAuth getClientAuth() {
		return this.clientAuth;
	}

	public void setClientAuth(ClientAuth clientAuth) {
		this.clientAuth = clientAuth;
	}

	public List<String> getEnabledProtocols() {
		return this.enabledProtocols;
	}

	public void setEnabledProtocols(List<String> enabledProtocols) {
		this.enabledProtocols = enabledProtocols;
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

	public List<ServerNameSslBundle> getServerNameBundles() {
		return this.serverNameBundles;
	}

	public void setServerNameBundles(List<ServerNameSslBundle> serverNameBundles) {
		this.serverNameBundles = serverNameBundles;
	}

	public boolean isRejectUnknownServerNames() {
		return this.rejectUnknownServerNames;
	}

	public void setRejectUnknownServerNames(boolean rejectUnknownServerNames) {
		this.rejectUnknownServerNames = rejectUnknownServerNames;
	}

	public Duration getHandshakeTimeout() {
		return this.handshakeTimeout;
	}

	public void setHandshakeTimeout(Duration handshakeTimeout) {
		this.handshakeTimeout = handshakeTimeout;
	}

	/**
	 * An SSL bundle for one host name, as in Spring Boot's server.ssl.server-name-bundles.
	 */
	public static class ServerNameSslBundle {

		/**
		 * Host name the bundle serves, such as api.example.com, or a wildcard such as
		 * *.example.com (exactly one label). Case does not matter.
		 */
		private @Nullable String serverName;

		/**
		 * Name of the SSL bundle (spring.ssl.bundle.*) for that host name.
		 */
		private @Nullable String bundle;

		public @Nullable String getServerName() {
			return this.serverName;
		}

		public void setServerName(@Nullable String serverName) {
			this.serverName = serverName;
		}

		public @Nullable String getBundle() {
			return this.bundle;
		}

		public void setBundle(@Nullable String bundle) {
			this.bundle = bundle;
		}

	}

}
