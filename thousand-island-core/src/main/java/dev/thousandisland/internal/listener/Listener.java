package dev.thousandisland.internal.listener;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.thousandisland.ServerConfig;
import dev.thousandisland.ServerInfo;
import dev.thousandisland.telemetry.Span;
import dev.thousandisland.telemetry.Telemetry;


/**
 * Binds and owns a server's listen sockets: one, or several sharing a port with SO_REUSEPORT so
 * that the kernel spreads new connections over them. Closing it refuses new connects at the
 * kernel and ends every acceptor's loop; it never touches live connections.
 */
public final class Listener {

	private static final System.Logger logger = System.getLogger(Listener.class.getName());

	private final List<ServerSocketChannel> sockets;

	private final SocketAddress localAddress;

	private final Path unixPath;

	private final Span span;

	private Listener(List<ServerSocketChannel> sockets, SocketAddress localAddress, Path unixPath, Span span) {
		this.sockets = sockets;
		this.localAddress = localAddress;
		this.unixPath = unixPath;
		this.span = span;
	}

	/**
	 * Binds the configured number of listen sockets.
	 * @param port the port to bind; 0 lets the first socket pick one and the rest share it
	 */
	public static Listener bind(ServerConfig config, int port, Telemetry telemetry, Map<String, Object> spanMetadata)
			throws IOException {
		List<ServerSocketChannel> sockets = new ArrayList<>();
		try {
			SocketAddress address = config.isUnix() ? unixAddress(config) : inetAddress(config, port);
			for (int i = 0; i < config.numListenSockets(); i++) {
				ServerSocketChannel socket = open(config, address);
				sockets.add(socket);
				// With port 0, every further socket must join the port the first one was given.
				address = socket.getLocalAddress();
			}
		}
		catch (IOException | RuntimeException ex) {
			closeAll(sockets);
			throw ex;
		}
		SocketAddress local = sockets.get(0).getLocalAddress();
		Map<String, Object> metadata = new HashMap<>(spanMetadata);
		if (local instanceof InetSocketAddress inet) {
			metadata.put("local_address", inet.getAddress());
			metadata.put("local_port", inet.getPort());
		}
		else {
			metadata.put("unix_path", config.unixPath().toString());
		}
		metadata.put("num_listen_sockets", sockets.size());
		Span span = telemetry.startSpan("listener", metadata);
		return new Listener(List.copyOf(sockets), local, config.unixPath(), span);
	}

	private static InetSocketAddress inetAddress(ServerConfig config, int port) {
		return (config.bindAddress() != null) ? new InetSocketAddress(config.bindAddress(), port)
				: new InetSocketAddress(port);
	}

	private static ServerSocketChannel open(ServerConfig config, SocketAddress address) throws IOException {
		boolean unix = address instanceof UnixDomainSocketAddress;
		ServerSocketChannel socket = unix ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
				: ServerSocketChannel.open();
		try {
			if (!unix) {
				socket.setOption(StandardSocketOptions.SO_REUSEADDR, config.reuseAddress());
				if (config.reusePort()) {
					if (!socket.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
						throw new BindException("Thousand Island option reusePort is not supported on this platform");
					}
					socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
				}
			}
			socket.bind(address, config.backlog());
			return socket;
		}
		catch (BindException ex) {
			socket.close();
			BindException described = new BindException("Thousand Island server '" + config.name()
					+ "' cannot listen on " + describe(address) + ": " + ex.getMessage() + " (check "
					+ (unix ? "unixPath" : "port and bindAddress") + ")");
			described.initCause(ex);
			throw described;
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/** Removes a stale socket file left by a server that died, but never a live one or a regular file. */
	private static UnixDomainSocketAddress unixAddress(ServerConfig config) throws IOException {
		Path path = config.unixPath();
		UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
		if (Files.exists(path)) {
			if (Files.isRegularFile(path) || Files.isDirectory(path)) {
				throw new BindException("Thousand Island option unixPath (" + path
						+ ") names an existing file that is not a socket; choose another path");
			}
			try (SocketChannel probe = SocketChannel.open(address)) {
				throw new BindException("Thousand Island option unixPath (" + path
						+ ") is in use: another server is listening on it");
			}
			catch (BindException ex) {
				throw ex;
			}
			catch (IOException ex) {
				// Nobody answers: a stale file from a server that did not clean up.
				Files.deleteIfExists(path);
			}
		}
		return address;
	}

	public ServerSocketChannel socketFor(int acceptorIndex) {
		return this.sockets.get(acceptorIndex % this.sockets.size());
	}

	public SocketAddress localAddress() {
		return this.localAddress;
	}

	public Span span() {
		return this.span;
	}

	/** Closes every listen socket: new connects are refused from now on. */
	public void close() {
		closeAll(this.sockets);
		if (this.unixPath != null) {
			try {
				Files.deleteIfExists(this.unixPath);
			}
			catch (IOException ex) {
				logger.log(Level.WARNING, "Could not remove Unix socket file " + this.unixPath, ex);
			}
		}
		this.span.stop(Map.of(), null);
	}

	private static void closeAll(List<ServerSocketChannel> sockets) {
		for (ServerSocketChannel socket : sockets) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				logger.log(Level.DEBUG, "Closing a listen socket failed", ex);
			}
		}
	}

	public static String describe(SocketAddress address) {
		return ServerInfo.format(address);
	}

}
