package dev.thousandisland.benchmarks;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Version;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The reference peer: Netty 4.2 on its native epoll transport, one acceptor event loop and one
 * worker event loop per core, the echo and daytime handlers written the way Netty's own examples
 * write them. It refuses to start without native epoll rather than fall back to NIO, so a result
 * labelled "Netty epoll" is always that.
 */
final class NettyEpollServer implements PeerServer {

	/** The framed echoes' maximum frame size: the same as Thousand Island's default. */
	static final int MAX_FRAME_SIZE = 64 * 1024;

	/** Writes the 4-byte length header of {@link Protocol#LENGTH_ECHO}; stateless, so shared. */
	static final LengthFieldPrepender LENGTH_PREPENDER = new LengthFieldPrepender(4);

	/** The LF {@link Protocol#LINE_ECHO} ends each line it sends with; write a duplicate. */
	static final ByteBuf LINE_END = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] { '\n' }));

	private final EventLoopGroup acceptor;

	private final EventLoopGroup workers;

	private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

	private final Channel listener;

	private final int workerThreads;

	private final boolean tls;

	/**
	 * Starts the server.
	 * @param protocol what it speaks
	 * @param tlsContext Netty's TLS context, or {@code null} for plain TCP
	 * @throws InterruptedException if interrupted while binding
	 * @throws IllegalStateException if native epoll is not available
	 */
	NettyEpollServer(Protocol protocol, SslContext tlsContext) throws InterruptedException {
		if (!Epoll.isAvailable()) {
			throw new IllegalStateException("Netty's native epoll transport is not available; refusing to fall back "
					+ "to NIO (is netty-transport-native-epoll:linux-x86_64 on the class path?)",
					Epoll.unavailabilityCause());
		}
		this.workerThreads = Runtime.getRuntime().availableProcessors();
		this.acceptor = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
		this.workers = new MultiThreadIoEventLoopGroup(this.workerThreads, EpollIoHandler.newFactory());
		this.tls = tlsContext != null;
		ChannelHandler handler = switch (protocol) {
			case ECHO -> new Echo();
			case DAYTIME -> new Daytime();
			case LINE_ECHO -> new LineEcho();
			case LENGTH_ECHO -> new Echo();
		};
		ServerBootstrap bootstrap = new ServerBootstrap().group(this.acceptor, this.workers)
			.channel(EpollServerSocketChannel.class)
			.option(ChannelOption.SO_BACKLOG, 1024)
			.option(ChannelOption.SO_REUSEADDR, true)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childHandler(new ChannelInitializer<EpollSocketChannel>() {
				@Override
				protected void initChannel(EpollSocketChannel channel) {
					NettyEpollServer.this.channels.add(channel);
					if (tlsContext != null) {
						channel.pipeline().addLast(tlsContext.newHandler(channel.alloc()));
					}
					if (protocol == Protocol.LINE_ECHO) {
						channel.pipeline().addLast(frameDecoder(protocol));
					}
					else if (protocol == Protocol.LENGTH_ECHO) {
						channel.pipeline().addLast(frameDecoder(protocol)).addLast(LENGTH_PREPENDER);
					}
					channel.pipeline().addLast(handler);
				}
			});
		this.listener = bootstrap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
		if (!(this.listener instanceof EpollServerSocketChannel)) {
			throw new IllegalStateException("Netty bound " + this.listener.getClass().getName() + ", not epoll");
		}
	}

	/**
	 * Returns a new decoder of a framed protocol's frames, which strips the line end or the length
	 * header. Netty's decoders keep per-channel state: one per channel.
	 * @param protocol {@link Protocol#LINE_ECHO} or {@link Protocol#LENGTH_ECHO}
	 * @return {@code LineBasedFrameDecoder} or {@code LengthFieldBasedFrameDecoder}
	 */
	static ChannelHandler frameDecoder(Protocol protocol) {
		return switch (protocol) {
			case LINE_ECHO -> new LineBasedFrameDecoder(MAX_FRAME_SIZE);
			case LENGTH_ECHO -> new LengthFieldBasedFrameDecoder(MAX_FRAME_SIZE + 4, 0, 4, 0, 4);
			default -> throw new IllegalArgumentException(protocol + " has no frames");
		};
	}

	@Override
	public int port() {
		return ((InetSocketAddress) this.listener.localAddress()).getPort();
	}

	@Override
	public String description() {
		Version epoll = Version.identify().get("netty-transport-native-epoll");
		String version = (epoll != null) ? epoll.artifactVersion() : "?";
		return "netty-epoll " + version + " (" + this.listener.getClass().getSimpleName() + ", "
				+ (this.tls ? "JDK SslHandler, " : "") + this.workerThreads + " worker event loops)";
	}

	@Override
	public int connections() {
		return this.channels.size();
	}

	/**
	 * Closes the listener and every channel, then shuts the event loops down without a quiet
	 * period.
	 */
	@Override
	public void stop() throws InterruptedException {
		this.listener.close().sync();
		this.channels.close().sync();
		this.acceptor.shutdownGracefully(0, 5, TimeUnit.SECONDS);
		this.workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
		this.acceptor.terminationFuture().sync();
	}

	/** Echo: writes back each read, flushes once per batch of reads. */
	@ChannelHandler.Sharable
	static final class Echo extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext context, Object message) {
			context.write(message);
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext context) {
			context.flush();
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
			context.close();
		}

	}

	/**
	 * Line echo behind a {@link LineBasedFrameDecoder}, which strips the line ending: writes each
	 * line and an LF, flushes once per batch of reads.
	 */
	@ChannelHandler.Sharable
	static final class LineEcho extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext context, Object message) {
			context.write(message);
			context.write(LINE_END.duplicate());
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext context) {
			context.flush();
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
			context.close();
		}

	}

	/** Daytime: one line as soon as the channel is active, then close. */
	@ChannelHandler.Sharable
	static final class Daytime extends ChannelInboundHandlerAdapter {

		@Override
		public void channelActive(ChannelHandlerContext context) {
			context.writeAndFlush(Unpooled.wrappedBuffer(Protocol.daytimeLine()))
				.addListener(ChannelFutureListener.CLOSE);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
			context.close();
		}

	}

}
