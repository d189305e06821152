package dev.thousandisland;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;

import dev.thousandisland.telemetry.TelemetryEvent;
import dev.thousandisland.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * STARTTLS on a live connection that other threads send on: their sends wait for the upgrade
 * and go out encrypted; a connection that is already secure is not upgraded again.
 */
class StartTlsUpgradeTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final int PUSHES = 300;

	private final TestCertificates certificates = TestCertificates.get();

	private final TelemetryRecorder telemetry = new TelemetryRecorder();

	private final List<Server> servers = new ArrayList<>();

	@AfterEach
	void stopServers() {
		this.servers.forEach((server) -> server.stop(Duration.ofSeconds(2)));
	}

	@Test
	void sendsFromAnotherThreadDuringTheUpgradeWaitAndGoOutEncryptedInOrder() throws Exception {
		CountDownLatch clientSawOk = new CountDownLatch(1);
		CompletableFuture<Throwable> pusherFailure = new CompletableFuture<>();
		Handler<Boolean> handler = new Handler<>() {

			@Override
			public Boolean initialState() {
				return false;
			}

			@Override
			public Result<Boolean> handleData(ByteBuffer data, Socket socket, Boolean upgraded) throws Exception {
				if (upgraded) {
					return Result.continueWith(true);
				}
				socket.send("OK\r\n".getBytes(StandardCharsets.UTF_8));
				Connection connection = socket.connection();
				Thread.ofVirtual().name("pusher").start(() -> {
					try {
						// Starts once the upgrade is under way (or, should the connection never say
						// so, a little later, still long before the client's ClientHello).
						clientSawOk.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
						long giveUp = System.nanoTime() + Duration.ofMillis(300).toNanos();
						while (connection.state() != Connection.State.HANDSHAKING && System.nanoTime() - giveUp < 0) {
							Thread.sleep(1);
						}
						for (int i = 0; i < PUSHES; i++) {
							socket.send(("push " + i + "\n").getBytes(StandardCharsets.UTF_8));
							Thread.sleep(1);
						}
						pusherFailure.complete(null);
					}
					catch (Throwable ex) {
						pusherFailure.complete(ex);
					}
				});
				return Result.switchTransport(Transport.tls(StartTlsUpgradeTests.this.certificates.serverContext()),
						true);
			}

		};
		Server server = start(handler, Transport.plain());
		try (java.net.Socket plain = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
			plain.setSoTimeout((int) WAIT.toMillis());
			plain.getOutputStream().write("STARTTLS\r\n".getBytes(StandardCharsets.UTF_8));
			InputStream in = plain.getInputStream();
			assertThat(new String(in.readNBytes(4), StandardCharsets.UTF_8)).isEqualTo("OK\r\n");
			clientSawOk.countDown();
			// Let the pusher run into the pending upgrade before the client starts it.
			Thread.sleep(500);
			try (SSLSocket tls = (SSLSocket) this.certificates.clientContext()
				.getSocketFactory()
				.createSocket(plain, "localhost", server.port(), true)) {
				tls.setSoTimeout((int) WAIT.toMillis());
				tls.startHandshake();
				BufferedReader lines = new BufferedReader(new InputStreamReader(tls.getInputStream(),
						StandardCharsets.UTF_8));
				for (int i = 0; i < PUSHES; i++) {
					assertThat(lines.readLine()).isEqualTo("push " + i);
				}
			}
		}
		assertThat(pusherFailure.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNull();
	}

	@Test
	void refusesToUpgradeAConnectionThatIsAlreadyTls() throws Exception {
		assertRefused(Transport.tls(this.certificates.serverContext()));
	}

	@Test
	void refusesToDowngradeATlsConnectionToPlain() throws Exception {
		assertRefused(Transport.plain());
	}

	private void assertRefused(Transport target) throws Exception {
		CompletableFuture<Throwable> error = new CompletableFuture<>();
		Handler<Void> handler = new Handler<>() {

			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) {
				return Result.switchTransport(target, state);
			}

			@Override
			public void handleError(Throwable failure, Socket socket, Void state) {
				error.complete(failure);
			}

		};
		Server server = start(handler, Transport.tls(this.certificates.serverContext()));
		try (SSLSocket tls = (SSLSocket) this.certificates.clientContext().getSocketFactory().createSocket()) {
			tls.connect(server.listenerInfo().orElseThrow(), (int) WAIT.toMillis());
			tls.setSoTimeout((int) WAIT.toMillis());
			tls.startHandshake();
			tls.getOutputStream().write("upgrade again".getBytes(StandardCharsets.UTF_8));
			tls.getOutputStream().flush();
			assertThat(error.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
				.isInstanceOf(UnsupportedOperationException.class)
				.hasMessageContaining("unsupported_upgrade");
		}
		await().atMost(WAIT).until(() -> this.telemetry.count(TelemetryEvent.CONNECTION_STOP) == 1);
		assertThat(this.telemetry.named(TelemetryEvent.CONNECTION_STOP).getFirst().metadata())
			.containsEntry("reason", "upgrade_failed");
	}

	private Server start(Handler<?> handler, Transport transport) throws IOException {
		Server server = ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.numAcceptors(1)
			.transport(transport)
			// Generous: a loaded machine may take seconds to set up the client's side of TLS.
			.handshakeTimeout(WAIT)
			.telemetryListener(this.telemetry)
			.start();
		this.servers.add(server);
		return server;
	}

}
