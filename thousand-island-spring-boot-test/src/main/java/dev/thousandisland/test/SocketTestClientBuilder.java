package dev.thousandisland.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;

/**
 * Describes a {@link SocketTestClient} connection: where, how long to wait, and TLS.
 */
public final class SocketTestClientBuilder {

	private final int port;

	private String host = InetAddress.getLoopbackAddress().getHostAddress();

	private Duration timeout = Duration.ofSeconds(10);

	private @Nullable SSLContext sslContext;

	private @Nullable SslOptions sslOptions;

	private boolean verifyHostname;

	SocketTestClientBuilder(int port) {
		this.port = port;
	}

	/**
	 * Sets the host to connect to, and the name TLS sends for SNI and checks when
	 * {@link #verifyHostname(boolean) asked}.
	 * @param host a name or address (default the loopback address)
	 * @return this builder
	 */
	public SocketTestClientBuilder host(String host) {
		this.host = host;
		return this;
	}

	/**
	 * Sets how long the connect, the TLS handshake and every read may wait.
	 * @param timeout the timeout (default 10 seconds)
	 * @return this builder
	 */
	public SocketTestClientBuilder timeout(Duration timeout) {
		this.timeout = timeout;
		return this;
	}

	/**
	 * Connects over TLS with a Spring Boot SSL bundle: its trust material checks the server's
	 * certificate, its key material (if any) is the client certificate for mutual TLS, and its
	 * enabled protocols and ciphers apply. Get a bundle from the application's {@code SslBundles}
	 * or build one with {@link SslBundle#of}.
	 * @param bundle the bundle
	 * @return this builder
	 */
	public SocketTestClientBuilder ssl(SslBundle bundle) {
		this.sslContext = bundle.createSslContext();
		this.sslOptions = bundle.getOptions();
		return this;
	}

	/**
	 * Connects over TLS, trusting the certificates in a key store file (PKCS12 or JKS, detected).
	 * @param trustStore the key store holding the server's certificate or its issuer
	 * @param password the key store's password
	 * @return this builder
	 */
	public SocketTestClientBuilder trustStore(Path trustStore, String password) {
		try {
			KeyStore store = KeyStore.getInstance(trustStore.toFile(), password.toCharArray());
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(store);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, trust.getTrustManagers(), null);
			return sslContext(context);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read the trust store " + trustStore, ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalArgumentException("Could not use the trust store " + trustStore + ": " + ex.getMessage(),
					ex);
		}
	}

	/**
	 * Connects over TLS with a ready-made context.
	 * @param context the context
	 * @return this builder
	 */
	public SocketTestClientBuilder sslContext(SSLContext context) {
		this.sslContext = context;
		this.sslOptions = null;
		return this;
	}

	/**
	 * Sets whether TLS also checks that the server's certificate names the {@link #host(String)
	 * host}, as HTTPS clients do. Off by default: certificates made for a test often name only
	 * {@code localhost}; the chain is always checked.
	 * @param verify whether to check the name
	 * @return this builder
	 */
	public SocketTestClientBuilder verifyHostname(boolean verify) {
		this.verifyHostname = verify;
		return this;
	}

	/**
	 * Connects and, for TLS, completes the handshake.
	 * @return the connected client
	 * @throws UncheckedIOException if the connection or the handshake fails or times out
	 */
	public SocketTestClient connect() {
		InetSocketAddress address = new InetSocketAddress(this.host, this.port);
		Socket socket = new Socket();
		try {
			socket.setSoTimeout(Math.toIntExact(this.timeout.toMillis()));
			socket.connect(address, Math.toIntExact(this.timeout.toMillis()));
			SSLContext context = this.sslContext;
			if (context != null) {
				socket = handshake(socket, context);
			}
			return new SocketTestClient(socket, this.timeout);
		}
		catch (IOException ex) {
			closeQuietly(socket);
			throw SocketTestClient.connectFailure(address, this.timeout, ex);
		}
	}

	private SSLSocket handshake(Socket plain, SSLContext context) throws IOException {
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, this.host, this.port, true);
		SSLParameters parameters = socket.getSSLParameters();
		if (this.verifyHostname) {
			parameters.setEndpointIdentificationAlgorithm("HTTPS");
		}
		SslOptions options = this.sslOptions;
		if (options != null && options.getEnabledProtocols() != null) {
			parameters.setProtocols(options.getEnabledProtocols());
		}
		if (options != null && options.getCiphers() != null) {
			parameters.setCipherSuites(options.getCiphers());
		}
		socket.setSSLParameters(parameters);
		socket.startHandshake();
		return socket;
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Already failing; the first error is the one to report.
		}
	}

}
