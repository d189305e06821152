package dev.thousandisland;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a server tells about itself around a suspend and a stop, over real sockets: where it
 * listened while it does not listen, and whether its stop had to close connections.
 */
class ServerStopReportTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@Test
	void aStopThatClosesConnectionsAtItsDeadlineCountsThem() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		Server server = start(new Handler<Void>() {

			@Override
			public void handleShutdown(Socket socket, Void state) throws Exception {
				release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
			}

		});
		try (TestClient first = TestClient.connect(server); TestClient second = TestClient.connect(server)) {
			await().atMost(WAIT).until(() -> server.activeConnections() == 2);
			assertThat(server.forcedCloses()).isZero();
			server.stopAsync(Duration.ofMillis(200)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(server.forcedCloses()).isEqualTo(2);
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void aStopWhoseConnectionsFinishInTimeClosesNone() throws Exception {
		Server server = start(new Handler<Void>() {

			@Override
			public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) {
				return Result.continueWith(state);
			}

		});
		try (TestClient client = TestClient.connect(server)) {
			await().atMost(WAIT).until(() -> server.activeConnections() == 1);
			server.stopAsync(WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(client.isClosedByServer(WAIT)).isTrue();
		}
		assertThat(server.forcedCloses()).isZero();
	}

	@Test
	void aSuspendedServerStillTellsWhereItListened() throws Exception {
		Server server = start(new Handler<Void>() {
		});
		try {
			var listening = server.listenerInfo().orElseThrow();
			assertThat(server.boundAddress()).isEqualTo(listening);
			server.suspend();
			assertThat(server.listenerInfo()).isEmpty();
			assertThat(server.boundAddress()).isEqualTo(listening);
		}
		finally {
			server.stop(Duration.ZERO);
		}
	}

	private static Server start(Handler<Void> handler) throws Exception {
		return ServerConfig.builder(handler).port(0).bindAddress(InetAddress.getLoopbackAddress()).start();
	}

}
