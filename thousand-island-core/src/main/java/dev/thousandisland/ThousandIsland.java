package dev.thousandisland;

import java.io.IOException;

/**
 * Starts servers. Each server is independent: many may run in one JVM, with nothing shared but
 * the JDK's virtual-thread scheduler.
 *
 * <pre>{@code
 * Server server = ThousandIsland.start(ServerConfig.builder(new EchoHandler()).port(4000).build());
 * // ...
 * server.stop();
 * }</pre>
 */
public final class ThousandIsland {

	private ThousandIsland() {
	}

	/**
	 * Binds the listen sockets, starts the acceptors and returns the running server.
	 * @param config the configuration
	 * @return the running server
	 * @throws IOException if binding fails (a {@link java.net.BindException} names the address
	 * and the option to change)
	 */
	public static Server start(ServerConfig config) throws IOException {
		return Server.start(config);
	}

}
