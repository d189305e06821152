package dev.thousandisland.transport;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;

import dev.thousandisland.TestCertificates;
import dev.thousandisland.transport.ServerNameRefusedException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The check after every server handshake, on its own: the server's reader and the engine are made to
 * agree by construction (and the record limit means the reader never gives up on a ClientHello the
 * engine would follow), so no client can reach a disagreement over a socket. Here the two readings
 * are made to differ on purpose: the selection is told "no name" while the client's engine, in a
 * real in-memory handshake, asks for api.example.com.
 */
// Generous: the first test of a JVM makes the certificates with keytool, slow on a busy machine.
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ServerNameSelectionTests {

	private final TestCertificates certificates = TestCertificates.get();

	@Test
	void aNegotiatedNameThatSelectsAnotherContextThanTheChosenOneIsRefused() throws Exception {
		ServerNameSelection selection = selection();
		SSLEngine server = selection.engineFor(null);
		handshake(client("api.example.com"), server);
		assertThatExceptionOfType(ServerNameRefusedException.class)
			.isThrownBy(() -> selection.verify(server.getSession()))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.MISMATCH))
			.withMessageContaining("api.example.com");
	}

	@Test
	void aNegotiatedNameThatSelectsTheChosenContextPasses() throws Exception {
		ServerNameSelection selection = selection();
		SSLEngine server = selection.engineFor("api.example.com");
		handshake(client("api.example.com"), server);
		selection.verify(server.getSession());
		assertThat(ServerNameSelection.negotiatedName(server.getSession())).isEqualTo("api.example.com");
	}

	private ServerNameSelection selection() {
		return new ServerNameSelection(
				ServerNameContexts.checked(Map.of("api.example.com", this.certificates.serverContextFor("api.example.com"))),
				this.certificates.serverContext(), false,
				new TlsEngines(List.of("TLSv1.3"), null, ClientAuth.NONE, List.of()));
	}

	private SSLEngine client(String serverName) {
		SSLEngine engine = this.certificates.clientContext().createSSLEngine();
		engine.setUseClientMode(true);
		SSLParameters parameters = engine.getSSLParameters();
		parameters.setServerNames(List.of(new SNIHostName(serverName)));
		engine.setSSLParameters(parameters);
		return engine;
	}

	/** Runs the handshake between two engines through buffers, bounded in steps. */
	private static void handshake(SSLEngine client, SSLEngine server) throws Exception {
		int size = 64 * 1024;
		ByteBuffer toServer = ByteBuffer.allocate(size);
		ByteBuffer toClient = ByteBuffer.allocate(size);
		ByteBuffer app = ByteBuffer.allocate(size);
		client.beginHandshake();
		server.beginHandshake();
		for (int step = 0; step < 1000 && !(finished(client) && finished(server)); step++) {
			client.wrap(ByteBuffer.allocate(0), toServer);
			toServer.flip();
			server.unwrap(toServer, app.clear());
			toServer.compact();
			runTasks(server);
			server.wrap(ByteBuffer.allocate(0), toClient);
			toClient.flip();
			client.unwrap(toClient, app.clear());
			toClient.compact();
			runTasks(client);
		}
		assertThat(finished(client) && finished(server)).as("the in-memory handshake finished").isTrue();
	}

	private static boolean finished(SSLEngine engine) {
		HandshakeStatus status = engine.getHandshakeStatus();
		return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
	}

	private static void runTasks(SSLEngine engine) {
		for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
			task.run();
		}
	}

}
