package dev.thousandisland.benchmarks;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.util.ReferenceCountUtil;
import io.netty.util.Version;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The fan-out peer: Netty 4.2 on native epoll, set up as {@link NettyEpollServer} is (one acceptor
 * event loop, one worker event loop per core), every accepted channel added to a
 * {@link DefaultChannelGroup} (which removes it when it closes), and a broadcast is the group's
 * {@code writeAndFlush} of one wrapped buffer, which Netty duplicates for each channel and writes
 * on each channel's event loop. The broadcast is complete when the group's future is.
 */
final class NettyFanOut implements FanOutPeer {

	private final EventLoopGroup acceptor;

	private final EventLoopGroup workers;

	private final ChannelGroup group = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

	private final Channel listener;

	private final int workerThreads;

	NettyFanOut() throws InterruptedException {
		if (!Epoll.isAvailable()) {
			throw new IllegalStateException("Netty's native epoll transport is not available; refusing to fall back "
					+ "to NIO", Epoll.unavailabilityCause());
		}
		this.workerThreads = Runtime.getRuntime().availableProcessors();
		this.acceptor = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
		this.workers = new MultiThreadIoEventLoopGroup(this.workerThreads, EpollIoHandler.newFactory());
		ChannelHandler discard = new Discard();
		this.listener = new ServerBootstrap().group(this.acceptor, this.workers)
			.channel(EpollServerSocketChannel.class)
			.option(ChannelOption.SO_BACKLOG, 1024)
			.option(ChannelOption.SO_REUSEADDR, true)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childHandler(new ChannelInitializer<EpollSocketChannel>() {
				@Override
				protected void initChannel(EpollSocketChannel channel) {
					channel.pipeline().addLast(discard);
					NettyFanOut.this.group.add(channel);
				}
			})
			.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
			.sync()
			.channel();
	}

	@Override
	public int port() {
		return ((InetSocketAddress) this.listener.localAddress()).getPort();
	}

	@Override
	public String description() {
		Version epoll = Version.identify().get("netty-transport-native-epoll");
		return "netty-epoll " + ((epoll != null) ? epoll.artifactVersion() : "?") + " (DefaultChannelGroup."
				+ "writeAndFlush, " + this.workerThreads + " worker event loops)";
	}

	@Override
	public int subscribers() {
		return this.group.size();
	}

	@Override
	public void broadcast(byte[] message, Runnable done) {
		this.group.writeAndFlush(Unpooled.wrappedBuffer(message)).addListener((future) -> done.run());
	}

	@Override
	public void stop() throws InterruptedException {
		this.listener.close().sync();
		this.group.close().sync();
		this.acceptor.shutdownGracefully(0, 5, TimeUnit.SECONDS);
		this.workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
	}

	/** The subscribers send nothing; whatever comes is released. */
	@ChannelHandler.Sharable
	static final class Discard extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext context, Object message) {
			ReferenceCountUtil.release(message);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
			context.close();
		}

	}

}
