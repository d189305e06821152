package dev.thousandisland;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.thousandisland.internal.connection.BufferPool;
import dev.thousandisland.internal.connection.ConnectionSupervisor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read-buffer pool under more concurrent reads than it has buffers (issue 12, item 8): a read
 * past the pool gets a small heap buffer rather than another 64 KiB one, and under the default
 * {@link DataBuffers#OWNED} a pooled buffer is back in the pool before the callback runs, so busy
 * callbacks do not drain it at all.
 */
class ReadBufferPoolTests {

	static final int POOL = 4;

	static final int CONNECTIONS = 8;

	@Test
	void lentReadsPastThePoolGetSeventeenKibHeapBuffersInsteadOfSixtyFourKib() throws Exception {
		BlockingHandler handler = new BlockingHandler();
		Server server = start(handler, DataBuffers.LENT);
		try {
			handler.runConcurrently(server);
			assertThat(handler.buffers).hasSize(CONNECTIONS);
			assertThat(handler.buffers).filteredOn(ByteBuffer::isDirect)
				.hasSize(POOL)
				.allSatisfy((buffer) -> assertThat(buffer.capacity()).isEqualTo(ConnectionSupervisor.READ_BUFFER_SIZE));
			assertThat(handler.buffers).filteredOn((buffer) -> !buffer.isDirect())
				.hasSize(CONNECTIONS - POOL)
				.allSatisfy((buffer) -> assertThat(buffer.capacity()).isEqualTo(BufferPool.OVERFLOW_BUFFER_SIZE));
			// At least those; the reads that see the clients leave may come while others still
			// hold their buffers.
			assertThat(server.tree().connections().buffers().overflows()).isGreaterThanOrEqualTo(CONNECTIONS - POOL);
		}
		finally {
			server.stop();
		}
	}

	@Test
	void ownedReadsGiveThePooledBufferBackBeforeTheCallbackRuns() throws Exception {
		BlockingHandler handler = new BlockingHandler();
		Server server = start(handler, DataBuffers.OWNED);
		try {
			handler.runConcurrently(server);
			assertThat(handler.buffers).hasSize(CONNECTIONS)
				.allSatisfy((buffer) -> assertThat(buffer.isDirect()).isFalse());
			assertThat(server.tree().connections().buffers().overflows()).isZero();
		}
		finally {
			server.stop();
		}
	}

	private static Server start(Handler<?> handler, DataBuffers mode) throws Exception {
		return ServerConfig.builder(handler)
			.port(0)
			.bindAddress(InetAddress.getLoopbackAddress())
			.dataBuffers(mode)
			.readBufferPoolSize(POOL)
			.start();
	}

	/** Holds every connection inside handleData until all of them are there at once. */
	static final class BlockingHandler implements Handler<Void> {

		final Queue<ByteBuffer> buffers = new ConcurrentLinkedQueue<>();

		final CountDownLatch allInside = new CountDownLatch(CONNECTIONS);

		@Override
		public Result<Void> handleData(ByteBuffer data, Socket socket, Void state) throws Exception {
			this.buffers.add(data);
			this.allInside.countDown();
			if (!this.allInside.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("not every connection reached handleData");
			}
			socket.send(ByteBuffer.wrap(new byte[] { 'k' }));
			return Result.continueWith(state);
		}

		void runConcurrently(Server server) throws Exception {
			List<TestClient> clients = new ArrayList<>();
			try {
				for (int i = 0; i < CONNECTIONS; i++) {
					clients.add(TestClient.connect(server).send("x"));
				}
				for (TestClient client : clients) {
					assertThat(client.read(1)).isEqualTo("k");
				}
			}
			finally {
				for (TestClient client : clients) {
					client.close();
				}
			}
		}

	}

}
