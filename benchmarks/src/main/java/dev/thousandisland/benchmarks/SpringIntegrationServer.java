package dev.thousandisland.benchmarks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.serializer.Deserializer;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.integration.ip.IpHeaders;
import org.springframework.integration.ip.tcp.connection.AbstractServerConnectionFactory;
import org.springframework.integration.ip.tcp.connection.TcpConnection;
import org.springframework.integration.ip.tcp.connection.TcpNetConnection;
import org.springframework.integration.ip.tcp.connection.TcpNetConnectionSupport;
import org.springframework.integration.ip.tcp.connection.TcpNetServerConnectionFactory;
import org.springframework.integration.ip.tcp.connection.TcpNioServerConnectionFactory;
import org.springframework.integration.ip.tcp.connection.TcpSender;
import org.springframework.integration.ip.tcp.serializer.AbstractByteArraySerializer;
import org.springframework.integration.ip.tcp.serializer.ByteArrayRawSerializer;
import org.springframework.integration.ip.tcp.serializer.SoftEndOfStreamException;
import org.springframework.integration.ip.tcp.serializer.TcpCodecs;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Spring Integration IP's TCP server connection factory, the version Spring Boot's BOM manages,
 * used at the level its reference guide documents for a raw TCP server: a connection factory, a
 * {@code TcpListener} that receives each message and a {@code TcpSender} that is told of each new
 * connection (what {@code TcpInboundGateway} does, without a message flow around it).
 *
 * <p>Which factory is chosen by the {@value #FACTORY_PROPERTY} system property: {@code net} (the
 * default: {@code TcpNetServerConnectionFactory}, a blocking reader per connection, here on a
 * {@code SimpleAsyncTaskExecutor} of virtual threads) or {@code nio} ({@code
 * TcpNioServerConnectionFactory}, a selector thread handing reads to the same executor).
 *
 * <p>Raw echo has no framing, and every deserializer Spring Integration ships either waits for a
 * delimiter or a length, or ({@code ByteArrayRawSerializer}) for the end of the stream; the echo
 * therefore uses {@link OneReadDeserializer}, which returns what one read of the connection's
 * stream gives, at most 8 KiB, as the naive server does. Replies go out through
 * {@code ByteArrayRawSerializer}. The framed echoes use the codecs Spring Integration ships, as
 * serializer and deserializer both: {@code ByteArrayLfSerializer} ({@code TcpCodecs.lf()}) and
 * {@code ByteArrayLengthHeaderSerializer} ({@code TcpCodecs.lengthHeader4()}). These read the
 * connection's stream a byte at a time (the LF one) or a header and then a payload, which on the
 * net factory's raw socket stream would be a system call each; as a competent user would, the net
 * factory then gets a {@link BufferedReads} connection support, whose connections override
 * {@code TcpNetConnection.inputStream()} (documented as there to wrap the stream) with an
 * {@value #READ_BUFFER}-byte {@link BufferedInputStream}. The NIO factory's stream is already fed
 * from its reads. The net connection's write buffer is as large as the socket's send buffer,
 * megabytes on loopback by default, so {@code soSendBufferSize} is set to {@link #SEND_BUFFER};
 * the factories' other settings are their defaults.
 */
final class SpringIntegrationServer implements PeerServer {

	/** The system property choosing the factory: {@code net} or {@code nio}. */
	static final String FACTORY_PROPERTY = "benchmarks.spring-integration.factory";

	/**
	 * {@code SO_SNDBUF} asked for; Linux doubles it, and the net connection's write buffer takes the
	 * doubled size (128 KiB), allocated at a connection's first send.
	 */
	static final int SEND_BUFFER = 64 * 1024;

	/** The framed echoes' read buffer per connection: the size of the naive server's reads. */
	static final int READ_BUFFER = 8 * 1024;

	private final AbstractServerConnectionFactory factory;

	private final Map<String, TcpConnection> connections = new ConcurrentHashMap<>();

	private final String kind;

	private final String codec;

	private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

	/**
	 * Starts the server.
	 * @param protocol what it speaks
	 * @throws InterruptedException if interrupted while waiting for it to listen
	 */
	SpringIntegrationServer(Protocol protocol) throws InterruptedException {
		this.kind = System.getProperty(FACTORY_PROPERTY, "net");
		this.factory = switch (this.kind) {
			case "net" -> new TcpNetServerConnectionFactory(0);
			case "nio" -> new TcpNioServerConnectionFactory(0);
			default -> throw new IllegalArgumentException(FACTORY_PROPERTY + " must be net or nio, not " + this.kind);
		};
		SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("si-");
		executor.setVirtualThreads(true);
		this.factory.setTaskExecutor(executor);
		this.factory.setLocalAddress("127.0.0.1");
		this.factory.setBacklog(1024);
		this.factory.setSoTcpNoDelay(true);
		// The net connection's write buffer is as large as the socket's send buffer, which Linux
		// grows to megabytes on loopback: left alone, 1,000 echoing connections exhaust a 1 GiB heap.
		this.factory.setSoSendBufferSize(SEND_BUFFER);
		if (protocol == Protocol.LINE_ECHO || protocol == Protocol.LENGTH_ECHO) {
			AbstractByteArraySerializer framing = (protocol == Protocol.LINE_ECHO) ? TcpCodecs.lf()
					: TcpCodecs.lengthHeader4();
			this.factory.setSerializer(framing);
			this.factory.setDeserializer(framing);
			String reads = "";
			if (this.factory instanceof TcpNetServerConnectionFactory net) {
				net.setTcpNetConnectionSupport(new BufferedReads());
				reads = ", " + READ_BUFFER + "-byte BufferedInputStream";
			}
			this.codec = framing.getClass().getSimpleName() + " both ways" + reads;
		}
		else {
			this.factory.setDeserializer(new OneReadDeserializer());
			this.factory.setSerializer(new ByteArrayRawSerializer());
			this.codec = "one read per message up to 8 KiB, ByteArrayRawSerializer";
		}
		this.factory.setApplicationEventPublisher((event) -> {
		});
		// What an application context would provide: Spring Integration's own scheduler bean.
		this.scheduler.initialize();
		this.factory.setTaskScheduler(this.scheduler);
		this.factory.registerListener(this::echo);
		this.factory.registerSender(new TcpSender() {

			@Override
			public void addNewConnection(TcpConnection connection) {
				SpringIntegrationServer.this.connections.put(connection.getConnectionId(), connection);
				if (protocol == Protocol.DAYTIME) {
					daytime(connection);
				}
			}

			@Override
			public void removeDeadConnection(TcpConnection connection) {
				SpringIntegrationServer.this.connections.remove(connection.getConnectionId());
			}

		});
		this.factory.start();
		long deadline = System.nanoTime() + 30_000_000_000L;
		while (!this.factory.isListening() && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		if (!this.factory.isListening()) {
			throw new IllegalStateException("Spring Integration's factory did not listen within 30 s");
		}
	}

	private void echo(Message<?> message) {
		TcpConnection connection = this.connections.get(message.getHeaders().get(IpHeaders.CONNECTION_ID, String.class));
		if (connection == null) {
			return;
		}
		try {
			connection.send(message);
		}
		catch (Exception ex) {
			connection.close();
		}
	}

	private static void daytime(TcpConnection connection) {
		try {
			connection.send(MessageBuilder.withPayload(Protocol.daytimeLine()).build());
		}
		catch (Exception ex) {
			// the client went away first
		}
		connection.close();
	}

	@Override
	public int port() {
		return this.factory.getPort();
	}

	@Override
	public String description() {
		return "spring-integration-ip " + TcpConnection.class.getPackage().getImplementationVersion() + " ("
				+ this.factory.getClass().getSimpleName() + ", virtual-thread SimpleAsyncTaskExecutor, " + this.codec
				+ ", soSendBufferSize " + SEND_BUFFER + ")";
	}

	@Override
	public int connections() {
		return this.connections.size();
	}

	/** Stops the factory, which closes the listener and every open connection. */
	@Override
	public void stop() {
		this.factory.stop();
		this.scheduler.shutdown();
	}

	/**
	 * Returns whatever one read of the connection's stream gives, at most 8 KiB: the message of a
	 * raw echo, which has no framing. Stateless, so one serves every connection.
	 */
	static final class OneReadDeserializer implements Deserializer<byte[]> {

		private static final int MAX_READ = 8 * 1024;

		@Override
		public byte[] deserialize(InputStream in) throws IOException {
			byte[] buffer = new byte[MAX_READ];
			int read = in.read(buffer);
			if (read < 0) {
				throw new SoftEndOfStreamException("the client closed the connection");
			}
			return Arrays.copyOf(buffer, read);
		}

	}

	/**
	 * Creates net connections that read through a {@link BufferedInputStream}, so that a
	 * deserializer reading a byte at a time reads from memory, not from the socket.
	 */
	static final class BufferedReads implements TcpNetConnectionSupport {

		@Override
		public TcpNetConnection createNewConnection(Socket socket, boolean server, boolean lookupHost,
				ApplicationEventPublisher publisher, String connectionFactoryName) {
			return new TcpNetConnection(socket, server, lookupHost, publisher, connectionFactoryName) {

				/** Created by the connection's reading thread, the only one to read. */
				private InputStream buffered;

				@Override
				protected InputStream inputStream() throws IOException {
					if (this.buffered == null) {
						this.buffered = new BufferedInputStream(super.inputStream(), READ_BUFFER);
					}
					return this.buffered;
				}

			};
		}

	}

}
