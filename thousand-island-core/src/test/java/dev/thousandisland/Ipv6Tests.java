package dev.thousandisland;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * IPv6 end to end, which Thousand Island only tests through a bare {@code :inet6} option. Skipped
 * where {@code ::1} cannot be bound.
 */
class Ipv6Tests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private InetAddress ipv6Loopback;

	private final List<Server> servers = new CopyOnWriteArrayList<>();

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	private final Queue<SocketAddress> remoteAddresses = new ConcurrentLinkedQueue<>();

	@BeforeEach
	void requireIpv6Loopback() throws IOException {
		this.ipv6Loopback = InetAddress.getByName("::1");
		try (ServerSocket probe = new ServerSocket(0, 1, this.ipv6Loopback)) {
			assertThat(probe.getLocalPort()).isPositive();
		}
		catch (IOException ex) {
			abort("::1 cannot be bound here: " + ex);
		}
	}

	@AfterEach
	void stopServers() throws Exception {
		for (Server server : this.servers) {
			server.stopAsync(Duration.ZERO).get(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void echoesOverIpv6Loopback() throws Exception {
		Server server = start(ServerConfig.builder(new Echo(this.remoteAddresses)).bindAddress(this.ipv6Loopback));
		InetSocketAddress bound = (InetSocketAddress) server.listenerInfo().orElseThrow();
		assertThat(bound.getAddress()).isInstanceOf(Inet6Address.class).isEqualTo(this.ipv6Loopback);
		try (TestClient client = TestClient.connect(this.ipv6Loopback, server.port())) {
			for (int i = 0; i < 10; i++) {
				String text = "six " + i;
				assertThat(client.send(text).read(text.length())).isEqualTo(text);
			}
			await().atMost(WAIT).until(() -> server.connections().size() == 1);
			InetSocketAddress remote = (InetSocketAddress) server.connections().get(0).remoteAddress();
			assertThat(remote.getAddress()).isInstanceOf(Inet6Address.class);
			assertThat(remote).isEqualTo(client.socket().getLocalSocketAddress());
		}
		assertThat(this.remoteAddresses).singleElement()
			.satisfies((address) -> assertThat(((InetSocketAddress) address).getAddress())
				.isInstanceOf(Inet6Address.class)
				.isEqualTo(this.ipv6Loopback));
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP) == 1);
		assertThat(this.telemetry.named(TelemetryEvent.LISTENER_START).get(0).metadata())
			.containsEntry("local_address", this.ipv6Loopback)
			.containsEntry("local_port", server.port());
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_START).get(0).metadata().get("remote_address"))
			.isInstanceOf(Inet6Address.class);
	}

	@Test
	void aServerOnEveryInterfaceAnswersIpv4AndIpv6Clients() throws Exception {
		Server server = start(ServerConfig.builder(new Echo(this.remoteAddresses)));
		try (TestClient six = TestClient.connect(this.ipv6Loopback, server.port());
				TestClient four = TestClient.connect(InetAddress.getByName("127.0.0.1"), server.port())) {
			assertThat(six.send("six").read(3)).isEqualTo("six");
			assertThat(four.send("four").read(4)).isEqualTo("four");
		}
		assertThat(this.remoteAddresses).hasSize(2)
			.anySatisfy((address) -> assertThat(((InetSocketAddress) address).getAddress())
				.isInstanceOf(Inet6Address.class)
				.isEqualTo(this.ipv6Loopback))
			.anySatisfy((address) -> {
				InetAddress remote = ((InetSocketAddress) address).getAddress();
				// A dual-stack socket reports an IPv4 client as IPv4 (the JDK unmaps ::ffff:a.b.c.d).
				assertThat(remote).isInstanceOf(Inet4Address.class);
				assertThat(remote.getHostAddress()).isEqualTo("127.0.0.1");
			});
	}

	private Server start(ServerConfig.Builder builder) throws IOException {
		Server server = builder.port(0).telemetryListener(this.telemetry).start();
		this.servers.add(server);
		return server;
	}

	/** Sends back whatever it receives and records who it talks to. */
	private static final class Echo implements Handler<Void> {

		private final Queue<SocketAddress> remoteAddresses;

		Echo(Queue<SocketAddress> remoteAddresses) {
			this.remoteAddresses = remoteAddresses;
		}

		@Override
		public Result<Void> handleConnection(Socket socket, Void state) {
			this.remoteAddresses.add(socket.remoteAddress());
			return Result.continueWith(state);
		}

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			socket.send(data);
			return Result.continueWith(state);
		}

	}

}
