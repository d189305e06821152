package dev.thousandisland.reliability;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.thousandisland.Server;
import dev.thousandisland.ServerConfig;
import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Slowloris: an attacker opens many connections and then says nothing, or starts a TLS handshake
 * and stalls half way through a ClientHello, hoping to hold every connection slot, thread and
 * descriptor the server has. The read timeout and the handshake timeout must close every one of
 * them, the server must keep serving well-behaved clients while the attack goes on, and
 * afterwards nothing the attack made may be left: no connection, no descriptor, no thread.
 */
class SlowlorisTests {

	private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);

	/** Descriptors the JDK may open for itself meanwhile (lazily loaded classes, jars). */
	private static final long FD_SLACK = 5;

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static final int WAVES = 5;

	private static final int GOOD_ROUNDS = 3;

	/**
	 * One server speaking plain TCP with an optional STARTTLS upgrade, so that both timeouts guard
	 * the same server: 1,000 connections never send a byte (the read timeout closes them), 500
	 * ask for TLS and send half a ClientHello (the handshake timeout closes them), all at once.
	 * Right after, while the attack's connections are still open, a plain and a TLS client get
	 * their echo, three times over.
	 */
	@Test
	@Timeout(value = 180, unit = TimeUnit.SECONDS)
	void idleAndStalledHandshakeConnectionsAreAllClosedByTheirTimeoutsWhileGoodClientsAreServed() throws Exception {
		assumeTrue(JvmStats.procAvailable(), "needs /proc");
		int idle = 1_000;
		int stalled = 500;
		TestTls tls = TestTls.get();
		EchoHandler handler = new EchoHandler(Transport.tls(tls.serverContext()));
		SpanAudit audit = SpanAudit.counting();
		Server server = ServerConfig.builder(handler)
			.name("slowloris")
			.port(0)
			.bindAddress(Clients.LOOPBACK)
			.readTimeout(READ_TIMEOUT)
			.handshakeTimeout(HANDSHAKE_TIMEOUT)
			.backlog(4096)
			.telemetryListener(audit)
			.start();
		int port = server.port();
		SSLContext client = tls.clientContext();
		byte[] halfHello = Clients.halfClientHello(client);
		List<Socket> idleSockets = new ArrayList<>();
		List<Socket> stalledSockets = new ArrayList<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			// Warm up both paths, so that what the JDK opens once belongs to the baseline.
			servePlainAndTls(client, server);
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			long fdBaseline = JvmStats.openFds();
			int threadBaseline = handler.threads.size();

			long attackStart = System.nanoTime();
			List<Future<Socket>> idleOpened = new ArrayList<>();
			List<Future<Socket>> stalledOpened = new ArrayList<>();
			for (int i = 0; i < idle; i++) {
				idleOpened.add(executor.submit(() -> Clients.connect(port)));
				if (i < stalled) {
					stalledOpened.add(executor.submit(() -> stallTlsHandshake(port, halfHello)));
				}
			}
			for (Future<Socket> socket : idleOpened) {
				idleSockets.add(socket.get(30, TimeUnit.SECONDS));
			}
			for (Future<Socket> socket : stalledOpened) {
				stalledSockets.add(socket.get(30, TimeUnit.SECONDS));
			}
			long attackOpen = System.nanoTime();
			Duration opening = Duration.ofNanos(attackOpen - attackStart);
			// During the attack: the good clients hold two connections of their own.
			List<Integer> attackWhileServed = new ArrayList<>();
			for (int round = 0; round < GOOD_ROUNDS; round++) {
				attackWhileServed.add(servePlainAndTls(client, server) - 2);
			}
			assertThat(attackWhileServed.get(0)).as("attack connections open while good clients were first served")
				.isPositive();
			int peak = audit.peakOpenSpans();

			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			Duration drained = Duration.ofNanos(System.nanoTime() - attackOpen);
			assertThat(server.connections()).isEmpty();

			List<Future<Clients.Closure>> idleClosures = new ArrayList<>();
			List<Future<Clients.Closure>> stalledClosures = new ArrayList<>();
			for (Socket socket : idleSockets) {
				idleClosures.add(executor.submit(() -> Clients.awaitClosed(socket, Duration.ofSeconds(10))));
			}
			for (Socket socket : stalledSockets) {
				stalledClosures.add(executor.submit(() -> Clients.awaitClosed(socket, Duration.ofSeconds(10))));
			}
			int resets = 0;
			for (Future<Clients.Closure> closure : idleClosures) {
				Clients.Closure seen = closure.get(30, TimeUnit.SECONDS);
				assertThat(seen.how()).as("idle attacker").isNotEqualTo(Clients.Closure.How.STILL_OPEN);
				assertThat(seen.received()).as("bytes sent to an idle attacker").isEmpty();
				resets += (seen.how() == Clients.Closure.How.RESET) ? 1 : 0;
			}
			for (Future<Clients.Closure> closure : stalledClosures) {
				Clients.Closure seen = closure.get(30, TimeUnit.SECONDS);
				assertThat(seen.how()).as("stalled TLS attacker").isNotEqualTo(Clients.Closure.How.STILL_OPEN);
				resets += (seen.how() == Clients.Closure.How.RESET) ? 1 : 0;
			}
			idleSockets.forEach(Clients::closeQuietly);
			stalledSockets.forEach(Clients::closeQuietly);

			assertThat(audit.countWithReason(TelemetryEvent.CONNECTION_STOP, "read_timeout")).isEqualTo(idle);
			// A STARTTLS handshake that times out is a failed upgrade.
			assertThat(audit.countWithReason(TelemetryEvent.CONNECTION_STOP, "upgrade_failed")).isEqualTo(stalled);
			assertThat(audit.countWithError(TelemetryEvent.CONNECTION_STOP, "SocketTimeoutException"))
				.isEqualTo(stalled);
			assertThat(handler.threads).hasSize(threadBaseline + idle + stalled + 2 * GOOD_ROUNDS);
			await().atMost(WAIT).until(() -> JvmStats.alive(handler.threads) == 0);
			await().atMost(WAIT).until(() -> JvmStats.openFds() <= fdBaseline + FD_SLACK);
			long fdsAfter = JvmStats.openFds();
			audit.assertBalanced();
			assertThat(server.activeConnections()).isZero();

			String test = "slowloris (one server, plain + STARTTLS)";
			Figures.record(test, "attack: idle plain connections", idle);
			Figures.record(test, "attack: stalled TLS handshakes (half a ClientHello)", stalled);
			Figures.record(test, "peak connections held at once", peak);
			Figures.record(test, "time to open the attack (ms)", opening.toMillis());
			Figures.record(test, "attack connections open during the good clients' rounds", attackWhileServed);
			Figures.record(test, "time from the attack fully open to 0 connections (ms)", drained.toMillis());
			Figures.record(test, "attackers that saw a reset rather than EOF", resets);
			Figures.record(test, "open fds before / after", fdBaseline + " / " + fdsAfter);
			Figures.record(test, "connection threads alive after", JvmStats.alive(handler.threads));
		}
		finally {
			idleSockets.forEach(Clients::closeQuietly);
			stalledSockets.forEach(Clients::closeQuietly);
			server.stop(Duration.ZERO);
		}
	}

	/**
	 * The same over direct TLS, where the stall happens before the handler sees the connection at
	 * all: 500 connections send half a ClientHello and 500 send nothing; the handshake timeout
	 * closes all 1,000 while a TLS client is served.
	 */
	@Test
	@Timeout(value = 120, unit = TimeUnit.SECONDS)
	void stalledDirectTlsHandshakesAreAllClosedAtTheHandshakeTimeoutWhileATlsClientIsServed() throws Exception {
		assumeTrue(JvmStats.procAvailable(), "needs /proc");
		int halfHellos = 500;
		int silent = 500;
		TestTls tls = TestTls.get();
		EchoHandler handler = new EchoHandler();
		SpanAudit audit = SpanAudit.counting();
		Server server = ServerConfig.builder(handler)
			.name("slowloris-tls")
			.port(0)
			.bindAddress(Clients.LOOPBACK)
			.transport(Transport.tls(tls.serverContext()))
			.handshakeTimeout(HANDSHAKE_TIMEOUT)
			.backlog(4096)
			.telemetryListener(audit)
			.start();
		int port = server.port();
		SSLContext client = tls.clientContext();
		byte[] halfHello = Clients.halfClientHello(client);
		Queue<Socket> attackers = new ConcurrentLinkedQueue<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			serveTls(client, server);
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			long fdBaseline = JvmStats.openFds();

			for (int wave = 0; wave < WAVES; wave++) {
				List<Future<?>> opened = new ArrayList<>();
				for (int i = 0; i < halfHellos / WAVES; i++) {
					opened.add(executor.submit(() -> {
						Socket socket = Clients.connect(port);
						attackers.add(socket);
						socket.getOutputStream().write(halfHello);
						return null;
					}));
				}
				for (int i = 0; i < silent / WAVES; i++) {
					opened.add(executor.submit(() -> attackers.add(Clients.connect(port))));
				}
				for (Future<?> future : opened) {
					future.get(30, TimeUnit.SECONDS);
				}
				int attackWhileServed = serveTls(client, server) - 1;
				assertThat(attackWhileServed).as("attack connections open while the TLS client was served")
					.isPositive();
			}
			await().atMost(WAIT).until(() -> server.activeConnections() == 0);
			List<Future<Clients.Closure>> closures = new ArrayList<>();
			for (Socket socket : attackers) {
				closures.add(executor.submit(() -> Clients.awaitClosed(socket, Duration.ofSeconds(10))));
			}
			for (Future<Clients.Closure> closure : closures) {
				assertThat(closure.get(30, TimeUnit.SECONDS).closed()).isTrue();
			}
			attackers.forEach(Clients::closeQuietly);
			assertThat(audit.countWithReason(TelemetryEvent.CONNECTION_STOP, "handshake_failed"))
				.isEqualTo(halfHellos + silent);
			assertThat(audit.count(TelemetryEvent.CONNECTION_READY)).isEqualTo(1 + WAVES);
			await().atMost(WAIT).until(() -> JvmStats.alive(handler.threads) == 0);
			await().atMost(WAIT).until(() -> JvmStats.openFds() <= fdBaseline + FD_SLACK);
			audit.assertBalanced();
			Figures.record("slowloris (direct TLS)", "attack: half ClientHellos + silent connections",
					halfHellos + " + " + silent);
			Figures.record("slowloris (direct TLS)", "peak connections held at once", audit.peakOpenSpans());
		}
		finally {
			attackers.forEach(Clients::closeQuietly);
			server.stop(Duration.ZERO);
		}
	}

	/** Opens a connection, asks for TLS and sends half a ClientHello, then nothing more. */
	private static Socket stallTlsHandshake(int port, byte[] halfHello) throws IOException {
		Socket socket = Clients.connect(port);
		try {
			socket.getOutputStream().write(Clients.STARTTLS);
			byte[] ok = socket.getInputStream().readNBytes(Clients.STARTTLS_OK.length);
			assertThat(ok).isEqualTo(Clients.STARTTLS_OK);
			socket.getOutputStream().write(halfHello);
			return socket;
		}
		catch (IOException | RuntimeException | Error ex) {
			socket.close();
			throw ex;
		}
	}

	/**
	 * A plain and a STARTTLS client each get a random kilobyte echoed.
	 * @return the server's connection count while both were connected
	 */
	private static int servePlainAndTls(SSLContext client, Server server) throws Exception {
		int port = server.port();
		byte[] payload = random(1024);
		try (Socket plain = Clients.connect(port);
				Socket secure = Clients.startTls(client, Clients.connect(port), port)) {
			assertThat(Clients.roundTrip(plain, payload)).isEqualTo(payload);
			assertThat(Clients.roundTrip(secure, payload)).isEqualTo(payload);
			return server.activeConnections();
		}
	}

	/**
	 * A TLS client gets a random kilobyte echoed.
	 * @return the server's connection count while it was connected
	 */
	private static int serveTls(SSLContext client, Server server) throws Exception {
		int port = server.port();
		byte[] payload = random(1024);
		try (Socket secure = Clients.connectTls(client, port)) {
			assertThat(Clients.roundTrip(secure, payload)).isEqualTo(payload);
			return server.activeConnections();
		}
	}

	private static byte[] random(int length) {
		byte[] bytes = new byte[length];
		ThreadLocalRandom.current().nextBytes(bytes);
		return bytes;
	}

}
