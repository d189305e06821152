package dev.thousandisland.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

import javax.net.ssl.SSLContext;

import dev.thousandisland.DataBuffers;
import dev.thousandisland.Handler;
import dev.thousandisland.Result;
import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.Socket;
import dev.thousandisland.framing.FramedHandler;
import dev.thousandisland.framing.FramedSocket;
import dev.thousandisland.framing.Framing;
import dev.thousandisland.transport.Transport;

/**
 * The system under test: a Thousand Island server with its default options, except that the read
 * timeout is off (the peers have none, and idle connections must stay open while they are
 * measured). The system property {@value #HIBERNATE_AFTER_PROPERTY} (an ISO-8601 duration such as
 * {@code PT1S}, or {@value #NEVER} for one parked thread per connection) sets {@code hibernateAfter},
 * which is 0 by default,
 * {@value #DATA_BUFFERS_PROPERTY} ({@code OWNED}, {@code LENT} or {@code LENT_CHECKED}) sets
 * {@code dataBuffers}, {@value #NUM_POLLERS_PROPERTY} sets {@code numPollers} (used by
 * {@link PollersBenchmark}) and {@value #CALLBACKS_ON_POLLER_PROPERTY} ({@code true}) sets
 * {@code callbacksOnPoller} (used by {@link PollerCallbacksBenchmark}).
 */
final class ThousandIslandServer implements PeerServer {

	static final String HIBERNATE_AFTER_PROPERTY = "benchmarks.hibernateAfter";

	/** The {@value #HIBERNATE_AFTER_PROPERTY} value that turns hibernation off. */
	static final String NEVER = "never";

	static final String DATA_BUFFERS_PROPERTY = "benchmarks.dataBuffers";

	static final String NUM_POLLERS_PROPERTY = "benchmarks.numPollers";

	static final String CALLBACKS_ON_POLLER_PROPERTY = "benchmarks.callbacksOnPoller";

	private final Server server;

	private final boolean tls;

	/**
	 * Starts the server.
	 * @param protocol what it speaks
	 * @param tlsContext the TLS context, or {@code null} for plain TCP
	 * @throws IOException if it cannot listen
	 */
	ThousandIslandServer(Protocol protocol, SSLContext tlsContext) throws IOException {
		Handler<?> handler = switch (protocol) {
			case ECHO -> new Echo();
			case DAYTIME -> new Daytime();
			case LINE_ECHO -> Framing.line().handler(new FramedEcho());
			case LENGTH_ECHO -> Framing.lengthPrefixed(4).handler(new FramedEcho());
		};
		ServerConfig.Builder builder = ServerConfig.builder(handler)
			.name("bench-" + protocol.name().toLowerCase())
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.readTimeout(ServerConfig.NO_TIMEOUT);
		String hibernateAfter = System.getProperty(HIBERNATE_AFTER_PROPERTY);
		if (hibernateAfter != null) {
			builder.hibernateAfter(hibernateAfter.equals(NEVER) ? ServerConfig.NO_TIMEOUT : Duration.parse(hibernateAfter));
		}
		String dataBuffers = System.getProperty(DATA_BUFFERS_PROPERTY);
		if (dataBuffers != null) {
			builder.dataBuffers(DataBuffers.valueOf(dataBuffers));
		}
		String numPollers = System.getProperty(NUM_POLLERS_PROPERTY);
		if (numPollers != null) {
			builder.numPollers(Integer.parseInt(numPollers));
		}
		builder.callbacksOnPoller(Boolean.getBoolean(CALLBACKS_ON_POLLER_PROPERTY));
		if (tlsContext != null) {
			builder.transport(Transport.tls(tlsContext));
		}
		this.server = builder.start();
		this.tls = tlsContext != null;
	}

	@Override
	public int port() {
		return this.server.port();
	}

	@Override
	public String description() {
		ServerConfig config = this.server.config();
		String hibernation = config.hibernateAfter().equals(ServerConfig.NO_TIMEOUT) ? ", hibernateAfter never"
				: ", hibernateAfter " + config.hibernateAfter();
		return "thousand-island (" + (this.tls ? "SSLEngine TLS, " : "") + config.numAcceptors() + " acceptors, "
				+ config.numPollers() + " poller(s), virtual thread per connection" + hibernation + ", dataBuffers "
				+ config.dataBuffers() + (config.callbacksOnPoller() ? ", callbacksOnPoller" : "") + ")";
	}

	@Override
	public int connections() {
		return this.server.activeConnections();
	}

	@Override
	public void stop() {
		this.server.stop();
	}

	/** Echo: sends back each read as it comes. */
	static final class Echo implements Handler<Void> {

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws IOException {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

	/** Framed echo: sends back each frame, framed as it came (line, or length header). */
	static final class FramedEcho implements FramedHandler<Void> {

		@Override
		public Result<Void> handleFrame(ByteBuffer frame, FramedSocket socket, Void state) throws IOException {
			socket.sendFrame(frame);
			return Result.continueWith(state);
		}

	}

	/** Daytime: one line, then close. */
	static final class Daytime implements Handler<Void> {

		@Override
		public Result<Void> handleConnection(Socket socket, Void state) throws IOException {
			socket.send(Protocol.daytimeLine());
			return Result.close(state);
		}

	}

}
