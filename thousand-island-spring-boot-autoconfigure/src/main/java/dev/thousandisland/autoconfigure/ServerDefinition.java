package dev.thousandisland.autoconfigure;

import org.jspecify.annotations.Nullable;

import dev.thousandisland.ServerConfig;

/**
 * A server the application context will run: its name, the Handler bean it runs, where its
 * properties live, and the configuration built from them.
 *
 * @param name the server's name
 * @param handlerBeanName the name of the Handler bean
 * @param propertyPrefix where its own properties live, such as {@code thousandisland.servers.echo}
 * @param config the configuration the server starts with
 * @param sslBundle the SSL bundle it uses, or {@code null} for plain TCP
 */
public record ServerDefinition(String name, String handlerBeanName, String propertyPrefix, ServerConfig config,
		@Nullable String sslBundle) {

	/**
	 * Describes where the server listens, for logs and messages.
	 * @return {@code unix:<path>} or {@code <address>:<port>}
	 */
	public String endpoint() {
		if (this.config.isUnix()) {
			return "unix:" + this.config.unixPath();
		}
		String host = (this.config.bindAddress() != null) ? this.config.bindAddress().getHostAddress() : "*";
		return (host.contains(":") ? "[" + host + "]" : host) + ":" + this.config.port();
	}

	/**
	 * Returns the property that sets where the server listens, for messages about it.
	 * @return {@code <prefix>.port} or {@code <prefix>.unix-path}
	 */
	public String endpointProperty() {
		return this.propertyPrefix + (this.config.isUnix() ? ".unix-path" : ".port");
	}

	/**
	 * Returns the transport as the start-up line, health, the endpoint and the meters'
	 * {@code transport} tag name it.
	 * @return {@code tls} (or another secure transport's name), {@code unix} for a plain server on
	 * a Unix domain socket, otherwise {@code tcp}
	 */
	public String transport() {
		return transport(this.config);
	}

	/**
	 * Names a server configuration's transport as {@link #transport()} does.
	 * @param config the configuration
	 * @return {@code tls}, {@code unix} or {@code tcp}
	 */
	public static String transport(ServerConfig config) {
		if (config.transport().isSecure()) {
			return config.transport().name();
		}
		return config.isUnix() ? "unix" : config.transport().name();
	}

	/**
	 * Returns how many connections the server admits at once: {@code maxConnections}, or the
	 * acceptors' combined share ({@code acceptors} times {@code max-connections-per-acceptor},
	 * 163,840 with the defaults) when that is lower or no server-wide limit is set.
	 * @return the effective connection limit
	 */
	public int maxConnections() {
		long shared = (long) this.config.numAcceptors() * this.config.numConnections();
		return (int) Math.min(this.config.maxConnections(), shared);
	}

}
