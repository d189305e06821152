package dev.thousandisland;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.sun.management.UnixOperatingSystemMXBean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Several pollers per server, and several servers per JVM, never spin: a socket closed while its
 * poller still watches it is never reported over and over, so {@code stop()} always finishes.
 */
class PollerTests {

	private static final int ROUNDS = 20;

	private static final int MOST_CONNECTIONS_PER_SERVER = 5_000;

	private static final int LEAST_CONNECTIONS_PER_SERVER = 1_000;

	/** Descriptors left for the JVM, the build and the test itself. */
	private static final long DESCRIPTORS_SPARED = 1_000;

	private static final Duration STOP_BOUND = Duration.ofSeconds(30);

	private final List<SocketChannel> clients = new ArrayList<>();

	private final List<Server> servers = new ArrayList<>();

	@AfterEach
	void cleanUp() throws Exception {
		closeClients();
		for (Server server : this.servers) {
			server.stopAsync(Duration.ZERO).get(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void stoppingTwoServersOfTwoPollersWithUnreadBytesNeverHangsTwentyTimesInARow() throws Exception {
		int perServer = connectionsPerServer();
		for (int round = 0; round < ROUNDS; round++) {
			Server first = start();
			Server second = start();
			connect(first, perServer);
			connect(second, perServer);
			await().atMost(Duration.ofSeconds(60))
				.until(() -> first.activeConnections() == perServer && second.activeConnections() == perServer);
			// Every connection is idle with read interest armed; now each gets a byte that nobody
			// will have read when the sockets are closed under the pollers.
			ByteBuffer oneByte = ByteBuffer.allocate(1);
			for (SocketChannel client : this.clients) {
				client.write(oneByte.clear());
				client.shutdownOutput();
			}
			int finishedRound = round;
			assertTimeoutPreemptively(STOP_BOUND, () -> {
				CompletableFuture<Void> firstStopped = first.stopAsync(Duration.ZERO);
				CompletableFuture<Void> secondStopped = second.stopAsync(Duration.ZERO);
				firstStopped.get();
				secondStopped.get();
			}, () -> "stop(Duration.ZERO) hung in round " + finishedRound);
			for (Server server : List.of(first, second)) {
				assertThat(server.status()).isEqualTo(ServerStatus.STOPPED);
				assertThat(server.activeConnections()).isZero();
				assertThat(server.tree().connections().invalidKeyDispatches()).as("round %d: reports of cancelled keys", finishedRound)
					.isLessThanOrEqualTo(2L * perServer);
			}
			this.servers.clear();
			closeClients();
		}
	}

	/**
	 * Two descriptors per connection (client and server side) in this JVM, two servers: as many as
	 * the descriptor limit allows, at most {@value #MOST_CONNECTIONS_PER_SERVER} (4,750 under a
	 * limit of 20,000). The JVM raises its soft limit to the hard one by itself on Linux; under a
	 * hard limit too low for {@value #LEAST_CONNECTIONS_PER_SERVER} the test is skipped, saying so.
	 */
	private static int connectionsPerServer() {
		UnixOperatingSystemMXBean os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		long room = os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - DESCRIPTORS_SPARED;
		int perServer = (int) Math.min(MOST_CONNECTIONS_PER_SERVER, room / 4);
		assumeTrue(perServer >= LEAST_CONNECTIONS_PER_SERVER, "the descriptor limit (" + os.getMaxFileDescriptorCount()
				+ ") leaves room for " + perServer + " connections per server; raise ulimit -Hn");
		return perServer;
	}

	private Server start() throws IOException {
		Server server = ServerConfig.builder(new Idle())
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numPollers(2)
			.backlog(1024)
			.start();
		this.servers.add(server);
		return server;
	}

	private void connect(Server server, int count) throws IOException {
		InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
		for (int i = 0; i < count; i++) {
			this.clients.add(SocketChannel.open(address));
		}
	}

	private void closeClients() throws IOException {
		for (SocketChannel client : this.clients) {
			client.close();
		}
		this.clients.clear();
	}

	/** Waits for data and ignores it. */
	private static final class Idle implements Handler<Void> {

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) {
			return Result.continueWith(state);
		}

	}

}
