package dev.thousandisland.benchmarks;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpServer;

/**
 * Reactor Netty's {@code TcpServer}, the version Spring Boot's BOM manages, written as its reference
 * guide writes a TCP server: a handler {@code (inbound, outbound) -> Publisher} over its default
 * loop resources (native epoll when {@code netty-transport-native-epoll} is on the class path, as
 * it is here; {@code reactor.netty.ioWorkerCount} workers, by default the number of cores but at
 * least 4). Echo sends back every received buffer ({@code out.send(in.receive().retain())});
 * daytime sends one line, and the handler's publisher completing closes the connection. The framed
 * echoes add Netty's decoders to each connection as the guide shows for codecs
 * ({@code doOnConnection(connection -> connection.addHandlerLast(decoder))}, the same decoders as
 * {@link NettyEpollServer}): the line echo sends each line back followed by an LF (one composite
 * buffer), the length-prefixed one each frame back through a {@code LengthFieldPrepender} added
 * the same way. It refuses to run on anything but epoll, as {@link NettyEpollServer} does.
 */
final class ReactorNettyServer implements PeerServer {

	private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

	private final DisposableServer server;

	private final boolean tls;

	/**
	 * Starts the server.
	 * @param protocol what it speaks
	 * @param tlsContext Netty's TLS context, or {@code null} for plain TCP
	 */
	ReactorNettyServer(Protocol protocol, SslContext tlsContext) {
		TcpServer server = TcpServer.create()
			.host(InetAddress.getLoopbackAddress().getHostAddress())
			.port(0)
			.option(ChannelOption.SO_BACKLOG, 1024)
			.channelGroup(this.channels)
			.handle(switch (protocol) {
				case ECHO -> (in, out) -> out.send(in.receive().retain());
				case DAYTIME -> (in, out) -> out.sendByteArray(Mono.fromSupplier(Protocol::daytimeLine));
				case LINE_ECHO -> (in, out) -> out.send(in.receive()
					.retain()
					.map((line) -> Unpooled.wrappedBuffer(line, NettyEpollServer.LINE_END.duplicate())));
				case LENGTH_ECHO -> (in, out) -> out.send(in.receive().retain());
			});
		if (protocol == Protocol.LINE_ECHO) {
			server = server.doOnConnection(
					(connection) -> connection.addHandlerLast(NettyEpollServer.frameDecoder(protocol)));
		}
		else if (protocol == Protocol.LENGTH_ECHO) {
			server = server.doOnConnection((connection) -> connection
				.addHandlerLast(NettyEpollServer.frameDecoder(protocol))
				.addHandlerLast(NettyEpollServer.LENGTH_PREPENDER));
		}
		if (tlsContext != null) {
			server = server.secure((spec) -> spec.sslContext(tlsContext));
		}
		this.tls = tlsContext != null;
		this.server = server.bindNow(Duration.ofSeconds(30));
		String transport = this.server.channel().getClass().getSimpleName();
		if (!transport.startsWith("Epoll")) {
			this.server.disposeNow();
			throw new IllegalStateException("Reactor Netty bound " + transport + ", not native epoll");
		}
	}

	@Override
	public int port() {
		return ((InetSocketAddress) this.server.address()).getPort();
	}

	@Override
	public String description() {
		return "reactor-netty " + TcpServer.class.getPackage().getImplementationVersion() + " ("
				+ this.server.channel().getClass().getSimpleName() + ", " + (this.tls ? "JDK SslHandler, " : "")
				+ "default LoopResources: " + LoopResources.DEFAULT_IO_WORKER_COUNT + " worker event loops)";
	}

	@Override
	public int connections() {
		return this.channels.size();
	}

	/**
	 * Disposes of the server, which closes the listener, closes the connections in its channel
	 * group, and waits (at most five seconds) until the server is disposed of. {@code disposeNow}
	 * alone would wait for the connections to end by themselves, which idle ones never do: it
	 * throws after its timeout with every connection still open.
	 */
	@Override
	public void stop() throws InterruptedException {
		this.server.dispose();
		this.channels.close().sync();
		this.server.onDispose().block(Duration.ofSeconds(5));
	}

}
