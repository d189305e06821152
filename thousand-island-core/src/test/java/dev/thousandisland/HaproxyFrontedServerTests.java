package dev.thousandisland;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.proxy.ProxyHeader;
import dev.thousandisland.proxy.ProxyProtocolMode;
import dev.thousandisland.telemetry.TelemetryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real {@code haproxy} with {@code send-proxy-v2} and PROXY health checks in front of a Thousand
 * Island server in {@code REQUIRED} mode: the handler sees the client's address, not HAProxy's,
 * and the health checks' {@code LOCAL} headers are served, not refused.
 *
 * <p>Skipped without {@code haproxy} locally, failed without it in CI ({@code CI} set), like
 * {@code HaproxyInteropTests}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HaproxyFrontedServerTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	/** A loopback address of its own, so the client cannot be mistaken for HAProxy (127.0.0.1). */
	private static final String CLIENT_ADDRESS = "127.0.0.2";

	@TempDir
	Path directory;

	private Process haproxy;

	private Server server;

	@AfterEach
	void stop() throws InterruptedException {
		if (this.haproxy != null) {
			this.haproxy.destroy();
			if (!this.haproxy.waitFor(10, TimeUnit.SECONDS)) {
				this.haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		if (this.server != null) {
			this.server.stop(Duration.ofSeconds(2));
		}
	}

	@Test
	void theHandlerSeesTheClientsAddressThroughHaproxySendProxyV2() throws Exception {
		Path executable = haproxyExecutable();
		List<ProxyHeader.Command> commands = new CopyOnWriteArrayList<>();
		TelemetryRecorder telemetry = new TelemetryRecorder();
		Handler<Void> whois = new Handler<>() {

			@Override
			public Result<Void> handleConnection(Socket socket, Void state) {
				commands.add(socket.proxyHeader().orElseThrow().command());
				return Result.continueWith(state);
			}

			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws IOException {
				socket.send((socket.remoteAddress() + " via " + socket.peerAddress() + "\n").getBytes(StandardCharsets.UTF_8));
				return Result.continueWith(state);
			}

		};
		this.server = ServerConfig.builder(whois)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.proxyProtocol(ProxyProtocolMode.REQUIRED)
			.telemetryListener(telemetry)
			.start();
		int front = freePort();
		startHaproxy(executable, front, this.server.port());

		try (java.net.Socket client = new java.net.Socket()) {
			client.bind(new InetSocketAddress(CLIENT_ADDRESS, 0));
			client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), front), (int) WAIT.toMillis());
			client.setSoTimeout((int) WAIT.toMillis());
			client.getOutputStream().write("who am I?".getBytes(StandardCharsets.UTF_8));
			String answer = readLine(client);
			assertThat(answer).startsWith("/" + CLIENT_ADDRESS + ":" + client.getLocalPort() + " via /127.0.0.1:");
		}
		await().atMost(WAIT).until(() -> commands.contains(ProxyHeader.Command.LOCAL));
		assertThat(commands).contains(ProxyHeader.Command.PROXY);
		assertThat(telemetry.named(TelemetryEvent.CONNECTION_STOP))
			.extracting((event) -> (String) event.metadata().get("reason"))
			.noneMatch((reason) -> reason.startsWith("proxy_"));
	}

	private void startHaproxy(Path executable, int front, int app) throws IOException {
		Path config = this.directory.resolve("haproxy.cfg");
		Files.writeString(config, """
				global
				    maxconn 100
				defaults
				    mode tcp
				    timeout connect 5s
				    timeout client 30s
				    timeout server 30s
				frontend front
				    bind 127.0.0.1:%d
				    default_backend app
				backend app
				    server app 127.0.0.1:%d send-proxy-v2 check check-send-proxy inter 200ms
				""".formatted(front, app));
		Path log = this.directory.resolve("haproxy.log");
		this.haproxy = new ProcessBuilder(executable.toString(), "-db", "-f", config.toString()).redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		await().atMost(WAIT)
			.failFast("haproxy exited; see its output above", () -> {
				if (this.haproxy.isAlive()) {
					return false;
				}
				System.err.println(Files.readString(log));
				return true;
			})
			.ignoreExceptions()
			.until(() -> {
				new java.net.Socket(InetAddress.getLoopbackAddress(), front).close();
				return true;
			});
	}

	private static String readLine(java.net.Socket client) throws IOException {
		StringBuilder line = new StringBuilder();
		for (int i = 0; i < 200; i++) {
			int next = client.getInputStream().read();
			if (next < 0 || next == '\n') {
				break;
			}
			line.append((char) next);
		}
		return line.toString();
	}

	private static Path haproxyExecutable() {
		List<Path> candidates = new ArrayList<>();
		for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			if (!entry.isEmpty()) {
				candidates.add(Path.of(entry, "haproxy"));
			}
		}
		candidates.add(Path.of("/usr/sbin/haproxy"));
		Path found = candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
		if (found == null) {
			if (System.getenv("CI") != null) {
				fail("haproxy is not installed; CI must install it (.ci/run does) so that this test runs");
			}
			assumeTrue(false, "haproxy is not installed (apt-get install haproxy); skipped outside CI");
		}
		return found;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
